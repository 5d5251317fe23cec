package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upload against a registry that answers in ways Distribution does not, or asks for chunks: what
 * goes on the wire (chunk ranges, a file handed to the kernel) and which answers end the upload.
 * Each repository's name says how the registry behaves for it.
 */
class UploadAnswersTest {
  static final String BASIC =
      "Basic "
          + java.util.Base64.getEncoder()
              .encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
  static ScriptedRegistry server;
  static final RegistryOptions OPTIONS =
      RegistryOptions.defaults()
          .withRetry(new RetryPolicy(2, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(3)));

  @BeforeAll
  static void start() throws IOException {
    server = ScriptedRegistry.start(UploadAnswersTest::answer);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void forget() {
    server.requests.clear();
  }

  static String host() {
    return server.host();
  }

  /** The requests the registry took, leaving out those it asked to authenticate. */
  static List<ScriptedRegistry.Request> seen() {
    return server.requests.stream().filter(UploadAnswersTest::authorized).toList();
  }

  private static boolean authorized(ScriptedRegistry.Request r) {
    return !r.repository().equals("guarded") || BASIC.equals(r.header("Authorization"));
  }

  private static void answer(HttpExchange ex) throws IOException {
    ScriptedRegistry.Request request = ScriptedRegistry.request(ex);
    String repository = request.repository();
    String contentRange = request.header("Content-Range");
    var h = ex.getResponseHeaders();
    if (!authorized(request)) {
      h.set("WWW-Authenticate", "Basic realm=\"registry\"");
      error(ex, 401);
      return;
    }
    String session = "/v2/" + repository + "/blobs/uploads/s" + seen().size() + "?_state=x";
    switch (request.method()) {
      case "POST" -> {
        if (!repository.equals("nolocation")) {
          h.set("Location", session);
        }
        if (repository.contains("chunked")) {
          h.set("OCI-Chunk-Min-Length", "1");
        }
        ex.sendResponseHeaders(repository.equals("post200") ? 200 : 202, -1);
      }
      case "PATCH" -> {
        if (repository.endsWith("patch400")) {
          error(ex, 400);
        } else if (repository.endsWith("busy")) {
          error(ex, 500);
        } else if (repository.endsWith("refused")) {
          ex.sendResponseHeaders(416, -1);
        } else {
          h.set("Location", session);
          long end =
              contentRange == null
                  ? request.size() - 1
                  : Long.parseLong(contentRange.substring(contentRange.indexOf('-') + 1));
          if (repository.endsWith("short")) {
            end--;
          }
          if (!repository.endsWith("norange")) {
            h.set("Range", "0-" + end);
          }
          ex.sendResponseHeaders(repository.startsWith("other2xx") ? 204 : 202, -1);
        }
      }
      case "GET" -> {
        if (repository.contains("statuslost")) {
          error(ex, 404);
        } else {
          ex.sendResponseHeaders(204, -1); // no Range: the session holds nothing
        }
      }
      case "PUT" -> {
        if (repository.equals("put400")) {
          error(ex, 400);
        } else {
          ex.sendResponseHeaders(repository.startsWith("other2xx") ? 200 : 201, -1);
        }
      }
      default -> error(ex, 405);
    }
  }

  private static void error(HttpExchange ex, int status) throws IOException {
    byte[] b =
        "{\"errors\":[{\"code\":\"BLOB_UPLOAD_INVALID\",\"message\":\"no\"}]}"
            .getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  /** Counts what the upload says it sent, and its restarts. */
  static final class Listener implements UploadListener {
    final AtomicLong sent = new AtomicLong();
    final List<String> restarts = new ArrayList<>();

    @Override
    public void sent(long bytes) {
      sent.addAndGet(bytes);
    }

    @Override
    public void restarting(String reason) {
      restarts.add(reason);
    }
  }

  static UploadedBlob upload(String repository, BlobSource source, UploadListener listener)
      throws IOException {
    try (Registry r = Registry.open(host(), OPTIONS)) {
      return r.uploadBlob(repository, source, listener);
    }
  }

  static List<String> requests(String method) {
    return seen().stream()
        .filter(s -> s.method().equals(method))
        .map(s -> String.valueOf(s.header("Content-Range")))
        .toList();
  }

  static String what(String repository) {
    return "uploading a blob to " + repository + " on " + host();
  }

  @Test
  void aBlobLongerThanOneChunkGoesInChunksWithTheirRanges() throws IOException {
    byte[] blob = new byte[ChunkedUpload.MIN_CHUNK + 10];
    new java.util.Random(7).nextBytes(blob);
    var listener = new Listener();
    UploadedBlob done = upload("chunked", BlobSource.of(blob), listener);
    assertThat(done).isEqualTo(new UploadedBlob(Digest.sha256(blob), blob.length));
    assertThat(requests("PATCH")).containsExactly("0-8388607", "8388608-8388617");
    assertThat(listener.sent).hasValue(blob.length);
  }

  @Test
  void anEmptyBlobInChunksSendsNoChunkAtAll() throws IOException {
    UploadedBlob done = upload("chunked", BlobSource.of(new byte[0]), UploadListener.NONE);
    assertThat(done).isEqualTo(new UploadedBlob(Digest.sha256(new byte[0]), 0));
    assertThat(requests("PATCH")).isEmpty();
    assertThat(requests("PUT")).hasSize(1);
  }

  @Test
  void aChunkAnswerWithoutRangeIsTakenAsItIs() throws IOException {
    byte[] blob = "abc".getBytes(StandardCharsets.UTF_8);
    assertThat(upload("chunked-norange", BlobSource.of(blob), UploadListener.NONE).size())
        .isEqualTo(3);
  }

  @Test
  void aRegistryHoldingFewerBytesThanSentStartsTheUploadOver() {
    var listener = new Listener();
    assertThatThrownBy(() -> upload("chunked-short", BlobSource.of(new byte[3]), listener))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
        .hasMessage(
            what("chunked-short") + ": the registry holds bytes 0-1 of the upload, not 0-2");
    assertThat(listener.restarts).hasSize(1);
    assertThat(requests("POST")).hasSize(2);
  }

  @Test
  void aChunkRefusedTwiceThatTheSessionNeverTookEndsTheAttempt() {
    assertThatThrownBy(
            () -> upload("chunked-refused", BlobSource.of(new byte[3]), UploadListener.NONE))
        .hasMessage(what("chunked-refused") + ": the registry refused bytes 0-2 and holds 0");
    assertThat(seen().stream().map(ScriptedRegistry.Request::method).toList())
        .containsExactly(
            "POST", "PATCH", "GET", "PATCH", "GET", "POST", "PATCH", "GET", "PATCH", "GET");
  }

  @Test
  void aSessionWhoseStatusCannotBeReadEndsTheUpload() {
    assertThatThrownBy(
            () ->
                upload(
                    "chunked-statuslost-refused", BlobSource.of(new byte[3]), UploadListener.NONE))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND))
        .hasMessage(what("chunked-statuslost-refused") + ": BLOB_UPLOAD_INVALID: no");
    assertThat(requests("PATCH")).hasSize(1);
    assertThat(requests("PUT")).isEmpty();
  }

