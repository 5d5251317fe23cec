package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.distribution.PullOptions;
import dev.cairn.distribution.PushOptions;
import dev.cairn.distribution.PushResult;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.NodeSpec;
import dev.cairn.image.MediaType;
import dev.cairn.image.Reference;
import dev.cairn.image.Schema1Manifest;
import dev.cairn.image.Schema1Writer;
import dev.cairn.image.TrustKey;
import dev.cairn.registry.BlobSource;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.Registry;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.registry.UploadListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code push --format v2s1} of images pulled as schema1: the v1 chain goes out node by node, as
 * Docker 1.9 pushed it, so that with the original blobs a pull of the push gives the same nodes.
 */
class Schema1PushTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static RegistryServer source;
  static RegistryServer target;

  static final Map<String, String> A = Map.of("etc/conf", "from a\n");
  static final Map<String, String> B = Map.of("etc/conf", "from b\n", "bin/b", "b\n");
  static final PushOptions V2S1 = PushOptions.defaults().withFormat(PushOptions.Format.V2S1);

  @BeforeAll
  static void start() throws Exception {
    source = RegistryServer.start(temp.resolve("source"), temp, "");
    target = RegistryServer.start(temp.resolve("target"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    layout.tag("plain", layout.image("amd64", List.of(A, B)).manifest());
    Tools.push(layout.dir(), "plain", source.host(), "src/plain", "--format", "v2s1");
    docker19(temp.resolve("fixture-key.json"));
  }

  /**
   * {@code src/old:old}, as Docker 1.9 wrote its v1 images (legacy IDs of no content, {@code Size},
   * {@code docker_version}) but with a throwaway ENV step between two layers, which a manifest made
   * from a config would never give back.
   */
  private static void docker19(Path key) throws IOException {
    byte[] a = OciLayouts.gzip(OciLayouts.tar(A));
    byte[] b = OciLayouts.gzip(OciLayouts.tar(B));
    String base = legacyId("base");
    String env = legacyId("env");
    String top = legacyId("top");
    List<Schema1Writer.Entry> entries =
        List.of(
            new Schema1Writer.Entry(Digest.sha256(a), v1(base, "", "ADD a /", "")),
            new Schema1Writer.Entry(
                Schema1Writer.EMPTY_LAYER, v1(env, base, "ENV X=<1>", ",\"throwaway\":true")),
            new Schema1Writer.Entry(Digest.sha256(b), v1(top, env, "ADD b /", "")));
    try (Registry registry = Registry.open(source.host(), RegistryOptions.defaults())) {
      for (byte[] blob : List.of(a, b, Schema1Writer.emptyLayer())) {
        registry.uploadBlob("src/old", BlobSource.of(blob), UploadListener.NONE);
      }
      byte[] payload = Schema1Writer.payload("src/old", "old", "amd64", entries);
      registry.putManifest(
          "src/old",
          "old",
          MediaType.DOCKER_SCHEMA1_SIGNED,
          TrustKey.loadOrCreate(key).sign(payload, Instant.parse("2015-11-03T12:00:00Z")));
    }
  }

  private static String legacyId(String name) {
    return Digest.sha256(("legacy " + name).getBytes(StandardCharsets.UTF_8)).hex();
  }

  private static String v1(String id, String parent, String step, String more) {
    return "{\"id\":\""
        + id
        + (parent.isEmpty() ? "" : "\",\"parent\":\"" + parent)
        + "\",\"created\":\"2015-11-03T11:22:33.123456789Z\",\"container_config\":{\"Cmd\":"
        + "[\"/bin/sh\",\"-c\",\"#(nop) "
        + step
        + "\"]},\"docker_version\":\"1.9.0\",\"config\":{\"Env\":[\"PATH=/bin\"]},"
        + "\"architecture\":\"amd64\",\"os\":\"linux\",\"Size\":42"
        + more
        + "}";
  }

  @AfterAll
  static void stop() throws Exception {
    for (RegistryServer r : new RegistryServer[] {source, target}) {
      if (r != null) {
        r.close();
      }
    }
  }

  private Store store(String name, boolean keepBlobs) throws IOException {
    return Store.open(
        dir.resolve(name), StoreOptions.defaults().withDriver("vfs").withKeepBlobs(keepBlobs));
  }

  private static Schema1Manifest served(RegistryServer server, String repo, String tag)
      throws IOException {
    try (Registry registry = Registry.open(server.host(), RegistryOptions.defaults())) {
      return Schema1Manifest.parse(registry.manifest(repo, tag).bytes());
    }
  }

  private static List<String> nodes(Store store, Reference ref) throws IOException {
    return store.image(ref.toString()).chain().stream().map(Node::id).toList();
  }

  /**
   * Pulls {@code repo} from the source keeping its blobs, pushes it as v2s1 to the target, and
   * pulls that into a fresh store: the node IDs of both pulls, and what the target serves.
   */
  private record RoundTrip(List<String> pulled, List<String> again, Schema1Manifest pushed) {}

  private RoundTrip roundTrip(String repo) throws IOException {
    Reference from = Reference.parse(source.host() + "/src/" + repo + ":" + repo);
    Reference to = Reference.parse(target.host() + "/dst/" + repo + ":1");
    try (Store store = store(repo, true);
        Store back = store(repo + "-back", false)) {
      store.pull(from, PullOptions.defaults(), e -> {});
      store.tag(from.toString(), to);
      PushResult r = store.push(to, V2S1, e -> {});
      Schema1Manifest pushed = served(target, "dst/" + repo, "1");
      assertThat(pushed.digest()).isEqualTo(r.manifestDigest());
      back.pull(to, PullOptions.defaults(), e -> {});
      return new RoundTrip(nodes(store, to), nodes(back, to), pushed);
    }
  }

  @Test
  void aSchema1ImagePulledWithItsBlobsKeptPushesAsV2s1AndPullsBackAsTheSameNodes()
      throws IOException {
    RoundTrip t = roundTrip("plain");

    assertThat(t.again()).hasSize(2).isEqualTo(t.pulled());
    Schema1Manifest original = served(source, "src/plain", "plain");
    assertThat(t.pushed().fsLayers()).isEqualTo(original.fsLayers());
    assertThat(v1s(t.pushed()))
        .as("each step's v1Compatibility is the one pulled")
        .isEqualTo(v1s(original));
  }

  @Test
  void aDocker19ChainWithAThrowawayStepPushesAsV2s1AndPullsBackAsTheSameNodes() throws IOException {
    RoundTrip t = roundTrip("old");

    assertThat(t.again()).hasSize(3).isEqualTo(t.pulled());
    Schema1Manifest original = served(source, "src/old", "old");
    assertThat(t.pushed().fsLayers()).isEqualTo(original.fsLayers());
    assertThat(v1s(t.pushed())).isEqualTo(v1s(original));
  }

  @Test
  void aChainWhoseV1IdsRepeatGoesAsItsConfigsManifestSoThatAPullGetsEveryNode() throws IOException {
    Reference to = Reference.parse(target.host() + "/dst/repeat:1");
    String base = legacyId("repeat base");
    String top = legacyId("repeat top");
    // Both nodes keep a v1Compatibility with one ID, as only crafted manifests can leave them.
    String same = legacyId("one v1 ID");
    try (Store store = store("repeat", false);
        Store back = store("repeat-back", false)) {
      Graph graph = StoreFixtures.graph(store);
      graph.register(
          new NodeSpec(
              base, null, nodeJson(base, null), bytes(v1(same, "", "ADD a /", "")), null, null),
          new ByteArrayInputStream(OciLayouts.tar(A)));
      graph.register(
          new NodeSpec(
              top, base, nodeJson(top, base), bytes(v1(same, same, "ADD b /", "")), null, null),
          new ByteArrayInputStream(OciLayouts.tar(B)));
      store.tag(top, to);

      store.push(to, V2S1, e -> {});
      back.pull(to, PullOptions.defaults(), e -> {});

      assertThat(served(target, "dst/repeat", "1").images()).hasSize(2);
      assertThat(back.diffIds(back.image(to.toString())))
          .isEqualTo(store.diffIds(store.image(to.toString())));
    }
  }

  private static byte[] nodeJson(String id, String parent) {
    return bytes(
        "{\"id\":\""
            + id
            + (parent == null ? "" : "\",\"parent\":\"" + parent)
            + "\",\"created\":\"2015-11-03T11:22:33Z\",\"architecture\":\"amd64\",\"os\":\"linux\"}");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> v1s(Schema1Manifest m) {
    return m.images().stream()
        .map(i -> new String(i.v1Compatibility(), StandardCharsets.UTF_8))
        .toList();
  }
}
