package dev.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.registry.FaultProxy;
import dev.cairn.registry.FaultProxy.Fault;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.RetryPolicy;
import dev.cairn.registry.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pull tells its listener, and when: the image once found, a stalled layer as it goes on.
 */
class PullEventsTest {
  @TempDir static Path temp;
  @TempDir Path store;
  static RegistryServer server;
  static FaultProxy proxy;
  static OciLayouts.Image image;
  static OciLayouts.Blob layer;

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    byte[] noise = new byte[64 * 1024];
    new Random(3).nextBytes(noise);
    image =
        layout.image(
            "amd64", List.of(Map.of("noise", new String(noise, StandardCharsets.ISO_8859_1))));
    layer = image.layers().getFirst();
    layout.tag("1", image.manifest());
    Tools.push(layout.dir(), "1", server.host(), "test/events");
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

  static Reference ref(String tag) {
    return Reference.parse(proxy.host() + "/test/events:" + tag);
  }

  static String label() {
    return layer.digest().hex().substring(0, 12);
  }

  @Test
  void theImageIsAnnouncedOnlyOnceTheRegistryHasItsManifest() throws Exception {
    List<ProgressEvent> events = new CopyOnWriteArrayList<>();
    try (PullFixture f = new PullFixture(store)) {
      assertThatThrownBy(() -> f.puller.pull(ref("absent"), PullOptions.defaults(), events::add))
          .isInstanceOf(CairnException.class);
      assertThat(events).containsExactly(new ProgressEvent.Resolving(ref("absent")));

      events.clear();
      f.puller.pull(ref("1"), PullOptions.defaults(), events::add);
      assertThat(events.subList(0, 3))
          .containsExactly(
              new ProgressEvent.Resolving(ref("1")),
              new ProgressEvent.Resolved(ref("1")),
              new ProgressEvent.Queued(label()));
    }
  }

  @Test
  void aStalledLayerGoesOnWhereItStoppedAndTheListenerHearsWhy() throws Exception {
    proxy.plan("/blobs/" + layer.digest(), Fault.STALL_MIDWAY);
    List<ProgressEvent> events = new CopyOnWriteArrayList<>();
    try (PullFixture f =
        new PullFixture(
            store, o -> o.withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300)))) {
      PullResult r = f.puller.pull(ref("1"), PullOptions.defaults(), events::add);
      assertThat(r.imageId()).isEqualTo(image.config().digest());
    }
    assertThat(events)
        .filteredOn(e -> e instanceof ProgressEvent.Resuming)
        .singleElement()
        .isInstanceOfSatisfying(
            ProgressEvent.Resuming.class,
            e -> {
              assertThat(e.layer()).isEqualTo(label());
              // the half the proxy sent before it stalled
              assertThat(e.offset()).isEqualTo(layer.size() / 2);
              assertThat(e.reason()).isEqualTo(proxy.host() + " sent no data for 300 ms");
            });
    assertThat(PullFixture.blobGets(proxy, layer.digest().hex())).isEqualTo(2);
  }

  @Test
  void aLayerWhoseRegistryFallsSilentFailsOnceTheClientGivesUpWithoutAFreshDownload()
      throws Exception {
    proxy.plan("/blobs/" + layer.digest(), Fault.STALL_MIDWAY, Fault.SILENT_BODY);
    RetryPolicy briefly =
        new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(200));
    try (PullFixture f =
        new PullFixture(
            store,
            o ->
                o.withRetry(briefly).withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300)))) {
      assertThatThrownBy(() -> f.puller.pull(ref("1"), PullOptions.defaults(), e -> {}))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
          .hasMessageStartingWith("pulling " + ref("1").familiar() + ": ")
          .hasMessageEndingWith(": no data for 300 ms (gave up after 2 attempts)");
      PullTest.assertStoreEmpty(f, store);
    }
    assertThat(PullFixture.blobGets(proxy, layer.digest().hex())).isEqualTo(2);
  }
}
