package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A blob's bytes from the registry, carrying on after a dropped connection: it asks again with
 * {@code Range: bytes=N-} and goes on when the answer is a 206 starting at N, or skips the first N
 * bytes of a full answer. Digest and size are checked by the verifying stream around it.
 */
final class BlobInputStream extends InputStream {
  private final Transport transport;
  private final Transport.Call call;
  private final long size;
  private final RetryPolicy retry;
  private final ResumeListener listener;
  private InputStream current;
  private URI currentUri;
  private long position;
  private int failures;
  private long streakStart = -1; // when the failures since the last byte began, or -1
  private boolean eof;
  private boolean closed;

  /**
   * @param size the descriptor's size, or -1 when unknown (a short answer then looks complete)
   */
  BlobInputStream(
      Transport transport,
      Transport.Call call,
      long size,
      RetryPolicy retry,
      ResumeListener listener) {
    this.transport = transport;
    this.call = call;
    this.size = size;
    this.retry = retry;
    this.listener = listener;
    this.currentUri = call.uri();
  }

  /** Opens the stream at once, so that a missing blob or a refusal shows before any read. */
  void start() throws IOException {
    current = open();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n == 1 ? one[0] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException(call.what() + ": stream closed");
    }
    if (eof) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    while (true) {
      try {
        if (current == null) {
          current = open();
        }
        int n = current.read(b, off, len);
        if (n > 0) {
          position += n;
          streakStart = -1;
          return n;
        }
        if (n < 0) {
          closeCurrent();
          if (size >= 0 && position < size) {
            throw new NetworkErrors.Cut(position, size);
          }
          eof = true;
          return -1;
        }
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        closeCurrent();
        failures++;
        if (streakStart < 0) {
          streakStart = System.nanoTime();
        }
        // Another try only while it can help: a second silence in a row without a byte between
        // them exhausts the time the policy allows, so a server that died fails in bounded time.
        Duration wait = retry.backoff(failures);
        if (!NetworkErrors.retryable(e) || !retry.allowsAnother(failures, streakStart, wait)) {
          throw transport.failure(
              call.what(),
              currentUri,
              e,
              failures > 1 ? " (gave up after " + failures + " attempts)" : "");
        }
        listener.resuming(position, transport.reason(currentUri, e));
        Transport.pause(wait);
      }
    }
  }

  private InputStream open() throws IOException {
    Map<String, String> headers =
        position > 0 ? Map.of("Range", "bytes=" + position + "-") : Map.of();
    Transport.Call c =
        new Transport.Call(
            call.method(), call.uri(), List.of(), headers, call.scope(), call.what());
    HttpResponse<InputStream> r = transport.send(c);
    currentUri = r.uri();
    int status = r.statusCode();
    if (status == 200) {
      InputStream in = r.body();
      if (position > 0) {
        // the server ignored Range: drop what the reader already has
        in.skipNBytes(position);
      }
      return in;
    }
    if (status == 206 && position > 0) {
      String range = r.headers().firstValue("Content-Range").orElse("");
      if (!rangeMatches(range)) {
        Transport.discard(r);
        throw CairnException.invalid(
            call.what()
                + ": asked for bytes from "
                + position
                + ", got Content-Range \""
                + RegistryErrors.printable(range)
                + "\"");
      }
      return r.body();
    }
    if (status / 100 == 2) {
      Transport.discard(r);
      throw CairnException.invalid(call.what() + ": unexpected HTTP " + status);
    }
    throw RegistryErrors.of(r, call.what());
  }

  /** {@code bytes START-END/TOTAL} with START at our position and, when known, the right total. */
  private boolean rangeMatches(String header) {
    String h = header.trim();
    if (!h.startsWith("bytes ")) {
      return false;
    }
    String[] spec = h.substring(6).trim().split("/", 2);
    String[] bounds = spec[0].split("-", 2);
    try {
      long start = Long.parseLong(bounds[0].trim());
      boolean totalOk =
          size < 0
              || spec.length < 2
              || spec[1].trim().equals("*")
              || Long.parseLong(spec[1].trim()) == size;
      return start == position && totalOk;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void closeCurrent() {
    if (current != null) {
      try {
        current.close();
      } catch (IOException ignored) {
        // a broken connection is being dropped anyway
      }
      current = null;
    }
  }

  @Override
  public void close() {
    closed = true;
    closeCurrent();
  }
}
