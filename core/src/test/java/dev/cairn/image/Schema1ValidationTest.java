package dev.cairn.image;

import static dev.cairn.image.Schema1Fixtures.blob;
import static dev.cairn.image.Schema1Fixtures.bytes;
import static dev.cairn.image.Schema1Fixtures.chain;
import static dev.cairn.image.Schema1Fixtures.id;
import static dev.cairn.image.Schema1Fixtures.manifest;
import static dev.cairn.image.Schema1Fixtures.v1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.Schema1Fixtures.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The validation of schema1 manifests (ARCHITECTURE.md, Strong IDs): each rule has its own precise
 * error.
 */
class Schema1ValidationTest {

  @Test
  void listsImagesBaseFirstWithTheirIdsParentsAndLayers() {
    Schema1Manifest m = Schema1Manifest.parse(bytes(manifest(chain("c", "b", "a"))));

    List<Schema1Image> images = m.images();

    assertThat(images).extracting(Schema1Image::id).containsExactly(id("a"), id("b"), id("c"));
    assertThat(images).extracting(Schema1Image::parent).containsExactly("", id("a"), id("b"));
    assertThat(images).extracting(Schema1Image::index).containsExactly(2, 1, 0);
    assertThat(images)
        .extracting(i -> i.blobSum().toString())
        .containsExactly(blob("a"), blob("b"), blob("c"));
    assertThat(new String(images.get(0).v1Compatibility(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(v1(id("a"), ""));
    assertThat(m.name()).isEqualTo("library/test");
    assertThat(m.tag()).isEqualTo("latest");
    assertThat(m.architecture()).isEqualTo("amd64");
  }

  @Test
  void strongIdsChainFromTheBaseUp() {
    List<Entry> entries = chain("c", "b", "a");
    List<Digest> ids = Schema1Manifest.parse(bytes(manifest(entries))).strongIds();

    Digest a = ImageConfig.strongId(bytes(entries.get(2).v1()), Digest.parse(blob("a")), null);
    Digest b = ImageConfig.strongId(bytes(entries.get(1).v1()), Digest.parse(blob("b")), a);
    Digest c = ImageConfig.strongId(bytes(entries.get(0).v1()), Digest.parse(blob("c")), b);
    assertThat(ids).containsExactly(a, b, c);
  }

  @Test
  void anImageListedTwiceInARowIsOneImageAndTheEntryNearestTheBaseIsKept() {
    // Same ID at history[1..3]; the copies carry different blobSums so the kept one is visible.
    List<Entry> entries = new ArrayList<>(chain("c", "b", "a"));
    Entry b = entries.get(1);
    entries.add(1, new Entry(blob("b-copy-1"), b.v1()));
    entries.add(1, new Entry(blob("b-copy-2"), b.v1()));

    Schema1Manifest m = Schema1Manifest.parse(bytes(manifest(entries)));
    List<Schema1Image> images = m.images();

    assertThat(images).extracting(Schema1Image::id).containsExactly(id("a"), id("b"), id("c"));
    assertThat(images.get(1).index()).isEqualTo(3);
    assertThat(images.get(1).blobSum().toString()).isEqualTo(blob("b"));
    assertThat(m.strongIds())
        .isEqualTo(Schema1Manifest.parse(bytes(manifest(chain("c", "b", "a")))).strongIds());
  }

  @Test
  void aSingleImageManifestIsValid() {
    Schema1Manifest m = Schema1Manifest.parse(bytes(manifest(chain("only"))));
    assertThat(m.images()).extracting(Schema1Image::id).containsExactly(id("only"));
    assertThat(m.strongIds()).hasSize(1);
  }

  static Stream<Arguments> invalidManifests() {
    String a = id("a");
    String b = id("b");
    String c = id("c");
    return Stream.of(
        invalid("schemaVersion 2", manifest(2, chain("b", "a")), "schemaVersion is 2, expected 1"),
        invalid(
            "schemaVersion absent",
            "{\"fsLayers\":[{\"blobSum\":\""
                + blob("a")
                + "\"}],\"history\":[{\"v1Compatibility\":\"{}\"}]}",
            "schemaVersion is 0, expected 1"),
        invalid(
            "schemaVersion not a number",
            "{\"schemaVersion\":\"1\"}",
            "field schemaVersion: expected a number, got string"),
        invalid(
            "schemaVersion a fraction",
            "{\"schemaVersion\":1.0}",
            "field schemaVersion: cannot decode number \"1.0\" as a 64-bit integer"),
        invalid(
            "more history than fsLayers",
            LibtrustSigner.manifest(
                1, List.of(blob("b"), blob("a")), List.of(v1(c, b), v1(b, a), v1(a, ""))),
            "fsLayers has 2 entries but history has 3"),
        invalid(
            "no layers",
            manifest(List.of()),
            "the manifest has no layers (fsLayers and history are empty)"),
        invalid(
            "fsLayers not an array",
            "{\"schemaVersion\":1,\"fsLayers\":\"x\"}",
            "field fsLayers: expected an array of objects, got string"),
        invalid(
            "blobSum not a string",
            "{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":7}]}",
            "field fsLayers[0].blobSum: expected a string, got number"),
        invalid(
            "blobSum not a digest",
            LibtrustSigner.manifest(
                1, List.of(blob("b"), "sha256:xyz"), List.of(v1(b, a), v1(a, ""))),
            "fsLayers[1].blobSum: invalid digest \"sha256:xyz\""),
        invalid(
            "v1Compatibility not JSON",
            LibtrustSigner.manifest(
                1, List.of(blob("b"), blob("a")), List.of(v1(b, a), "{\"id\":")),
            "history[1].v1Compatibility: invalid JSON at byte 6"),
        invalid(
            "v1Compatibility field of the wrong type",
            LibtrustSigner.manifest(
                1,
                List.of(blob("a")),
                List.of("{\"id\":\"" + a + "\",\"container_config\":{\"Env\":\"PATH=/\"}}")),
            "history[0].v1Compatibility: field container_config.Env: expected an array of strings, got string"),
        invalid(
            "v1Compatibility created not RFC 3339",
            LibtrustSigner.manifest(
                1, List.of(blob("a")), List.of("{\"id\":\"" + a + "\",\"created\":\"yesterday\"}")),
            "history[0].v1Compatibility: field created: "),
        invalid(
            "id uppercase hex",
            LibtrustSigner.manifest(
                1, List.of(blob("b"), blob("a")), List.of(v1(b, a), v1(a.toUpperCase(), ""))),
            "history[1].v1Compatibility: id \"" + a.toUpperCase() + "\" is not 64 lowercase hex"),
        invalid(
            "id missing",
            LibtrustSigner.manifest(
                1, List.of(blob("a")), List.of("{\"created\":\"2015-09-08T21:30:30Z\"}")),
            "history[0].v1Compatibility: id \"\" is not 64 lowercase hex"),
        invalid(
            "id too short",
            LibtrustSigner.manifest(1, List.of(blob("a")), List.of(v1("abc", ""))),
            "history[0].v1Compatibility: id \"abc\" is not 64 lowercase hex"),
        invalid(
            "base with a parent",
            LibtrustSigner.manifest(1, List.of(blob("b"), blob("a")), List.of(v1(b, a), v1(a, c))),
            "history[1] (id "
                + a.substring(0, 12)
                + "…), the base image, has parent \""
                + c
                + "\"; a base must have none"),
        invalid(
            "an ID again after another image",
            LibtrustSigner.manifest(
                1,
                List.of(blob("a2"), blob("b"), blob("a")),
                List.of(v1(a, b), v1(b, a), v1(a, ""))),
            "image "
                + a.substring(0, 12)
                + "… appears at history[0] and again at history[2], not adjacent"),
        invalid(
            "parent is not the image below",
            LibtrustSigner.manifest(
                1,
                List.of(blob("c"), blob("b"), blob("a")),
                List.of(v1(c, a), v1(b, a), v1(a, ""))),
            "history[0] (id "
                + c.substring(0, 12)
                + "…): parent is \""
                + a
                + "\" but the next image below, history[1], is "
                + b),
        invalid(
            "parent missing above the base",
            LibtrustSigner.manifest(
                1, List.of(blob("b"), blob("a")), List.of(v1(b, ""), v1(a, ""))),
            "history[0] (id "
                + b.substring(0, 12)
                + "…): parent is empty but the next image below, history[1], is "
                + a),
        invalid(
            "manifest not JSON",
            "{\"schemaVersion\":1,",
            "manifest: invalid JSON at byte 19: unexpected end of JSON input"),
        invalid("manifest not an object", "[1]", "manifest: expected a JSON object, got array"));
  }

