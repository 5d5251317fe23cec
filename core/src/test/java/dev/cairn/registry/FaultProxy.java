package dev.cairn.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP proxy in front of a real registry that misbehaves on request: each planned {@link
 * Fault} is spent on the next request whose path contains the planned fragment. Requests under
 * {@code /redirected} (where {@link Fault#REDIRECT_OTHER_HOST} sends clients, under the name {@code
 * localhost}) are passed through untouched. Every request is recorded.
 */
public final class FaultProxy implements AutoCloseable {
  public enum Fault {
    /** Announces the whole body, sends half, then ends the exchange (the rest never comes). */
    DROP_MIDWAY,
    /** Answers with only the first half of the body, cleanly ended. */
    TRUNCATE,
    /** Flips one bit in the middle of the body. */
    CORRUPT_BYTE,
    /** Answers 500 with a non-JSON body. */
    STATUS_500,
    /** Answers 429 with Retry-After: 0. */
    STATUS_429,
    /** Ignores a Range header and sends the whole body with 200. */
    IGNORE_RANGE,
    /**
     * Announces the whole body, sends half, then holds the exchange open until {@link #release} (a
     * download caught in the middle, for tests that interrupt or kill it).
     */
    STALL_MIDWAY,
    /** Sends no answer at all, holding the exchange open until {@link #release}. */
    NO_ANSWER,
    /** Announces the whole body and sends none of it, holding the exchange open until release. */
    SILENT_BODY,
    /** Announces the whole body and sends it one byte every 20 ms. */
    TRICKLE,
    /** Redirects (307) to the same path on host name localhost, under /redirected. */
    REDIRECT_OTHER_HOST,
    /** Redirects (307) to the very same URL. */
    REDIRECT_SELF,
    /** Reads part of the request body, then drops the connection without an answer. */
    RESET_IN_BODY,
    /** Answers 416 Range Not Satisfiable, forwarding nothing. */
    STATUS_416,
    /** Passes the request through (to aim the faults after it at later requests). */
    NONE
  }

  /** One request as the proxy saw it. */
  public record Seen(
      String method,
      String host,
      String path,
      String range,
      boolean authorization,
      String contentRange,
      long length) {}

  private final HttpServer server;
  private final HttpClient upstream = HttpClient.newHttpClient();
  private final String target;
  private final Deque<Object[]> plan = new ArrayDeque<>();
  private volatile boolean requireBasic;
  private final java.util.concurrent.Semaphore stalls = new java.util.concurrent.Semaphore(0);
  private volatile java.util.concurrent.CountDownLatch released =
      new java.util.concurrent.CountDownLatch(1);
  public final List<Seen> seen = new CopyOnWriteArrayList<>();

  private final java.util.concurrent.ExecutorService exchanges =
      java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

  public FaultProxy(String target) throws IOException {
    this.target = target;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    // One thread per exchange, as a registry serves: a stalled blob holds up no other request.
    server.setExecutor(exchanges);
    server.start();
  }

  public String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Spends {@code faults}, in order, on the next requests whose path, or method, space and path,
   * contains {@code fragment} ({@code "PATCH /v2/a/blobs/uploads/"}).
   */
  public synchronized void plan(String fragment, Fault... faults) {
    for (Fault f : faults) {
      plan.add(new Object[] {fragment, f});
    }
  }

  /** Demands some Basic credentials (any) on everything but /redirected. */
  public void requireBasic() {
    requireBasic = true;
  }

