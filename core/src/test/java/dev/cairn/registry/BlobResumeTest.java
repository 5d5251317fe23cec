package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A blob download cut after its first half asks again with {@code Range} and goes on only when the
 * {@code Content-Range} of the 206 says the bytes start where the reader is (and, when both sides
 * know it, that the blob has the size expected); any other 2xx is an error, not a blob.
 */
class BlobResumeTest {
  static final byte[] BLOB = {(byte) 0xff, 1, 2, 3, (byte) 0x80, 5, 6, 7, 8, 9};
  static final Digest DIGEST = Digest.sha256(BLOB);
  static final int CUT = 5;

  /** The Content-Range each repository answers a resumed download with. */
  static final Map<String, String> RANGES =
      Map.of(
          "total", "bytes 5-9/10",
          "star", "bytes 5-9/*",
          "nototal", "bytes 5-9",
          "padded", " bytes 5 - 9 / 10 ",
          "wrongtotal", "bytes 5-9/11",
          "wrongstart", "bytes 4-9/10",
          "items", "items 5-9/10",
          "nonumber", "bytes x-9/10",
          "badtotal", "bytes 5-9/ten");

  static ScriptedRegistry server;
  static final RegistryOptions OPTIONS =
      RegistryOptions.defaults().withRetry(new RetryPolicy(3, Duration.ZERO, Duration.ZERO));

  @BeforeAll
  static void start() throws IOException {
    server = ScriptedRegistry.start(BlobResumeTest::answer);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String host() {
    return server.host();
  }

  private static void answer(HttpExchange ex) throws IOException {
    String repository = ScriptedRegistry.request(ex).repository();
    String range = ex.getRequestHeaders().getFirst("Range");
    if (repository.equals("unasked206") || repository.equals("nocontent")) {
      ex.sendResponseHeaders(repository.equals("nocontent") ? 204 : 206, -1);
    } else if (range == null) {
      ScriptedRegistry.cut(ex, 200, BLOB, CUT);
    } else {
      assertThat(range).isEqualTo("bytes=" + CUT + "-");
      ex.getResponseHeaders().set("Content-Range", RANGES.get(repository));
      ex.sendResponseHeaders(206, BLOB.length - CUT);
      ex.getResponseBody().write(BLOB, CUT, BLOB.length - CUT);
    }
  }

  static String what(String repository) {
    return "fetching blob " + DIGEST + " of " + repository + " from " + host();
  }

  @ParameterizedTest(name = "{0}, size {1}")
  @CsvSource({
    "total, 10",
    "star, 10",
    "nototal, 10",
    "padded, 10",
    "total, -1",
    "wrongtotal, -1",
  })
  void aRangeStartingWhereTheReaderIsGoesOn(String repository, long size) throws IOException {
    try (Registry r = Registry.open(host(), OPTIONS);
        InputStream in = r.blob(repository, DIGEST, size)) {
      assertThat(in.readAllBytes()).isEqualTo(BLOB);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"wrongtotal", "wrongstart", "items", "nonumber", "badtotal"})
  void anyOtherRangeIsRefusedNamingIt(String repository) throws IOException {
    try (Registry r = Registry.open(host(), OPTIONS);
        InputStream in = r.blob(repository, DIGEST, BLOB.length)) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessage(
              what(repository)
                  + ": asked for bytes from 5, got Content-Range \""
                  + RANGES.get(repository)
                  + "\"");
    }
  }

  @ParameterizedTest(name = "HTTP {1}")
  @CsvSource({"unasked206, 206", "nocontent, 204"})
  void anotherSuccessThanTheWholeBlobIsRefused(String repository, int status) throws IOException {
    try (Registry r = Registry.open(host(), OPTIONS)) {
      assertThatThrownBy(() -> r.blob(repository, DIGEST, BLOB.length))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessage(what(repository) + ": unexpected HTTP " + status);
    }
  }

  @Test
  void aCutWithNoRetryAllowedFailsWithoutCountingAttempts() throws IOException {
    try (Registry r = Registry.open(host(), OPTIONS.withRetry(RetryPolicy.none()));
        InputStream in = r.blob("total", DIGEST, BLOB.length)) {
      assertThatThrownBy(in::readAllBytes)
          .hasMessageStartingWith(what("total"))
          .hasMessageNotContaining("gave up");
    }
  }

  /** The raw stream, below the digest check: what a reader of it sees byte by byte. */
  BlobInputStream raw(String repository, long size, List<Long> resumed) throws IOException {
    Transport t = new Transport(host(), host(), OPTIONS);
    var call =
        new Transport.Call(
            "GET",
            t.base().resolve("/v2/" + repository + "/blobs/" + DIGEST),
            List.of(),
            Map.of(),
            RegistryOperation.pullScope(repository),
            what(repository));
    var in = new BlobInputStream(t, call, size, OPTIONS.retry(), (at, why) -> resumed.add(at));
    in.start();
    return in;
  }

  @Test
  void oneByteReadsGiveEachByteUnsignedAcrossTheCutThenTheEndEveryTime() throws IOException {
    var resumed = new ArrayList<Long>();
    try (var in = raw("total", BLOB.length, resumed)) {
      int[] got = new int[BLOB.length];
      for (int i = 0; i < got.length; i++) {
        got[i] = in.read();
      }
      assertThat(got).containsExactly(0xff, 1, 2, 3, 0x80, 5, 6, 7, 8, 9);
      byte[] b = new byte[4];
      assertThat(in.read(b, 0, 4)).isEqualTo(-1);
      assertThat(in.read(b, 0, 4)).isEqualTo(-1);
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(resumed).containsExactly((long) CUT);
  }

  @Test
  void aClosedStreamRefusesToBeRead() throws IOException {
    var in = raw("total", BLOB.length, new ArrayList<>());
    in.close();
    assertThatThrownBy(in::read)
        .isExactlyInstanceOf(IOException.class)
        .hasMessage(what("total") + ": stream closed");
  }

  @Test
  void aBlobReadInOneGoIsTheBlob() throws IOException {
    try (var in = raw("total", BLOB.length, new ArrayList<>())) {
      assertThat(in.readAllBytes()).isEqualTo(BLOB);
    }
  }
}
