package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rules an upload follows before it sends a byte: how it sends a file, what chunks it makes.
 */
class UploadPartsTest {
  static ScriptedRegistry server;
  static final HttpClient client = HttpClient.newHttpClient();

  /** Answers with the {@code OCI-Chunk-Min-Length} the query names, if any. */
  @BeforeAll
  static void start() throws IOException {
    server =
        ScriptedRegistry.start(
            ex -> {
              String q = ex.getRequestURI().getQuery();
              if (q != null) {
                ex.getResponseHeaders().set("OCI-Chunk-Min-Length", q.substring("n=".length()));
              }
              ex.sendResponseHeaders(202, -1);
            });
  }

  @AfterAll
  static void stop() {
    server.close();
    client.close();
  }

  static int chunkSizeFor(String asked) throws IOException, InterruptedException {
    String q = asked == null ? "" : "?n=" + URLEncoder.encode(asked, StandardCharsets.UTF_8);
    URI uri = URI.create("http://" + server.host() + "/" + q);
    var r =
        client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    return ChunkedUpload.chunkSize(r);
  }

  @ParameterizedTest(name = "asked for {0}: {1}")
  @CsvSource({
    "1, 8388608",
    "8388608, 8388608",
    "10000000, 10000000",
    "67108864, 67108864",
    "67108865, 0",
    "0, 0",
    "-1, 0",
    "8M, 0",
    "99999999999999999999, 0"
  })
  void aChunkIsWhatTheRegistryAsksWithinEightAndSixtyFourMebibytesElseTheWholeBlob(
      String asked, int size) throws Exception {
    assertThat(chunkSizeFor(asked)).isEqualTo(size);
  }

  @Test
  void aRegistryThatAsksNothingGetsTheWholeBlobInOnePatch() throws Exception {
    assertThat(chunkSizeFor(null)).isZero();
  }

  @ParameterizedTest(name = "{0} to {1}: {2}")
  @CsvSource({
    "http://reg:5000/v2/a/blobs/uploads/1, http://reg:5000/, true",
    "http://REG:5000/v2/a/blobs/uploads/1?_state=x, http://reg:5000/, true",
    "https://reg:5000/v2/a/blobs/uploads/1, https://reg:5000/, false",
    "http://store:5000/v2/a/blobs/uploads/1, http://reg:5000/, false",
    "http://reg:5001/v2/a/blobs/uploads/1, http://reg:5000/, false",
    "http://reg/v2/a/blobs/uploads/1, http://reg:80/, true"
  })
  void aFileIsHandedToTheKernelOnlyOverPlainHttpToTheRegistryItself(
      String session, String base, boolean applies) {
    assertThat(FilePatch.applies(URI.create(session), URI.create(base))).isEqualTo(applies);
  }
}
