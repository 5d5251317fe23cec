package dev.cairn.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server answering as a test scripts it, for answers a real registry never gives
 * (or gives only under conditions a test cannot arrange); it records every request it gets.
 */
final class ScriptedRegistry implements AutoCloseable {

  /** How a test answers one exchange. */
  @FunctionalInterface
  interface Answer {
    void answer(HttpExchange ex) throws IOException;
  }

  /**
   * A request as received: method, path, raw query (or null), its headers (names in lower case) and
   * the length of its body.
   */
  record Request(
      String method, String path, String query, Map<String, List<String>> headers, long size) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? null : v.getFirst();
    }

    /** The repository of a {@code /v2/REPOSITORY/...} path with a one-component name. */
    String repository() {
      String[] parts = path.split("/");
      return parts.length > 2 ? parts[2] : "";
    }
  }

  private final HttpServer server;
  final List<Request> requests = new CopyOnWriteArrayList<>();

  private ScriptedRegistry(Answer answer) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            Map<String, List<String>> headers = new TreeMap<>();
            ex.getRequestHeaders()
                .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            Request request =
                new Request(
                    ex.getRequestMethod(),
                    ex.getRequestURI().getPath(),
                    ex.getRequestURI().getRawQuery(),
                    headers,
                    ex.getRequestBody().transferTo(OutputStream.nullOutputStream()));
            requests.add(request);
            ex.setAttribute(Request.class.getName(), request);
            answer.answer(ex);
          }
        });
    server.start();
  }

  static ScriptedRegistry start(Answer answer) throws IOException {
    return new ScriptedRegistry(answer);
  }

  /** {@code 127.0.0.1:port}. */
  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests(String pathPrefix) {
    return requests.stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
  }

  /** The request {@code ex} carried, as recorded (its body already read). */
  static Request request(HttpExchange ex) {
    return (Request) ex.getAttribute(Request.class.getName());
  }

  /**
   * Announces {@code body} whole, sends its first {@code sent} bytes and drops the connection, as a
   * registry or a proxy whose connection breaks mid-answer.
   */
  static void cut(HttpExchange ex, int status, byte[] body, int sent) throws IOException {
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body, 0, sent);
    ex.getResponseBody().flush();
    ex.close(); // short of the length announced: the connection is closed, not reused
  }

  static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
  }

  static void redirect(HttpExchange ex, int status, String location) throws IOException {
    ex.getResponseHeaders().set("Location", location);
    ex.sendResponseHeaders(status, -1);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