  @Test
  void aRefusedChunkEndsTheUpload() {
    assertThatThrownBy(
            () -> upload("chunked-patch400", BlobSource.of(new byte[3]), UploadListener.NONE))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage(what("chunked-patch400") + ": BLOB_UPLOAD_INVALID: no");
    assertThat(requests("PUT")).isEmpty();
  }

  @Test
  void aRefusedPatchEndsTheUpload() {
    assertThatThrownBy(() -> upload("patch400", BlobSource.of(new byte[3]), UploadListener.NONE))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage(what("patch400") + ": BLOB_UPLOAD_INVALID: no");
    assertThat(requests("PUT")).isEmpty();
  }

  @Test
  void aRefusedPutEndsTheUpload() {
    assertThatThrownBy(() -> upload("put400", BlobSource.of(new byte[3]), UploadListener.NONE))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage(what("put400") + ": BLOB_UPLOAD_INVALID: no");
  }

  @ParameterizedTest
  @ValueSource(strings = {"other2xx", "other2xx-chunked"})
  void aPatchAnswered204AndAPutAnswered200SucceedAsDockersClientTakesAny2xx(String repository)
      throws IOException {
    byte[] blob = "some bytes".getBytes(StandardCharsets.UTF_8);
    UploadedBlob done = upload(repository, BlobSource.of(blob), UploadListener.NONE);
    assertThat(done).isEqualTo(new UploadedBlob(Digest.sha256(blob), blob.length));
    assertThat(requests("PUT")).hasSize(1);
  }

