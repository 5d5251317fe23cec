package dev.cairn.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
   * A request as received: method, path, raw query (or null) and its headers, names in lower case.
   */
  record Request(String method, String path, String query, Map<String, List<String>> headers) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
      return v == null ? null : v.getFirst();
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
            Map<String, List<String>> headers = new java.util.TreeMap<>();
            ex.getRequestHeaders()
                .forEach(
                    (k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
            ex.getRequestBody().readAllBytes();
            requests.add(
                new Request(
                    ex.getRequestMethod(),
                    ex.getRequestURI().getPath(),
                    ex.getRequestURI().getRawQuery(),
                    headers));
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