  /** Waits until a {@link Fault#STALL_MIDWAY} exchange has sent its first half. */
  public boolean awaitStall(java.time.Duration timeout) throws InterruptedException {
    return stalls.tryAcquire(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Ends the stalled exchanges: their connections drop with the body unfinished. */
  public void release() {
    java.util.concurrent.CountDownLatch old = released;
    released = new java.util.concurrent.CountDownLatch(1);
    old.countDown();
  }

  /**
   * Adds {@code OCI-Chunk-Min-Length: value} to the answers that open upload sessions (a registry
   * asking for chunks); null adds none.
   */
  public void chunkMinLength(String value) {
    chunkMinLength = value;
  }

  private volatile String chunkMinLength;

  public synchronized void reset() {
    chunkMinLength = null;
    release();
    stalls.drainPermits();
    plan.clear();
    seen.clear();
    requireBasic = false;
  }

  private synchronized Fault next(String method, String path) {
    for (Object[] p : plan) {
      if ((method + " " + path).contains((String) p[0])) {
        plan.remove(p);
        return (Fault) p[1];
      }
    }
    return null;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      String range = ex.getRequestHeaders().getFirst("Range");
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      boolean redirected = path.startsWith("/redirected/");
      boolean refused = !redirected && requireBasic && (auth == null || !auth.startsWith("Basic "));
      Fault fault = redirected || refused ? null : next(ex.getRequestMethod(), path);
      // Read whole, but for a connection to reset partway through its body.
      byte[] requestBody =
          fault == Fault.RESET_IN_BODY
              ? ex.getRequestBody().readNBytes(16)
              : ex.getRequestBody().readAllBytes();
      seen.add(
          new Seen(
              ex.getRequestMethod(),
              ex.getRequestHeaders().getFirst("Host"),
              path,
              range,
              auth != null,
              ex.getRequestHeaders().getFirst("Content-Range"),
              requestBody.length));
      if (redirected) {
        path = path.substring("/redirected".length());
      } else if (refused) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"proxy\"");
        send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"log in\"}]}");
        return;
      }
      String full = path + (query == null ? "" : "?" + query);
      if (fault == Fault.STATUS_500) {
        send(ex, 500, "<html>upstream exploded</html>");
        return;
      }
      if (fault == Fault.STATUS_429) {
        ex.getResponseHeaders().set("Retry-After", "0");
        send(ex, 429, "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}");
        return;
      }
      if (fault == Fault.RESET_IN_BODY) {
        // No answer: closing the exchange without one drops the connection.
        return;
      }
      if (fault == Fault.STATUS_416) {
        send(ex, 416, "{\"errors\":[{\"code\":\"BLOB_UPLOAD_INVALID\",\"message\":\"range\"}]}");
        return;
      }
      if (fault == Fault.NO_ANSWER) {
        awaitRelease();
        return;
      }
      if (fault == Fault.REDIRECT_OTHER_HOST || fault == Fault.REDIRECT_SELF) {
        String location =
            fault == Fault.REDIRECT_SELF
                ? full
                : "http://localhost:" + server.getAddress().getPort() + "/redirected" + full;
        ex.getResponseHeaders().set("Location", location);
        ex.sendResponseHeaders(307, -1);
        return;
      }
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://" + target + full))
              .version(HttpClient.Version.HTTP_1_1)
              .method(
                  ex.getRequestMethod(),
                  requestBody.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(requestBody));
      for (String h : List.of("Content-Type", "Content-Range")) {
        String v = ex.getRequestHeaders().getFirst(h);
        if (v != null) {
          b.header(h, v);
        }
      }
      String accept = ex.getRequestHeaders().getFirst("Accept");
      if (accept != null) {
        b.header("Accept", accept);
      }
      if (range != null && fault != Fault.IGNORE_RANGE) {
        b.header("Range", range);
      }
      HttpResponse<byte[]> r;
      try {
        r = upstream.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      for (String h :
          List.of(
              "Content-Type",
              "Docker-Content-Digest",
              "Content-Range",
              "Link",
              "Range",
              "Docker-Upload-UUID",
              "OCI-Chunk-Min-Length")) {
        r.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().set(h, v));
      }
      String asked = chunkMinLength;
      if (asked != null
          && ex.getRequestMethod().equals("POST")
          && path.endsWith("/blobs/uploads/")
          && r.statusCode() == 202) {
        ex.getResponseHeaders().set("OCI-Chunk-Min-Length", asked);
      }
      // The registry's upload Locations are absolute: keep the client talking to the proxy.
      r.headers()
          .firstValue("Location")
          .ifPresent(
              v ->
                  ex.getResponseHeaders()
                      .set(
                          "Location",
                          v.replace("http://" + target + "/", "http://" + host() + "/")));
      byte[] body = r.body();
      int half = body.length / 2;
      if (fault == Fault.CORRUPT_BYTE) {
        body = body.clone();
        body[half] ^= 0x01;
      }
      if (fault == Fault.TRUNCATE) {
        ex.sendResponseHeaders(r.statusCode(), half);
        ex.getResponseBody().write(body, 0, half);
        return;
      }
      if (fault == Fault.DROP_MIDWAY) {
        ex.sendResponseHeaders(r.statusCode(), body.length);
        OutputStream out = ex.getResponseBody();
        out.write(body, 0, half);
        out.flush();
        try {
          out.close(); // fewer bytes than announced: the server drops the connection
        } catch (IOException expected) {
          // "insufficient bytes written"
        }
        return;
      }
      if (fault == Fault.SILENT_BODY) {
        ex.sendResponseHeaders(r.statusCode(), body.length);
        ex.getResponseBody().flush();
        awaitRelease();
        try {
          ex.getResponseBody().close();
        } catch (IOException expected) {
          // "insufficient bytes written"
        }
        return;
      }
      if (fault == Fault.TRICKLE) {
        ex.sendResponseHeaders(r.statusCode(), body.length);
        OutputStream out = ex.getResponseBody();
        try {
          for (byte one : body) {
            out.write(one);
            out.flush();
            Thread.sleep(20);
          }
        } catch (IOException | InterruptedException gone) {
          return; // the client gave up on it
        }
        return;
      }
      if (fault == Fault.STALL_MIDWAY) {
        java.util.concurrent.CountDownLatch until = released;
        ex.sendResponseHeaders(r.statusCode(), body.length);
        OutputStream out = ex.getResponseBody();
        out.write(body, 0, half);
        out.flush();
        stalls.release();
        try {
          until.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        try {
          out.close(); // fewer bytes than announced: the server drops the connection
        } catch (IOException expected) {
          // "insufficient bytes written"
        }
        return;
      }
      if (ex.getRequestMethod().equals("HEAD")) {
        // A HEAD answer has no body but states the length of the one a GET would get.
        r.headers()
            .firstValue("Content-Length")
            .ifPresent(v -> ex.getResponseHeaders().set("Content-Length", v));
      }
      ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
      ex.getResponseBody().write(body);
    }
  }

  private void awaitRelease() {
    try {
      released.await(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    exchanges.shutdownNow();
    upstream.close();
  }
}