  @Test
  void aSessionOpenedWithAnythingButTwoHundredTwoIsRefusedAsDockerRefusesIt() {
    assertThatThrownBy(() -> upload("post200", BlobSource.of(new byte[3]), UploadListener.NONE))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage(what("post200") + ": expected 202 from the registry, got 200");
    assertThat(requests("PATCH")).isEmpty();
  }

  @Test
  void aBusyRegistryGetsAsManyAttemptsAsThePolicyAllowsAndNoMore() {
    var listener = new Listener();
    assertThatThrownBy(() -> upload("busy", BlobSource.of(new byte[3]), listener))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE));
    assertThat(requests("POST")).hasSize(2);
    assertThat(requests("PATCH")).hasSize(2);
    assertThat(listener.restarts).hasSize(1);
  }

  @Test
  void aFileOfKnownDigestIsSentOnAConnectionOfItsOwn(@TempDir Path dir) throws IOException {
    byte[] blob = "a file the kernel sends".getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("blob"), blob);
    var listener = new Listener();
    UploadedBlob done = upload("plain", BlobSource.of(file, Digest.sha256(blob)), listener);
    assertThat(done).isEqualTo(new UploadedBlob(Digest.sha256(blob), blob.length));
    assertThat(seen())
        .filteredOn(s -> s.method().equals("PATCH"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.header("Connection")).isEqualTo("close");
              assertThat(s.size()).isEqualTo((long) blob.length);
            });
    assertThat(listener.sent).hasValue(blob.length);
  }

  @Test
  void bytesInMemoryAreStreamedByTheClient() throws IOException {
    byte[] blob = "bytes the client streams".getBytes(StandardCharsets.UTF_8);
    var listener = new Listener();
    upload("plain", BlobSource.of(blob), listener);
    assertThat(seen())
        .filteredOn(s -> s.method().equals("PATCH"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.header("Connection")).isNotEqualTo("close");
              assertThat(s.size()).isEqualTo((long) blob.length);
            });
    assertThat(listener.sent).hasValue(blob.length);
  }

  @Test
  void aSourceSaysWhatItKnowsOfItsBytes(@TempDir Path dir) throws IOException {
    byte[] blob = {1, 2, 3};
    Digest d = Digest.sha256(blob);
    assertThat(BlobSource.of(blob).digest()).contains(d);
    assertThat(BlobSource.of(blob).file()).isEmpty();
    Path file = Files.write(dir.resolve("blob"), blob);
    assertThat(BlobSource.of(file, d).digest()).contains(d);
    assertThat(BlobSource.of(file, d).file()).contains(file);
  }

  @Test
  void aSessionWithoutLocationIsRefused() {
    assertThatThrownBy(() -> upload("nolocation", BlobSource.of(new byte[3]), UploadListener.NONE))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage(what("nolocation") + ": the upload answer has no Location");
  }

  @Test
  void aFileSentByTheKernelCarriesTheCredentials(@TempDir Path dir) throws IOException {
    byte[] blob = "a file for a registry with a password".getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("blob"), blob);
    RegistryOptions options =
        OPTIONS.withCredentials(CredentialSource.of(host(), Credentials.basic("alice", "secret")));
    try (Registry r = Registry.open(host(), options)) {
      r.uploadBlob("guarded", BlobSource.of(file, Digest.sha256(blob)), UploadListener.NONE);
    }
    assertThat(seen())
        .filteredOn(s -> s.method().equals("PATCH"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.header("Connection")).isEqualTo("close");
              assertThat(s.header("Authorization")).isEqualTo(BASIC);
            });
  }
}
