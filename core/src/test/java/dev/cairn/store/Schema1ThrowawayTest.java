package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.Reference;
import dev.cairn.image.Schema1Config;
import dev.cairn.image.Schema1Image;
import dev.cairn.image.Schema1Manifest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonBool;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.RawObject;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.Registry;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import dev.cairn.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image pulled as schema1 whose manifest marks v1 images {@code "throwaway": true} (steps that
 * made no layer): docker keeps no layer for them, so {@code inspect} lists none, and {@code save}
 * writes the config docker makes with {@code Layers} as docker's load checks them; cairn keeps a
 * node for each (its strong ID chain needs them), and its own load of the archive gives every node
 * back.
 */
class Schema1ThrowawayTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static RegistryServer registry;
  static Schema1Manifest manifest;
  static Reference ref;

  static final Map<String, String> A = Map.of("etc/conf", "from a\n");
  static final Map<String, String> B = Map.of("etc/conf", "from b\n", "bin/b", "b\n");

  @BeforeAll
  static void push() throws Exception {
    registry = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    // a, an ENV step, b, a CMD step: the top v1 image is a throwaway one
    layout.tag(
        "s1", layout.imageWithEmptySteps("amd64", Arrays.asList(A, null, B, null)).manifest());
    Tools.push(layout.dir(), "s1", registry.host(), "test/throwaway", "--format", "v2s1");
    try (Registry direct = Registry.open(registry.host(), RegistryOptions.defaults())) {
      manifest = Schema1Manifest.parse(direct.manifest("test/throwaway", "s1").bytes());
    }
    ref = Reference.parse(registry.host() + "/test/throwaway:s1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private Store pulled(String name) throws IOException {
    Store store = Store.open(dir.resolve(name), StoreOptions.defaults().withDriver("vfs"));
    store.pull(ref, dev.cairn.distribution.PullOptions.defaults(), e -> {});
    return store;
  }

  private static List<String> strongIds() {
    return manifest.strongIds().stream().map(Digest::hex).toList();
  }

  @Test
  void inspectListsOnlyTheLayersOfV1ImagesThatAreNotThrowaway() throws IOException {
    try (Store store = pulled("a")) {
      Image img = store.image(ref.toString());
      assertThat(img.chain()).extracting(Node::id).isEqualTo(strongIds());
      assertThat(store.inspect(ref.toString()).layers())
          .containsExactly(Digest.sha256(OciLayouts.tar(A)), Digest.sha256(OciLayouts.tar(B)));
    }
  }

  @Test
  void saveWritesTheConfigDockerMakesAndLayersThatMatchItsRootfs() throws IOException {
    try (Store store = pulled("a")) {
      Map<String, byte[]> e = entries(save(store));
      JsonObject item = item(e);
      List<String> ids = strongIds();
      assertThat(strings(item.get("Layers")))
          .containsExactly(ids.get(0) + "/layer.tar", ids.get(2) + "/layer.tar");
      assertThat(strings(item.get("CairnLayers")))
          .containsExactlyElementsOf(ids.stream().map(id -> id + "/layer.tar").toList());
      assertThat(item.get("CairnLegacyIDs"))
          .isInstanceOfSatisfying(JsonBool.class, b -> assertThat(b.value()).isTrue());

      List<byte[]> v1s = manifest.images().stream().map(Schema1Image::v1Compatibility).toList();
      List<Digest> diffIds = new ArrayList<>();
      for (String id : ids) {
        diffIds.add(store.graph().diffId(id));
      }
      byte[] config = e.get(((JsonString) item.get("Config")).value());
      assertThat(config).isEqualTo(Schema1Config.of(v1s, diffIds));
      ImageConfigFile parsed = ImageConfigFile.parse(config);
      assertThat(parsed.diffIds()).containsExactly(diffIds.get(0), diffIds.get(2));
      assertThat(parsed.history())
          .extracting(ImageConfigFile.History::emptyLayer)
          .containsExactly(false, true, false, true);
      // Each node carries its v1Compatibility, so that cairn's load gives the node back whole.
      for (int i = 0; i < ids.size(); i++) {
        assertThat(e.get(ids.get(i) + "/v1Compatibility")).isEqualTo(v1s.get(i));
      }
    }
  }

  @Test
  void aRoundTripThroughCairnKeepsEveryStrongIdAndNode() throws IOException {
    byte[] archive;
    Map<String, String> before = new TreeMap<>();
    try (Store a = pulled("a")) {
      archive = save(a);
      describe(a, before);
    }
    try (Store b = Store.open(dir.resolve("b"), StoreOptions.defaults().withDriver("vfs"))) {
      assertThat(b.load(new ByteArrayInputStream(archive)).images())
          .singleElement()
          .satisfies(i -> assertThat(i.id().hex()).isEqualTo(strongIds().getLast()));
      Map<String, String> after = new TreeMap<>();
      describe(b, after);
      assertThat(after).isEqualTo(before);
      assertThat(b.inspect(ref.toString()).layers()).hasSize(2);
      assertThat(save(b)).as("saved again").isEqualTo(archive);
    }
  }

  /** Each node's parent, json, v1Compatibility and layer, and what inspect shows. */
  private static void describe(Store store, Map<String, String> out) throws IOException {
    Graph g = store.graph();
    for (Node n : g.map().values()) {
      ByteArrayOutputStream layer = new ByteArrayOutputStream();
      store.exportLayer(n.id(), layer);
      out.put(
          n.id(),
          String.join(
              "\n",
              String.valueOf(n.parent()),
              text(g.rawJSON(n.id())),
              g.v1Compatibility(n.id()).map(Schema1ThrowawayTest::text).orElse("(none)"),
              Digest.sha256(layer.toByteArray()).toString()));
    }
    ImageInspect inspect = store.inspect(ref.toString());
    out.put("inspect", inspect.id() + " " + inspect.size() + " " + inspect.layers());
  }

  @Test
  void aLoadRefusesLayersThatListAThrowawayV1Image() throws IOException {
    byte[] archive;
    try (Store a = pulled("a")) {
      archive = save(a);
    }
    List<String> ids = strongIds();
    // As many layers as the config's DiffIDs, but the first is a throwaway image's.
    String layers = "[\"%s/layer.tar\",\"%s/layer.tar\"]".formatted(ids.get(1), ids.get(2));
    byte[] edited =
        edit(
            archive,
            "manifest.json",
            m -> {
              RawObject item = RawObject.of(item(Map.of("manifest.json", m)));
              item.put("Layers", w -> w.raw(Json.parse(layers.getBytes(StandardCharsets.UTF_8))));
              return ("[" + text(item.encode()) + "]").getBytes(StandardCharsets.UTF_8);
            });
    assertRefused(edited, "Layers must list exactly the layers that are not throwaway");
  }

  @Test
  void aLoadRefusesAV1CompatibilityThatDoesNotGiveTheNodesJson() throws IOException {
    byte[] archive;
    try (Store a = pulled("a")) {
      archive = save(a);
    }
    List<String> ids = strongIds();
    byte[] other = entries(archive).get(ids.get(2) + "/v1Compatibility");
    byte[] edited = edit(archive, ids.get(1) + "/v1Compatibility", v -> other);
    assertRefused(edited, "v1Compatibility: it does not give the image's json");
  }

  private void assertRefused(byte[] archive, String message) throws IOException {
    try (Store b = Store.open(dir.resolve("b"), StoreOptions.defaults().withDriver("vfs"))) {
      assertThatThrownBy(() -> b.load(new ByteArrayInputStream(archive)))
          .isInstanceOf(CairnException.class)
          .hasMessageContaining(message)
          .extracting(t -> ((CairnException) t).kind())
          .isEqualTo(CairnException.Kind.INVALID);
      assertThat(b.graph().map()).isEmpty();
      assertThat(b.tags().all()).isEmpty();
    }
  }

  private static byte[] save(Store store) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.save(List.of(ref.toString()), out);
    return out.toByteArray();
  }

  private static Map<String, byte[]> entries(byte[] archive) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    TarReader r = new TarReader(new ByteArrayInputStream(archive));
    for (TarEntry e; (e = r.next()) != null; ) {
      out.put(e.name(), r.payload().readAllBytes());
    }
    return out;
  }

  /** The archive with entry {@code name} replaced by what {@code change} makes of it. */
  private static byte[] edit(byte[] archive, String name, UnaryOperator<byte[]> change)
      throws IOException {
    TarBuilder tar = TarBuilder.tar();
    TarReader r = new TarReader(new ByteArrayInputStream(archive));
    for (TarEntry e; (e = r.next()) != null; ) {
      if (e.type() == TarEntry.Type.DIRECTORY) {
        tar.dir(e.name());
        continue;
      }
      byte[] data = r.payload().readAllBytes();
      if (e.name().equals(name)) {
        data = change.apply(data);
      }
      tar.add(TarEntry.regular(e.name(), data.length), data);
    }
    return tar.bytes();
  }

  private static JsonObject item(Map<String, byte[]> entries) {
    return (JsonObject) ((JsonArray) Json.parse(entries.get("manifest.json"))).items().getFirst();
  }

  private static List<String> strings(JsonValue v) {
    return ((JsonArray) v).items().stream().map(s -> ((JsonString) s).value()).toList();
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