  private static Arguments invalid(String name, String manifest, String message) {
    return Arguments.of(Named.of(name, manifest), message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidManifests")
  void invalidManifestsAreRejectedWithAPreciseMessage(String manifest, String message) {
    assertThatThrownBy(() -> Schema1Manifest.parse(bytes(manifest)).strongIds())
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessageStartingWith(message);
  }

  @Test
  void aLayerDigestThatIsNotSha256CannotBeHashedIntoAStrongId() {
    String sha512 = "sha512:" + "ab".repeat(64);
    Schema1Manifest m =
        Schema1Manifest.parse(
            bytes(LibtrustSigner.manifest(1, List.of(sha512), List.of(v1(id("a"), "")))));
    assertThat(m.images()).hasSize(1);
    assertThatThrownBy(m::strongIds)
        .isInstanceOf(CairnException.class)
        .hasMessage(
            "history[0] (id "
                + id("a").substring(0, 12)
                + "…): layer digest "
                + sha512
                + " is not a sha256 digest");
  }

  @Test
  void keysMatchCaseInsensitivelyAndTheLastDuplicateWinsAsInGo() {
    String a = id("a");
    String doc =
        "{\"SCHEMAVERSION\":1,\"fslayers\":[{\"BLOBSUM\":\"x\"}],\"fsLayers\":[{\"blobſum\":\""
            + blob("a")
            + "\"}],\"History\":[{\"V1COMPATIBILITY\":"
            + new String(
                new dev.cairn.json.GoJsonWriter().string(v1(a, "")).toByteArray(),
                java.nio.charset.StandardCharsets.UTF_8)
            + "}]}";
    Schema1Manifest m = Schema1Manifest.parse(bytes(doc));
    assertThat(m.images()).extracting(Schema1Image::id).containsExactly(a);
    assertThat(m.fsLayers()).extracting(Digest::toString).containsExactly(blob("a"));
  }

  @Test
  void aShorterDuplicateArrayKeepsWhatGoLeftInTheReusedElements() {
    // Go decodes the second fsLayers into the first one's backing array: element 0 has no
    // blobSum key, so it keeps the earlier value; the slice is truncated to one element.
    String doc =
        "{\"fsLayers\":[{\"blobSum\":\""
            + blob("a")
            + "\"},{\"blobSum\":\""
            + blob("b")
            + "\"}],\"fsLayers\":[{\"other\":1}]}";
    assertThat(Schema1Manifest.parse(bytes(doc)).fsLayers())
        .extracting(Digest::toString)
        .containsExactly(blob("a"));
  }
}
