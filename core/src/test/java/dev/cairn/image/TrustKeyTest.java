package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's signing key and the schema1 manifests a v2s1 push makes with it. */
class TrustKeyTest {
  @TempDir Path dir;

  static final String CONFIG =
      """
      {"architecture":"amd64","config":{"Cmd":["/run"],"Labels":{"a":"<b>"}},\
      "created":"2026-01-02T03:04:05.5Z","os":"linux",\
      "rootfs":{"type":"layers","diff_ids":["sha256:%s","sha256:%s"]},\
      "history":[{"created":"2026-01-01T00:00:00Z","created_by":"ADD base /","author":"me"},\
      {"created":"2026-01-02T00:00:00Z","created_by":"ENV A=1","empty_layer":true},\
      {"created":"2026-01-02T03:04:05.5Z","created_by":"COPY app /","comment":"c"}]}\
      """
          .formatted("1".repeat(64), "2".repeat(64));

  static final List<Digest> BLOBS =
      List.of(Digest.sha256Hex("a".repeat(64)), Digest.sha256Hex("b".repeat(64)));

  @Test
  void aKeyIsMadeOnceAndSavedAsDockerSavesItsOwn() throws Exception {
    Path file = dir.resolve("trust").resolve("key.json");
    TrustKey made = TrustKey.loadOrCreate(file);

    String json = Files.readString(file);
    assertThat(json)
        .matches(
            "\\{\"crv\":\"P-256\",\"d\":\"[A-Za-z0-9_-]{43}\",\"kid\":\""
                + made.keyId()
                + "\",\"kty\":\"EC\",\"x\":\"[A-Za-z0-9_-]{43}\",\"y\":\"[A-Za-z0-9_-]{43}\"}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(TrustKey.loadOrCreate(file).keyId()).isEqualTo(made.keyId());
    assertThat(Files.readString(file)).isEqualTo(json);
    assertThat(dir.resolve("trust")).isDirectoryNotContaining("glob:**/.key-*");
  }

  @Test
  void aKeyFileThatIsNoKeyIsAnErrorNamingItAndIsLeftAlone() throws Exception {
    Path file = Files.writeString(dir.resolve("key.json"), "{\"kty\":\"RSA\"}");
    assertThatThrownBy(() -> TrustKey.loadOrCreate(file))
        .isInstanceOf(CairnException.class)
        .hasMessage("trust key " + file + ": not an EC P-256 private key (kty EC, crv P-256, d)");
    Files.writeString(file, "not json");
    assertThatThrownBy(() -> TrustKey.loadOrCreate(file))
        .isInstanceOf(CairnException.class)
        .hasMessageStartingWith("trust key " + file + ": ");
    assertThat(Files.readString(file)).isEqualTo("not json");
  }

  @Test
  void aKeyFileThatCannotBeReadIsAnErrorNamingItAndIsLeftAlone() throws Exception {
    Path file = Files.createDirectories(dir.resolve("trust").resolve("key.json"));
    assertThatThrownBy(() -> TrustKey.loadOrCreate(file))
        .isInstanceOf(IOException.class)
        .hasMessage("trust key " + file + ": cannot be read (Is a directory)");
    assertThat(file).isEmptyDirectory();
  }

  @Test
  void theEmptyLayerIsTheGzippedEmptyTarRegistriesKnow() throws Exception {
    assertThat(Schema1Writer.EMPTY_LAYER.toString())
        .isEqualTo("sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4");
    try (GZIPInputStream in =
        new GZIPInputStream(new ByteArrayInputStream(Schema1Writer.emptyLayer()))) {
      assertThat(in.readAllBytes()).hasSize(1024).containsOnly(0);
    }
  }

  @Test
  void aSignedManifestVerifiesWithCairnsOwnVerifierAndItsDigestIsThePayloads() throws Exception {
    TrustKey key = TrustKey.loadOrCreate(dir.resolve("key.json"));
    byte[] config = CONFIG.getBytes(StandardCharsets.UTF_8);
    List<Schema1Writer.Entry> entries = Schema1Writer.fromConfig(config, BLOBS);
    byte[] payload = Schema1Writer.payload("dst/app", "1", "amd64", entries);

    byte[] signed = key.sign(payload, Instant.parse("2026-12-05T06:00:00.123Z"));
    Schema1Manifest m = Schema1Manifest.parse(signed);

    assertThat(m.digest()).isEqualTo(Digest.sha256(payload));
    assertThat(m.signatures())
        .singleElement()
        .satisfies(s -> assertThat(s.keyId()).isEqualTo(key.keyId()));
    // top first: the last step's blob, the empty layer, the base's
    assertThat(m.fsLayers()).containsExactly(BLOBS.get(1), Schema1Writer.EMPTY_LAYER, BLOBS.get(0));
    assertThat(new String(signed, StandardCharsets.UTF_8))
        .startsWith("{\n   \"schemaVersion\": 1,\n   \"name\": \"dst/app\",\n   \"tag\": \"1\",")
        .contains("\n   \"signatures\": [\n      {\n         \"header\": {\n            \"jwk\": {")
        .endsWith("\n      }\n   ]\n}");
  }

  @Test
  void theStepsAreDockersV1ChainAndTheTopIsTheConfigLessRootfsAndHistory() {
    byte[] config = CONFIG.getBytes(StandardCharsets.UTF_8);
    List<Schema1Writer.Entry> entries = Schema1Writer.fromConfig(config, BLOBS);

    String base = Digest.sha256((BLOBS.get(0).hex() + " ").getBytes(StandardCharsets.UTF_8)).hex();
    String env =
        Digest.sha256(
                (Schema1Writer.EMPTY_LAYER.hex() + " " + base).getBytes(StandardCharsets.UTF_8))
            .hex();
    String top =
        Digest.sha256(
                (BLOBS.get(1).hex() + " " + env + " " + CONFIG).getBytes(StandardCharsets.UTF_8))
            .hex();
    assertThat(entries)
        .extracting(Schema1Writer.Entry::v1Compatibility)
        .containsExactly(
            "{\"id\":\""
                + base
                + "\",\"created\":\"2026-01-01T00:00:00Z\",\"container_config\":{\"Cmd\":[\"ADD base /\"]},\"author\":\"me\"}",
            "{\"id\":\""
                + env
                + "\",\"parent\":\""
                + base
                + "\",\"created\":\"2026-01-02T00:00:00Z\",\"container_config\":{\"Cmd\":[\"ENV A=1\"]},\"throwaway\":true}",
            "{\"architecture\":\"amd64\",\"config\":{\"Cmd\":[\"/run\"],\"Labels\":{\"a\":\"\\u003cb\\u003e\"}},"
                + "\"created\":\"2026-01-02T03:04:05.5Z\",\"id\":\""
                + top
                + "\",\"os\":\"linux\",\"parent\":\""
                + env
                + "\"}");
  }

  @Test
  void anImageWithoutHistoryHasNoSchema1Manifest() {
    byte[] config =
        ("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"architecture\":\"amd64\"}")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Schema1Writer.fromConfig(config, List.of()))
        .isInstanceOf(CairnException.class)
        .hasMessage("the image has no history, of which a schema1 manifest is made");
  }

  @Test
  void thePayloadListsTheStepsTopFirstInBothLists() {
    List<Schema1Writer.Entry> entries =
        Schema1Writer.fromConfig(CONFIG.getBytes(StandardCharsets.UTF_8), BLOBS);
    Schema1Manifest m =
        Schema1Manifest.parse(Schema1Writer.payload("dst/app", "1", "amd64", entries));
    assertThat(m.fsLayers())
        .containsExactly(
            entries.get(2).blobSum(), entries.get(1).blobSum(), entries.get(0).blobSum());
    assertThat(m.history())
        .extracting(b -> new String(b, StandardCharsets.UTF_8))
        .containsExactly(
            entries.get(2).v1Compatibility(),
            entries.get(1).v1Compatibility(),
            entries.get(0).v1Compatibility());
  }

  @Test
  void moreStepsWithALayerThanLayersIsAnError() {
    byte[] config =
        ("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:"
                + "1".repeat(64)
                + "\"]},\"history\":[{\"created_by\":\"a\"},{\"created_by\":\"b\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Schema1Writer.fromConfig(config, BLOBS.subList(0, 1)))
        .isInstanceOf(CairnException.class)
        .hasMessage("the image's history has more steps with a layer than its config has layers");
  }
}
