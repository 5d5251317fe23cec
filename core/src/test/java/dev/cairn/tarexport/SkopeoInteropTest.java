package dev.cairn.tarexport;

import static dev.cairn.tarexport.SaveLoadTest.BASE;
import static dev.cairn.tarexport.SaveLoadTest.EXTRA;
import static dev.cairn.tarexport.SaveLoadTest.MID;
import static dev.cairn.tarexport.SaveLoadTest.TOP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.distribution.ProgressListener;
import dev.cairn.distribution.PullOptions;
import dev.cairn.distribution.PullResult;
import dev.cairn.distribution.Puller;
import dev.cairn.graph.NodeSpec;
import dev.cairn.image.ChainId;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.Reference;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.RawObject;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.Registry;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.testing.ChainImage;
import dev.cairn.testing.TarBuilder;
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

  @Test
  void skopeosArchiveOfTheChainImageLoadsUnderItsConfigDigestWithChainIdNodes() throws Exception {
    OciLayouts layout = new OciLayouts(dir.resolve("layout"));
    List<byte[]> layers = ChainImage.layers();
    OciLayouts.Image image = layout.imageOfTars("amd64", layers);
    layout.tag("latest", image.manifest());
    Path archive = dir.resolve("chain.tar");
    Tools.run(
        List.of(
            skopeo(),
            "--insecure-policy",
            "copy",
            "-q",
            "oci:" + layout.dir() + ":latest",
            "docker-archive:" + archive + ":chain:latest"));
    Digest id = Digest.sha256(image.config().bytes());
    List<Digest> chainIds = ChainId.of(layers.stream().map(Digest::sha256).toList());
    try (Stores s = new Stores(dir.resolve("store"))) {
      LoadResult r = s.load(Files.readAllBytes(archive));
      assertThat(r.images()).extracting(LoadResult.LoadedImage::id).containsExactly(id);
      List<String> chain = s.chain(id.hex());
      assertThat(chain.subList(0, 19))
          .containsExactlyElementsOf(chainIds.subList(0, 19).stream().map(Digest::hex).toList());
      assertThat(chain.getLast()).isEqualTo(id.hex());
      for (int i = 0; i < layers.size(); i++) {
        assertThat(s.layer(chain.get(i))).as("layer %d", i + 1).isEqualTo(layers.get(i));
      }
      assertThat(s.tags.resolve(Reference.parse("chain:latest"))).contains(id.hex());
      assertThat(s.graph.tempDirectory()).isEmptyDirectory();
    }
  }

  /** The entries of {@code archive}'s manifest.json, and the bytes of each entry's config. */
  private static List<JsonValue.JsonObject> manifest(Map<String, byte[]> entries) {
    List<JsonValue.JsonObject> out = new ArrayList<>();
    for (JsonValue v : ((JsonValue.JsonArray) Json.parse(entries.get("manifest.json"))).items()) {
      out.add((JsonValue.JsonObject) v);
    }
    return out;
  }

  @Test
  void anImagePulledAsSchema1SavesForDockerAndLoadsBackUnderItsStrongIds() throws Exception {
    OciLayouts layout = new OciLayouts(dir.resolve("layout"));
    List<byte[]> tars = List.of(BASE, MID, TOP);
    layout.tag("1", layout.imageOfTars("amd64", tars).manifest());
    List<Digest> diffIds = tars.stream().map(Digest::sha256).toList();
    try (RegistryServer reg =
        RegistryServer.start(dir.resolve("storage"), dir.resolve("reg"), "")) {
      Tools.push(layout.dir(), "1", reg.host(), "test/s1", "--format", "v2s1");
      Reference ref = Reference.parse(reg.host() + "/test/s1:1");
      Path archive = dir.resolve("s1.tar");
      List<String> strong;
      Map<String, byte[]> pulledJson = new java.util.HashMap<>();
      try (Stores a = new Stores(dir.resolve("a"));
          Puller puller = puller(a)) {
        PullResult r = puller.pull(ref, PullOptions.defaults(), ProgressListener.NONE);
        strong = r.nodeIds();
        for (String id : strong) {
          pulledJson.put(id, a.graph.rawJSON(id));
          // a strong ID is the digest of the node's json (ARCHITECTURE.md, Strong IDs)
          assertThat(Digest.sha256(a.graph.rawJSON(id)).hex()).isEqualTo(id);
        }
        save(a, archive, ref.toString());
      }
      Map<String, byte[]> entries;
      try (InputStream in = Files.newInputStream(archive)) {
        entries = SaveLoadTest.entries(in.readAllBytes());
      }
      JsonValue.JsonObject item = manifest(entries).getFirst();
      byte[] config = entries.get(V1Forms.string(item.get("Config")));
      // What docker's load checks: a config with the layers' DiffIDs, no more built steps.
      ImageConfigFile parsed = ImageConfigFile.parse(config);
      assertThat(parsed.diffIds()).isEqualTo(diffIds);
      assertThat(parsed.history()).hasSize(3).noneMatch(ImageConfigFile.History::emptyLayer);
      assertThat(strings(item.get("Layers")))
          .containsExactlyElementsOf(strong.stream().map(id -> id + "/layer.tar").toList());
      assertThat(item.get(LoadPlan.LEGACY_IDS)).isInstanceOf(JsonValue.JsonBool.class);
      skopeoReads(archive, dir.resolve("oci"), diffIds, Digest.sha256(config));

      try (Stores b = new Stores(dir.resolve("b"));
          InputStream in = Files.newInputStream(archive)) {
        LoadResult loaded = new Loader(b.graph, b.tags).load(in);
        assertThat(loaded.images())
            .singleElement()
            .satisfies(i -> assertThat(i.id().hex()).isEqualTo(strong.getLast()));
        assertThat(b.chain(strong.getLast())).isEqualTo(strong);
        for (int i = 0; i < strong.size(); i++) {
          String id = strong.get(i);
          assertThat(b.graph.rawJSON(id)).as("json of %s", id).isEqualTo(pulledJson.get(id));
          assertThat(b.layer(id)).isEqualTo(tars.get(i));
          // Its config names its blob, but nothing in the archive shows that this layer is it.
          assertThat(b.graph.get(id).layerDigest()).isNull();
        }
        assertThat(b.tags.resolve(ref)).contains(strong.getLast());
        // Saved again, the image has the same config: docker loads both under one ID.
        Path again = dir.resolve("again.tar");
        save(b, again, ref.toString());
        try (InputStream in2 = Files.newInputStream(again)) {
          Map<String, byte[]> second = SaveLoadTest.entries(in2.readAllBytes());
          assertThat(second.get(V1Forms.string(item.get("Config")))).isEqualTo(config);
        }
      }
    }
  }

  @Test
  void aPullNeverTakesALoadedSchema1NodeOnTheWordOfItsConfig() throws Exception {
    OciLayouts layout = new OciLayouts(dir.resolve("layout"));
    layout.tag("1", layout.imageOfTars("amd64", List.of(BASE, MID, TOP)).manifest());
    try (RegistryServer reg =
        RegistryServer.start(dir.resolve("storage"), dir.resolve("reg"), "")) {
      Tools.push(layout.dir(), "1", reg.host(), "test/s1", "--format", "v2s1");
      Reference ref = Reference.parse(reg.host() + "/test/s1:1");
      // The image's strong IDs and configs are public; an archive may pair them with any layers.
      List<String> strong;
      List<byte[]> jsons = new ArrayList<>();
      try (Stores a = new Stores(dir.resolve("a"));
          Puller puller = puller(a)) {
        strong = puller.pull(ref, PullOptions.defaults(), ProgressListener.NONE).nodeIds();
        for (String id : strong) {
          jsons.add(a.graph.rawJSON(id));
        }
      }
      List<byte[]> layers = List.of(BASE, MID, EXTRA);
      String config = DockerArchivesTest.config(layers.stream().map(Digest::sha256).toList());
      String cfgHex = Digest.sha256(DockerArchivesTest.utf8(config)).hex();
      TarBuilder t = TarBuilder.tar();
      DockerArchivesTest.file(
          t,
          "manifest.json",
          DockerArchivesTest.utf8(
              "[{\"Config\":\"%s.json\",\"RepoTags\":[\"%s\"],\"Layers\":[%s],\"%s\":true}]"
                  .formatted(
                      cfgHex,
                      ref,
                      String.join(
                          ",", strong.stream().map(id -> "\"" + id + "/layer.tar\"").toList()),
                      LoadPlan.LEGACY_IDS)));
      DockerArchivesTest.file(t, cfgHex + ".json", DockerArchivesTest.utf8(config));
      for (int i = 0; i < strong.size(); i++) {
        RawObject json =
            RawObject.of(Json.parseObject(jsons.get(i), "json")).putString("id", strong.get(i));
        if (i > 0) {
          json.putString("parent", strong.get(i - 1));
        }
        DockerArchivesTest.file(t, strong.get(i) + "/json", json.encode());
        DockerArchivesTest.file(t, strong.get(i) + "/layer.tar", layers.get(i));
      }
      try (Stores c = new Stores(dir.resolve("c"))) {
        c.load(t.bytes());
        assertThat(c.layer(strong.getLast())).isEqualTo(EXTRA);
        try (Puller puller = puller(c)) {
          PullResult r = puller.pull(ref, PullOptions.defaults(), ProgressListener.NONE);
          assertThat(c.layer(r.topNodeId())).isEqualTo(TOP);
          assertThat(r.nodeIds()).doesNotContainAnyElementsOf(strong);
        }
      }
    }
  }

  private static Puller puller(Stores s) throws IOException {
    return new Puller(
        s.graph,
        (r, id, move) -> {
          s.tags.tag(r, id, true);
          return true;
        },
        host -> Registry.open(host, RegistryOptions.defaults()));
  }
}
