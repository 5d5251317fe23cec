package dev.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.Reference;
import dev.cairn.image.Schema1Manifest;
import dev.cairn.registry.FaultProxy;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.Registry;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A blob that appears at more than one position of an image (schema1's empty layer, or any layer
 * repeated) is downloaded once, as docker does, and each position still gets its node.
 */
class RepeatedLayerTest {
  @org.junit.jupiter.api.io.TempDir static Path temp;
  @org.junit.jupiter.api.io.TempDir Path store;
  static RegistryServer server;
  static FaultProxy proxy;
  static OciLayouts.Image repeated; // layers a, b, a: the second a puts back what b changed
  static OciLayouts.Image
      withEnvSteps; // a, an ENV step, b, another: schema1 repeats its empty layer

  /** The gzipped empty tar that schema1 lists for every step that made no layer. */
  static final Digest EMPTY_LAYER =
      Digest.parse("sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4");

  static final Map<String, String> A = Map.of("etc/conf", "from a\n");
  static final Map<String, String> B = Map.of("etc/conf", "from b\n", "bin/b", "b\n");

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    repeated = layout.image("amd64", List.of(A, B, A));
    layout.tag("repeated", repeated.manifest());
    withEnvSteps = layout.imageWithEmptySteps("amd64", Arrays.asList(A, null, B, null));
    layout.tag("env", withEnvSteps.manifest());
    Tools.push(layout.dir(), "repeated", server.host(), "test/repeat");
    Tools.push(layout.dir(), "env", server.host(), "test/repeat", "--format", "v2s1");
    proxy = new FaultProxy(server.host());
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void resetProxy() {
    proxy.reset();
  }

  private PullFixture fixture(String driver) throws IOException {
    try {
      return new PullFixture(Files.createDirectories(store.resolve(driver)), driver, o -> o);
    } catch (CairnException e) {
      dev.cairn.testing.Tools.requireThat(
          false, driver + " cannot be used here: " + e.getMessage());
      throw e;
    }
  }

  private static Reference ref(String tag) {
    return Reference.parse(proxy.host() + "/test/repeat:" + tag);
  }

  @ParameterizedTest
  @ValueSource(strings = {"vfs", "overlay"})
  void aLayerRepeatedInAnImageIsDownloadedOnceAndAppliedAtBothHeights(String driver)
      throws Exception {
    List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
    try (PullFixture f = fixture(driver)) {
      PullResult r = f.puller.pull(ref("repeated"), PullOptions.defaults(), events::add);

      Digest a = repeated.layers().getFirst().digest();
      assertThat(repeated.layers().getLast().digest()).isEqualTo(a);
      assertThat(PullFixture.blobGets(proxy, a.hex())).isEqualTo(1);
      assertThat(r.nodeIds()).doesNotHaveDuplicates().hasSize(3);
      assertThat(f.graph.get(r.nodeIds().get(2)).layerDigest()).isEqualTo(a);
      assertThat(f.graph.diffId(r.nodeIds().get(2))).isEqualTo(f.graph.diffId(r.nodeIds().get(0)));
      PullTest.assertImage(f, r, Map.of("etc/conf", "from a\n", "bin/b", "b\n"));
      assertOneRowPerBlob(events, repeated.layers().stream().map(OciLayouts.Blob::digest).toList());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"vfs", "overlay"})
  void theEmptyLayerRepeatedInASchema1ImageIsDownloadedOnce(String driver) throws Exception {
    Schema1Manifest m;
    try (Registry direct = Registry.open(server.host(), RegistryOptions.defaults())) {
      m = Schema1Manifest.parse(direct.manifest("test/repeat", "env").bytes());
    }
    List<Digest> blobs = m.images().stream().map(i -> i.blobSum()).toList();
    assertThat(blobs).filteredOn(EMPTY_LAYER::equals).hasSize(2);
    List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
    try (PullFixture f = fixture(driver)) {
      PullResult r = f.puller.pull(ref("env"), PullOptions.defaults(), events::add);

      assertThat(PullFixture.blobGets(proxy, EMPTY_LAYER.hex())).isEqualTo(1);
      assertThat(r.nodeIds()).isEqualTo(m.strongIds().stream().map(Digest::hex).toList());
      for (int i = 0; i < blobs.size(); i++) {
        assertThat(f.graph.get(r.nodeIds().get(i)).layerDigest()).isEqualTo(blobs.get(i));
      }
      PullTest.assertImage(f, r, Map.of("etc/conf", "from b\n", "bin/b", "b\n"));
      assertOneRowPerBlob(events, blobs);
    }
  }

  /** As docker's progress: each distinct blob is queued once and done once, whatever repeats. */
  private static void assertOneRowPerBlob(List<ProgressEvent> events, List<Digest> blobs) {
    Map<String, Long> expected =
        blobs.stream()
            .map(d -> d.hex().substring(0, 12))
            .distinct()
            .collect(Collectors.toMap(Function.identity(), l -> 1L));
    assertThat(count(events, ProgressEvent.Queued.class, ProgressEvent.Queued::layer))
        .isEqualTo(expected);
    assertThat(count(events, ProgressEvent.Done.class, ProgressEvent.Done::layer))
        .isEqualTo(expected);
  }

  private static <E extends ProgressEvent> Map<String, Long> count(
      List<ProgressEvent> events, Class<E> type, Function<E, String> layer) {
    return events.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .collect(Collectors.groupingBy(layer, Collectors.counting()));
  }
}
