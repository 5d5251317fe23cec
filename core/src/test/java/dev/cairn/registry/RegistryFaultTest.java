package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.registry.FaultProxy.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each fetch through a misbehaving proxy succeeds with verified content or fails clearly. */
class RegistryFaultTest {
  @TempDir static Path temp;
  static RegistryServer server;
  static FaultProxy proxy;
  static OciLayouts.Image image;
  static OciLayouts.Blob layer;
  static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(20));

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    byte[] noise = new byte[192 * 1024];
    new Random(7).nextBytes(noise);
    // incompressible content, so the gzip'd layer is large enough to be cut in the middle
    image =
        layout.image(
            "amd64",
            List.of(
                Map.of("noise", new String(noise, java.nio.charset.StandardCharsets.ISO_8859_1))));
    layer = image.layers().getFirst();
    layout.tag("1", image.manifest());
    Tools.push(layout.dir(), "1", server.host(), "test/app");
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

  private static Registry client() throws IOException {
    return Registry.open(proxy.host(), options());
  }

  /** A short stall limit: a cut connection that the server keeps open shows as silence. */
  private static RegistryOptions options() {
    return RegistryOptions.defaults()
        .withRetry(FAST)
        .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(800));
  }

  private static byte[] fetchLayer(Registry r) throws IOException {
    try (InputStream in = r.blob("test/app", layer.digest(), layer.size())) {
      return in.readAllBytes();
    }
  }

  private List<FaultProxy.Seen> blobRequests() {
    return proxy.seen.stream().filter(s -> s.path().contains("/blobs/")).toList();
  }

  @Test
  void droppedConnectionResumesWithRange() throws IOException {
    proxy.plan("/blobs/", Fault.DROP_MIDWAY);
    try (Registry r = client()) {
      assertThat(fetchLayer(r)).isEqualTo(layer.bytes());
    }
    List<FaultProxy.Seen> blobs = blobRequests();
    assertThat(blobs).hasSize(2);
    assertThat(blobs.get(0).range()).isNull();
    // The proxy sent the first half before it dropped: the resume asks for the rest.
    assertThat(blobs.get(1).range()).isEqualTo("bytes=" + layer.size() / 2 + "-");
  }

  @Test
  void cleanlyTruncatedAnswerResumes() throws IOException {
    proxy.plan("/blobs/", Fault.TRUNCATE, Fault.TRUNCATE);
    try (Registry r = client()) {
      assertThat(fetchLayer(r)).isEqualTo(layer.bytes());
    }
    assertThat(blobRequests()).hasSize(3);
    assertThat(blobRequests().get(1).range()).isEqualTo("bytes=" + layer.size() / 2 + "-");
  }

  @Test
  void serverIgnoringRangeIsSkippedForward() throws IOException {
    proxy.plan("/blobs/", Fault.TRUNCATE, Fault.IGNORE_RANGE);
    try (Registry r = client()) {
      assertThat(fetchLayer(r)).isEqualTo(layer.bytes());
    }
  }

  @Test
  void corruptedBlobFailsWithDigestMismatch() throws IOException {
    proxy.plan("/blobs/", Fault.CORRUPT_BYTE);
    try (Registry r = client()) {
      assertThatThrownBy(() -> fetchLayer(r))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessageStartingWith(
              "fetching blob " + layer.digest() + " of test/app from " + proxy.host())
          .hasMessageContaining("digest mismatch");
    }
  }

  @Test
  void corruptedManifestIsRefused() throws IOException {
    String digest = image.manifest().digest().toString();
    proxy.plan("/manifests/", Fault.CORRUPT_BYTE, Fault.CORRUPT_BYTE);
    try (Registry r = client()) {
      assertThatThrownBy(() -> r.manifest("test/app", digest))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessageStartingWith("fetching manifest " + digest + " of test/app");
      assertThatThrownBy(() -> r.manifest("test/app", "1"))
          .isInstanceOf(CairnException.class)
          .hasMessageStartingWith("fetching manifest 1 of test/app");
    }
  }

  @Test
  void serverErrorsAndThrottlingAreRetried() throws IOException {
    proxy.plan("/manifests/", Fault.STATUS_500, Fault.STATUS_429);
    proxy.plan("/blobs/", Fault.STATUS_500, Fault.STATUS_500);
    try (Registry r = client()) {
      assertThat(r.manifest("test/app", "1").digest()).isEqualTo(image.manifest().digest());
      assertThat(fetchLayer(r)).isEqualTo(layer.bytes());
    }
    assertThat(blobRequests()).hasSize(3);
  }

  @Test
  void persistentServerErrorGivesUpAfterTheRetryBudget() throws IOException {
    proxy.plan(
        "/manifests/", Fault.STATUS_500, Fault.STATUS_500, Fault.STATUS_500, Fault.STATUS_500);
    try (Registry r = client()) {
      assertThatThrownBy(() -> r.manifest("test/app", "1"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
          .hasMessage(
              "fetching manifest 1 of test/app from "
                  + proxy.host()
                  + ": HTTP 500 Internal Server Error");
    }
    assertThat(proxy.seen.stream().filter(s -> s.path().contains("/manifests/"))).hasSize(4);
  }

  @Test
  void notFoundIsNotRetried() throws IOException {
    try (Registry r = client()) {
      assertThatThrownBy(() -> r.manifest("test/app", "absent"))
          .hasMessageContaining("MANIFEST_UNKNOWN");
    }
    assertThat(proxy.seen.stream().filter(s -> s.path().contains("/manifests/"))).hasSize(1);
  }

  @Test
  void redirectToAnotherHostCarriesNoAuthorization() throws IOException {
    proxy.requireBasic();
    proxy.plan("/blobs/", Fault.REDIRECT_OTHER_HOST);
    RegistryOptions options =
        options()
            .withCredentials(
                CredentialSource.of(proxy.host(), Credentials.basic("bob", "hunter2")));
    try (Registry r = Registry.open(proxy.host(), options)) {
      assertThat(fetchLayer(r)).isEqualTo(layer.bytes());
    }
    List<FaultProxy.Seen> blobs = blobRequests();
    assertThat(blobs).hasSizeGreaterThanOrEqualTo(2);
    FaultProxy.Seen first = blobs.get(blobs.size() - 2);
    FaultProxy.Seen redirected = blobs.getLast();
    assertThat(first.authorization()).isTrue();
    assertThat(redirected.path()).startsWith("/redirected/");
    assertThat(redirected.host()).startsWith("localhost:");
    assertThat(redirected.authorization()).isFalse();
  }

  @Test
  void redirectLoopsAreBounded() throws IOException {
    Fault[] loop = new Fault[12];
    java.util.Arrays.fill(loop, Fault.REDIRECT_SELF);
    proxy.plan("/manifests/", loop);
    try (Registry r = client()) {
      assertThatThrownBy(() -> r.manifest("test/app", "1"))
          .isInstanceOf(CairnException.class)
          .hasMessage(
              "fetching manifest 1 of test/app from " + proxy.host() + ": more than 10 redirects");
    }
  }

  @Test
  void repeatedDropsGiveUpWithAClearMessage() throws IOException {
    proxy.plan("/blobs/", Fault.TRUNCATE, Fault.TRUNCATE, Fault.TRUNCATE, Fault.TRUNCATE);
    try (Registry r = client()) {
      assertThatThrownBy(() -> fetchLayer(r))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
          .hasMessageStartingWith("fetching blob " + layer.digest() + " of test/app")
          .hasMessageContaining("connection closed after ")
          .hasMessageEndingWith(" bytes (gave up after 4 attempts)");
    }
  }

  /** Short silence limits and a retry policy whose time runs out after {@code retryTime}. */
  private static RegistryOptions impatient(Duration retryTime) {
    return RegistryOptions.defaults()
        .withRetry(new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(20), retryTime))
        .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300));
  }

  /** Where and why a blob download went on, as the registry client reported it. */
  record Resumed(long offset, String reason) {}

  private static byte[] fetchLayer(Registry r, List<Resumed> resumed) throws IOException {
    try (InputStream in =
        r.blob(
            "test/app",
            layer.digest(),
            layer.size(),
            (offset, reason) -> resumed.add(new Resumed(offset, reason)))) {
      return in.readAllBytes();
    }
  }

  @Test
  void aServerThatNeverAnswersIsAskedAgainOnlyWhileTheRetryTimeLasts() throws IOException {
    proxy.plan("/manifests/", Fault.NO_ANSWER, Fault.NO_ANSWER, Fault.NO_ANSWER, Fault.NO_ANSWER);
    try (Registry r = Registry.open(proxy.host(), impatient(Duration.ofMillis(100)))) {
      assertThatThrownBy(() -> r.manifest("test/app", "1"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
          .hasMessage(
              "fetching manifest 1 of test/app from " + proxy.host() + ": no answer within 300 ms");
    }
    assertThat(proxy.seen.stream().filter(s -> s.path().contains("/manifests/"))).hasSize(1);
  }

  @Test
  void aStalledBlobResumesWhereItStoppedAndSaysWhy() throws IOException {
    proxy.plan("/blobs/", Fault.STALL_MIDWAY);
    List<Resumed> resumed = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Registry r = Registry.open(proxy.host(), impatient(Duration.ofSeconds(10)))) {
      assertThat(fetchLayer(r, resumed)).isEqualTo(layer.bytes());
    }
    assertThat(resumed).hasSize(1);
    long offset = resumed.getFirst().offset();
    assertThat(offset).as("the half the proxy sent before it stalled").isEqualTo(layer.size() / 2);
    assertThat(resumed.getFirst().reason()).isEqualTo(proxy.host() + " sent no data for 300 ms");
    assertThat(blobRequests())
        .extracting(FaultProxy.Seen::range)
        .containsExactly(null, "bytes=" + offset + "-");
  }

  @Test
  void aBlobThatFallsSilentAgainWithoutAByteBetweenIsGivenUp() throws IOException {
    proxy.plan("/blobs/", Fault.STALL_MIDWAY, Fault.SILENT_BODY);
    List<Resumed> resumed = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Registry r = Registry.open(proxy.host(), impatient(Duration.ofMillis(200)))) {
      assertThatThrownBy(() -> fetchLayer(r, resumed))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
          .hasMessage(
              "fetching blob "
                  + layer.digest()
                  + " of test/app from "
                  + proxy.host()
                  + ": no data for 300 ms (gave up after 2 attempts)");
    }
    assertThat(resumed).hasSize(1);
    assertThat(blobRequests()).hasSize(2);
  }

  @Test
  void aBlobTrickledAByteAtATimeCountsAsStalled() throws IOException {
    proxy.plan("/blobs/", Fault.TRICKLE);
    List<Resumed> resumed = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Registry r = Registry.open(proxy.host(), impatient(Duration.ofSeconds(10)))) {
      assertThat(fetchLayer(r, resumed)).isEqualTo(layer.bytes());
    }
    assertThat(resumed)
        .singleElement()
        .satisfies(
            x ->
                assertThat(x.reason())
                    .matches(
                        java.util.regex.Pattern.quote(proxy.host())
                            + " is too slow: [0-9]+ bytes in 300 ms"));
  }

  @Test
  void aHostThatCannotBeResolvedIsUnavailableAtOnce() throws IOException {
    // Names under .invalid never resolve (RFC 6761).
    try (Registry r = Registry.open("nonexistent.invalid", options())) {
      assertThatThrownBy(() -> r.manifest("test/app", "1"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
          .hasMessage(
              "fetching manifest 1 of test/app from nonexistent.invalid:"
                  + " cannot resolve host nonexistent.invalid");
    }
  }

  @Test
  void aRefusedConnectionIsUnavailableAfterItsRetries() throws IOException {
    int port;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      port = closed.getLocalPort();
    }
    try (Registry r = Registry.open("127.0.0.1:" + port, options())) {
      assertThatThrownBy(() -> r.manifest("test/app", "1"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
          .hasMessage(
              "fetching manifest 1 of test/app from 127.0.0.1:"
                  + port
                  + ": connection refused (4 attempts)");
    }
  }

  @Test
  void aHostThatDropsConnectionAttemptsTimesOut() throws IOException {
    // A listening socket whose accept queue is full: Linux drops further connection attempts,
    // as a firewall that drops packets does.
    try (java.net.ServerSocket full =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      List<java.net.Socket> queued = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          java.net.Socket s = new java.net.Socket();
          queued.add(s);
          try {
            s.connect(full.getLocalSocketAddress(), 300);
          } catch (IOException queueFull) {
            break;
          }
        }
        String host = "127.0.0.1:" + full.getLocalPort();
        RegistryOptions options =
            RegistryOptions.defaults()
                .withRetry(new RetryPolicy(4, Duration.ZERO, Duration.ZERO, Duration.ZERO))
                .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5));
        try (Registry r = Registry.open(host, options)) {
          assertThatThrownBy(() -> r.manifest("test/app", "1"))
              .isInstanceOfSatisfying(
                  CairnException.class,
                  e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
              .hasMessage(
                  "fetching manifest 1 of test/app from "
                      + host
                      + ": connecting timed out after 300 ms");
        }
      } finally {
        for (java.net.Socket s : queued) {
          s.close();
        }
      }
    }
  }
}
