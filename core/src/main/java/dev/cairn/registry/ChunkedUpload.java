package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.digest.DigestingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A blob sent in chunks, for a registry that asks for them ({@code OCI-Chunk-Min-Length} on the
 * answer that opened the session): one PATCH per chunk with its {@code Content-Range}, each to the
 * Location the previous answer gave, the {@code Range} the registry answers checked. A chunk the
 * registry refuses with 416 is sent again when the session shows it never took it; any other
 * disagreement starts the upload over. One chunk is held in memory: the size asked for, at least 8
 * MiB, at most 64 MiB. A registry asking for more, or saying something that is no size, gets the
 * whole blob in one streamed PATCH, a single chunk any minimum allows.
 */
final class ChunkedUpload {
  static final int MIN_CHUNK = 8 << 20;
  static final int MAX_CHUNK = 64 << 20;

  private ChunkedUpload() {}

  /** Where a chunked upload ended: the session to close, and what was sent. */
  record Sent(URI session, Digest digest, long size) {}

  /** The chunk size for the session {@code r} opened, or 0 for one streamed PATCH. */
  static int chunkSize(HttpResponse<?> r) {
    Optional<String> asked = r.headers().firstValue("OCI-Chunk-Min-Length");
    if (asked.isEmpty()) {
      return 0;
    }
    long n;
    try {
      n = Long.parseLong(asked.get().strip());
    } catch (NumberFormatException e) {
      return 0;
    }
    return n <= 0 || n > MAX_CHUNK ? 0 : (int) Math.max(n, MIN_CHUNK);
  }

  static Sent send(
      BlobUpload upload,
      URI session,
      String scope,
      String what,
      BlobSource source,
      UploadListener listener,
      int chunkSize)
      throws IOException {
    byte[] chunk = new byte[chunkSize];
    long offset = 0;
    try (DigestingInputStream in =
        new DigestingInputStream(source.open(), Digest.Algorithm.SHA256)) {
      while (true) {
        int n = in.readNBytes(chunk, 0, chunkSize);
        if (n > 0) {
          session = patch(upload, session, scope, what, chunk, n, offset);
          offset += n;
          listener.sent(n);
        }
        if (n < chunkSize) {
          break;
        }
      }
      return new Sent(session, in.digest(), offset);
    }
  }

  /** Sends one chunk at {@code offset}; returns the Location to send the next to. */
  private static URI patch(
      BlobUpload upload, URI session, String scope, String what, byte[] chunk, int n, long offset)
      throws IOException {
    long last = offset + n - 1;
    Map<String, String> headers =
        Map.of("Content-Type", BlobUpload.OCTETS, "Content-Range", offset + "-" + last);
    for (int tries = 1; ; tries++) {
      HttpResponse<InputStream> r =
          upload.send(
              "PATCH",
              session,
              scope,
              what,
              headers,
              HttpRequest.BodyPublishers.ofByteArray(chunk, 0, n));
      if (r.statusCode() == 416) {
        Transport.discard(r);
        long held = held(upload, session, scope, what);
        if (held == offset && tries == 1) {
          continue; // the registry never took this chunk: it may
        }
        throw new CairnException(
            CairnException.Kind.UNAVAILABLE,
            what + ": the registry refused bytes " + offset + "-" + last + " and holds " + held);
      }
      upload.expectSuccess(r, what);
      OptionalLong end = end(r, what);
      if (end.isPresent() && end.getAsLong() != last) {
        throw new CairnException(
            CairnException.Kind.UNAVAILABLE,
            what
                + ": the registry holds bytes 0-"
                + end.getAsLong()
                + " of the upload, not 0-"
                + last);
      }
      return BlobUpload.location(r, what);
    }
  }

  /** How many bytes the session holds, as a GET of it says. */
  private static long held(BlobUpload upload, URI session, String scope, String what)
      throws IOException {
    HttpResponse<InputStream> r = upload.send("GET", session, scope, what, Map.of(), null);
    upload.expect(r, 204, what);
    return end(r, what).orElse(-1) + 1;
  }

  /** The last byte a {@code Range: 0-N} answer says the session holds; empty when it says none. */
  private static OptionalLong end(HttpResponse<InputStream> r, String what) {
    Optional<String> header = r.headers().firstValue("Range");
    if (header.isEmpty()) {
      return OptionalLong.empty();
    }
    String range = header.get().strip();
    if (range.startsWith("bytes=")) {
      range = range.substring("bytes=".length()); // as the spec's examples write it
    }
    int dash = range.indexOf('-');
    try {
      if (dash > 0 && Long.parseLong(range.substring(0, dash)) == 0) {
        return OptionalLong.of(Long.parseLong(range.substring(dash + 1)));
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw CairnException.invalid(
        what + ": the registry answered Range " + CairnException.quote(header.get()));
  }
}
