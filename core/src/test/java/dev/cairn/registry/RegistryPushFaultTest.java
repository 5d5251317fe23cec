package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads through a misbehaving proxy, and with a token that expires: each completes. */
class RegistryPushFaultTest {
  @TempDir static Path temp;
  static RegistryServer server;
  static FaultProxy proxy;
  static Registry registry;
  static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(20));

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    proxy = new FaultProxy(server.host());
    registry = Registry.open(proxy.host(), RegistryOptions.defaults().withRetry(FAST));
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void clean() {
    proxy.reset();
  }

  static byte[] noise(int seed) {
    byte[] b = new byte[256 * 1024];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Counts how often the upload opened its bytes. */
  static BlobSource counted(byte[] b, AtomicInteger opened) {
    return () -> {
      opened.incrementAndGet();
      return new java.io.ByteArrayInputStream(b);
    };
  }

  long requests(String method, String fragment) {
    return proxy.seen.stream()
        .filter(s -> s.method().equals(method) && s.path().contains(fragment))
        .count();
  }

  @Test
  void aConnectionResetMidPatchRestartsWithANewSessionAndCompletes() throws IOException {
    byte[] b = noise(1);
    proxy.plan("PATCH /v2/faults/reset/blobs/uploads/", FaultProxy.Fault.RESET_IN_BODY);
    AtomicInteger opened = new AtomicInteger();
    List<String> restarts = new java.util.concurrent.CopyOnWriteArrayList<>();

    UploadedBlob up =
        registry.uploadBlob(
            "faults/reset",
            counted(b, opened),
            new UploadListener() {
              @Override
              public void restarting(String reason) {
                restarts.add(reason);
              }
            });

    assertThat(up).isEqualTo(new UploadedBlob(Digest.sha256(b), b.length));
    assertThat(requests("POST", "/v2/faults/reset/blobs/uploads/")).isEqualTo(2);
    assertThat(opened.get()).isEqualTo(2);
    assertThat(restarts).hasSize(1);
    try (InputStream in = registry.blob("faults/reset", up.digest(), b.length)) {
      assertThat(in.readAllBytes()).isEqualTo(b);
    }
  }

  @Test
  void aFailedPutWithTheDigestIsTriedAgain() throws IOException {
    byte[] b = noise(2);
    proxy.plan("PUT /v2/faults/put/blobs/uploads/", FaultProxy.Fault.STATUS_500);

    UploadedBlob up = registry.uploadBlob("faults/put", BlobSource.of(b), UploadListener.NONE);

    assertThat(up.digest()).isEqualTo(Digest.sha256(b));
    assertThat(requests("PUT", "/v2/faults/put/blobs/uploads/")).isEqualTo(2);
    assertThat(requests("PATCH", "/v2/faults/put/blobs/uploads/")).isEqualTo(1);
  }

  @Test
  void theUploadSessionLocationKeepsItsQueryAndTheDigestIsAppendedToIt() throws IOException {
    byte[] b = noise(3);
    registry.uploadBlob("faults/query", BlobSource.of(b), UploadListener.NONE);
    // distribution answers Locations carrying ?_state=...; the PUT must keep it and add &digest=
    assertThat(registry.blobSize("faults/query", Digest.sha256(b))).hasValue(b.length);
    assertThat(proxy.seen)
        .filteredOn(s -> s.method().equals("PUT"))
        .singleElement()
        .satisfies(s -> assertThat(s.path()).contains("/blobs/uploads/"));
  }

  /** What runs against a registry behind a token server, as alice. */
  @FunctionalInterface
  interface WithTokens {
    void run(TokenServer tokens, Registry registry) throws Exception;
  }

  /** Starts a registry that asks a token server (which knows alice) and runs {@code test} on it. */
  static void withTokens(String name, WithTokens test) throws Exception {
    Path dir = Files.createTempDirectory(temp, name);
    try (TokenServer tokens = new TokenServer("alice", "secret");
        RegistryServer reg =
            RegistryServer.start(dir.resolve("storage"), dir, tokens.registryAuth(dir))) {
      Path ca = Files.writeString(dir.resolve("ca.pem"), tokens.certificatePem());
      RegistryOptions options =
          RegistryOptions.defaults()
              .withCaCertificates(List.of(ca))
              .withCredentials(
                  CredentialSource.of(reg.host(), Credentials.basic("alice", "secret")));
      try (Registry r = Registry.open(reg.host(), options)) {
        test.run(tokens, r);
      }
    }
  }

  @Test
  void anExpiredTokenMidPushIsRefreshedOnceWithPushScope() throws Exception {
    withTokens(
        "token",
        (tokens, r) -> {
          byte[] b = noise(4);
          Digest first = r.uploadBlob("auth/app", BlobSource.of(b), UploadListener.NONE).digest();
          int before = tokens.issued();
          tokens.issueExpired(1);
          // the cached push token is still good, so force a new one that comes back expired
          r.authenticator().forgetTokens();
          byte[] c = noise(5);
          UploadedBlob up = r.uploadBlob("auth/app", BlobSource.of(c), UploadListener.NONE);

          assertThat(up.digest()).isEqualTo(Digest.sha256(c));
          // the expired token the registry refused, and its one replacement
          assertThat(tokens.issued() - before).isEqualTo(2);
          assertThat(r.blobSize("auth/app", first)).isEqualTo(OptionalLong.of(b.length));
          assertThat(tokens.scopesAsked).contains("repository:auth/app:pull,push");
        });
  }

  @Test
  void aMountOnATokenRegistryAsksPushOnTheTargetAndPullOnTheSource() throws Exception {
    withTokens(
        "mount",
        (tokens, r) -> {
          byte[] b = noise(6);
          Digest d = r.uploadBlob("auth/from", BlobSource.of(b), UploadListener.NONE).digest();

          assertThat(r.mountBlob("auth/to", d, "auth/from")).isTrue();
          assertThat(r.blobSize("auth/to", d)).isEqualTo(OptionalLong.of(b.length));
          assertThat(tokens.scopesAsked)
              .contains("repository:auth/to:pull,push", "repository:auth/from:pull");
        });
  }

  /** Bytes that do not compress, {@code mib} MiB of them. */
  static byte[] noiseMiB(int seed, int mib) {
    byte[] b = new byte[mib << 20];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  List<FaultProxy.Seen> patches(String repository) {
    return proxy.seen.stream()
        .filter(
            s ->
                s.method().equals("PATCH")
                    && s.path().startsWith("/v2/" + repository + "/blobs/uploads/"))
        .toList();
  }

  @Test
  void aRegistryThatAsksForChunksGetsContiguousOnesOfAtLeastItsMinimum() throws IOException {
    byte[] b = noiseMiB(7, 20);
    proxy.chunkMinLength("1048576");

    UploadedBlob up = registry.uploadBlob("chunks/ok", BlobSource.of(b), UploadListener.NONE);

    assertThat(up).isEqualTo(new UploadedBlob(Digest.sha256(b), b.length));
    // 8 MiB at least, whatever smaller minimum is asked; the last may be shorter
    assertThat(patches("chunks/ok"))
        .extracting(FaultProxy.Seen::contentRange, FaultProxy.Seen::length)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("0-8388607", 8388608L),
            org.assertj.core.groups.Tuple.tuple("8388608-16777215", 8388608L),
            org.assertj.core.groups.Tuple.tuple("16777216-20971519", 4194304L));
    try (InputStream in = registry.blob("chunks/ok", up.digest(), b.length)) {
      assertThat(in.readAllBytes()).isEqualTo(b);
    }
  }

  @Test
  void aMinimumThatIsNoSizeOrTooLargeToHoldGetsOneStreamedPatch() throws IOException {
    for (String asked : List.of("lots", "-5", Long.toString(1L << 40))) {
      proxy.reset();
      proxy.chunkMinLength(asked);
      byte[] b = noise(8);
      String repo = "chunks/whole" + Math.abs(asked.hashCode());

      registry.uploadBlob(repo, BlobSource.of(b), UploadListener.NONE);

      assertThat(patches(repo))
          .as(asked)
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.contentRange()).isNull();
                assertThat(s.length()).isEqualTo(b.length);
              });
    }
  }

  @Test
  void aChunkTheRegistryRefusedWith416IsSentAgainFromWhereTheSessionStands() throws IOException {
    byte[] b = noiseMiB(9, 12);
    proxy.chunkMinLength("8388608");
    proxy.plan(
        "PATCH /v2/chunks/again/blobs/uploads/",
        FaultProxy.Fault.NONE,
        FaultProxy.Fault.STATUS_416);

    UploadedBlob up = registry.uploadBlob("chunks/again", BlobSource.of(b), UploadListener.NONE);

    assertThat(up.digest()).isEqualTo(Digest.sha256(b));
    assertThat(patches("chunks/again"))
        .extracting(FaultProxy.Seen::contentRange)
        .containsExactly("0-8388607", "8388608-12582911", "8388608-12582911");
    assertThat(requests("POST", "/v2/chunks/again/blobs/uploads/")).isEqualTo(1);
    try (InputStream in = registry.blob("chunks/again", up.digest(), b.length)) {
      assertThat(in.readAllBytes()).isEqualTo(b);
    }
  }

  @Test
  void aKeptFileGoesByTheKernelAndAFailureThereStartsOverOnTheOrdinaryPath(@TempDir Path dir)
      throws IOException {
    byte[] b = noise(10);
    Path file = Files.write(dir.resolve("blob"), b);
    Digest d = Digest.sha256(b);

    UploadedBlob up = registry.uploadBlob("file/ok", BlobSource.of(file, d), UploadListener.NONE);
    assertThat(up).isEqualTo(new UploadedBlob(d, b.length));
    assertThat(patches("file/ok"))
        .singleElement()
        .satisfies(s -> assertThat(s.length()).isEqualTo(b.length));

    proxy.plan("PATCH /v2/file/again/blobs/uploads/", FaultProxy.Fault.STATUS_500);
    List<String> restarts = new java.util.concurrent.CopyOnWriteArrayList<>();
    UploadedBlob again =
        registry.uploadBlob(
            "file/again",
            BlobSource.of(file, d),
            new UploadListener() {
              @Override
              public void restarting(String reason) {
                restarts.add(reason);
              }
            });
    assertThat(again.digest()).isEqualTo(d);
    assertThat(restarts).hasSize(1);
    assertThat(requests("POST", "/v2/file/again/blobs/uploads/")).isEqualTo(2);
    try (InputStream in = registry.blob("file/again", d, b.length)) {
      assertThat(in.readAllBytes()).isEqualTo(b);
    }
  }
}
