package dev.cairn.tarexport;

import static dev.cairn.tarexport.SaveLoadTest.BASE;
import static dev.cairn.tarexport.SaveLoadTest.MID;
import static dev.cairn.tarexport.SaveLoadTest.TOP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.graph.NodeSpec;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.Reference;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cairn's archives read by skopeo, and skopeo's {@code docker-archive:} read by cairn. */
class SkopeoInteropTest {
  @TempDir Path dir;

  private static String skopeo() {
    return Tools.require("skopeo").toString();
  }

  private static List<String> strings(JsonValue v) {
    List<String> out = new ArrayList<>();
    for (JsonValue item : ((JsonValue.JsonArray) v).items()) {
      out.add(V1Forms.string(item));
    }
    return out;
  }

  private void save(Stores s, Path file, String name) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      new Saver(s.graph, s.tags).save(List.of(name), out);
    }
  }

  private static void skopeoReads(Path archive, Path oci, List<Digest> diffIds, Digest config)
      throws Exception {
    Tools.run(
        List.of(
            skopeo(),
            "--insecure-policy",
            "copy",
            "-q",
            "docker-archive:" + archive,
            "oci:" + oci + ":t"));
    JsonValue.JsonObject inspect =
        Json.parseObject(
            Tools.run(List.of(skopeo(), "inspect", "docker-archive:" + archive))
                .getBytes(StandardCharsets.UTF_8),
            "skopeo inspect");
    assertThat(strings(inspect.get("Layers")))
        .containsExactlyElementsOf(diffIds.stream().map(Digest::toString).toList());
    JsonValue.JsonObject raw =
        Json.parseObject(
            Tools.run(List.of(skopeo(), "inspect", "--raw", "docker-archive:" + archive))
                .getBytes(StandardCharsets.UTF_8),
            "skopeo inspect --raw");
    JsonValue.JsonObject cfg = (JsonValue.JsonObject) raw.get("config");
    assertThat(V1Forms.string(cfg.get("digest"))).isEqualTo(config.toString());
  }

  @Test
  void skopeoReadsCairnArchivesOfSchema2AndLegacyImages() throws Exception {
    try (Stores s = new Stores(dir.resolve("store"))) {
      ImageConfigFile app = s.pulled(List.of(BASE, MID, TOP), "app:1");
      save(s, dir.resolve("app.tar"), "app:1");
      skopeoReads(dir.resolve("app.tar"), dir.resolve("oci-app"), app.diffIds(), app.digest());

      String base = "1".repeat(64);
      String top = "2".repeat(64);
      s.graph.register(
          NodeSpec.of(base, null, SaveLoadTest.legacyJson(base, null, "a")),
          new ByteArrayInputStream(BASE));
      s.graph.register(
          NodeSpec.of(top, base, SaveLoadTest.legacyJson(top, base, "b")),
          new ByteArrayInputStream(MID));
      save(s, dir.resolve("old.tar"), top);
      Digest config = null;
      try (InputStream in = Files.newInputStream(dir.resolve("old.tar"))) {
        for (Map.Entry<String, byte[]> e : SaveLoadTest.entries(in.readAllBytes()).entrySet()) {
          if (e.getKey().endsWith(".json") && !e.getKey().equals("manifest.json")) {
            config = Digest.sha256(e.getValue());
          }
        }
      }
      skopeoReads(
          dir.resolve("old.tar"),
          dir.resolve("oci-old"),
          List.of(Digest.sha256(BASE), Digest.sha256(MID)),
          config);
    }
  }

  @Test
  void cairnLoadsWhatSkopeoCopiesFromARealRegistry() throws Exception {
    OciLayouts layout = new OciLayouts(dir.resolve("layout"));
    Map<String, String> repeated = Map.of("etc/a", "same");
    OciLayouts.Image image =
        layout.image("amd64", List.of(repeated, Map.of("usr/b", "two"), repeated));
    layout.tag("1", image.manifest());
    Path archive = dir.resolve("skopeo.tar");
    try (RegistryServer reg =
        RegistryServer.start(dir.resolve("storage"), dir.resolve("reg"), "")) {
      Tools.push(layout.dir(), "1", reg.host(), "test/app");
      Tools.run(
          List.of(
              skopeo(),
              "--insecure-policy",
              "copy",
              "-q",
              "--src-tls-verify=false",
              "docker://" + reg.host() + "/test/app:1",
              "docker-archive:" + archive + ":" + reg.host() + "/test/app:1"));
      try (Stores s = new Stores(dir.resolve("store"));
          InputStream in = Files.newInputStream(archive)) {
        LoadResult r = new Loader(s.graph, s.tags).load(in);
        Digest config = image.config().digest();
        assertThat(r.images()).singleElement().satisfies(i -> assertThat(i.id()).isEqualTo(config));
        Reference tag = Reference.parse(reg.host() + "/test/app:1");
        assertThat(s.tags.resolve(tag)).contains(config.hex());
        List<String> chain = s.chain(config.hex());
        List<Digest> diffIds = ImageConfigFile.parse(image.config().bytes()).diffIds();
        assertThat(chain).hasSize(3);
        for (int i = 0; i < chain.size(); i++) {
          assertThat(s.graph.diffId(chain.get(i))).isEqualTo(diffIds.get(i));
        }
        assertThat(s.graph.rawJSON(config.hex())).isEqualTo(image.config().bytes());
        assertThat(s.graph.tempDirectory()).isEmptyDirectory();
      }
    }
  }
}
