package dev.cairn.serve;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.store.EngineJson;
import dev.cairn.store.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The routes of the Docker Engine API that cairn answers, unversioned and under {@code /v1.24} to
 * {@code /v1.47}, each a thin shell over one {@link Store} view written as dockerd writes it
 * ({@link EngineJson}); errors as dockerd's {@code {"message":…}} with its status codes. What is
 * not an image endpoint gets dockerd's 404.
 */
final class EngineApi extends Handler.Abstract {
  static final String API_VERSION = "1.47";
  static final String MIN_API_VERSION = "1.24";
  private static final Pattern VERSIONED = Pattern.compile("/v([0-9]+)\\.([0-9]+)(/.*)");
  private static final String JSON = "application/json";

  private final Store store;

  EngineApi(Store store) {
    this.store = store;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getDecodedPath();
    try {
      Matcher m = VERSIONED.matcher(path);
      if (m.matches()) {
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major > 1 || major == 1 && minor > 47) {
          error(
              response,
              callback,
              400,
              "client version "
                  + major
                  + "."
                  + minor
                  + " is too new. Maximum supported API version is "
                  + API_VERSION);
          return true;
        }
        path = m.group(3);
      }
      route(request.getMethod(), path, Request.extractQueryParameters(request), response, callback);
    } catch (CairnException e) {
      int status =
          switch (e.kind()) {
            case NOT_FOUND -> 404;
            case INVALID -> 400;
            case UNAUTHORIZED -> 401;
            case CONFLICT -> 409;
            default -> 500;
          };
      error(response, callback, status, e.getMessage());
    } catch (IOException | RuntimeException e) {
      error(response, callback, 500, String.valueOf(e.getMessage()));
    }
    return true;
  }

  private void route(String method, String path, Fields query, Response response, Callback callback)
      throws IOException {
    boolean get = method.equals("GET");
    if (path.equals("/_ping") && (get || method.equals("HEAD"))) {
      ping(response, callback, get);
    } else if (get && path.equals("/version")) {
      json(response, callback, 200, version());
    } else if (get && path.equals("/images/json")) {
      boolean all = truthy(query.getValue("all"));
      json(response, callback, 200, EngineJson.summaries(store.imageSummaries(all)));
    } else if (get && path.startsWith("/images/") && path.endsWith("/json")) {
      String name = path.substring("/images/".length(), path.length() - "/json".length());
      json(response, callback, 200, EngineJson.inspect(List.of(image(name, store::inspect))), true);
    } else if (get && path.startsWith("/images/") && path.endsWith("/history")) {
      String name = path.substring("/images/".length(), path.length() - "/history".length());
      json(response, callback, 200, EngineJson.history(image(name, store::history)));
    } else if (method.equals("POST") && path.startsWith("/images/") && path.endsWith("/tag")) {
      String name = path.substring("/images/".length(), path.length() - "/tag".length());
      String repo = query.getValue("repo");
      String tag = query.getValue("tag");
      if (repo == null || repo.isEmpty()) {
        throw CairnException.invalid("repository name (repo) cannot be empty");
      }
      Reference target =
          Reference.parse(repo + ":" + (tag == null || tag.isEmpty() ? "latest" : tag));
      image(name, n -> store.tag(n, target));
      response.setStatus(201);
      response.write(true, ByteBuffer.allocate(0), callback);
    } else if (method.equals("DELETE") && path.startsWith("/images/")) {
      String name = path.substring("/images/".length());
      boolean force = truthy(query.getValue("force"));
      json(response, callback, 200, removals(image(name, n -> store.remove(n, force))));
    } else if (get && path.equals("/images/get")) {
      List<String> names = query.getValues("names");
      if (names == null || names.isEmpty()) {
        throw CairnException.invalid("no image names were given");
      }
      save(names, response, callback);
    } else if (OTHER_FAMILIES.contains(family(path))) {
      error(
          response,
          callback,
          501,
          "cairn serves images only: " + method + " " + path + " is not one of its endpoints");
    } else {
      error(response, callback, 404, "page not found");
    }
  }

  /** dockerd's answer to a delete: one object per untagging and per deletion. */
  private static byte[] removals(List<Store.Removal> done) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('[');
    for (int i = 0; i < done.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.punct('{').name(done.get(i).action()).string(done.get(i).what()).punct('}');
    }
    return w.punct(']').toByteArray();
  }

  /**
   * The images as one archive, streamed as it is written; a failure before the first byte is an
   * error answer, one after it cuts the archive short (the client sees a broken tar, as with
   * dockerd).
   */
  private void save(List<String> names, Response response, Callback callback) throws IOException {
    for (String n : names) {
      image(n, store::image); // a name the store lacks is a 404 before anything is sent
    }
    response.setStatus(200);
    response.getHeaders().put("Content-Type", "application/x-tar");
    try (java.io.OutputStream out = Content.Sink.asOutputStream(response)) {
      store.save(names, out);
    } catch (IOException | RuntimeException e) {
      callback.failed(e);
      return;
    }
    callback.succeeded();
  }

  /** The API's other families of endpoints, which dockerd serves and cairn does not. */
  private static final java.util.Set<String> OTHER_FAMILIES =
      java.util.Set.of(
          "containers",
          "networks",
          "volumes",
          "build",
          "exec",
          "swarm",
          "services",
          "nodes",
          "tasks",
          "secrets",
          "configs",
          "plugins",
          "session",
          "distribution",
          "events",
          "commit",
          "grpc",
          "system");

  private static String family(String path) {
    int slash = path.indexOf('/', 1);
    return slash < 0 ? path.substring(1) : path.substring(1, slash);
  }

  /** A view of one image; one the store lacks is dockerd's {@code No such image: NAME}. */
  private static <T> T image(String name, View<T> view) throws IOException {
    try {
      return view.of(name);
    } catch (CairnException e) {
      if (e.kind() == CairnException.Kind.NOT_FOUND) {
        throw CairnException.notFound("No such image: " + name);
      }
      throw e;
    }
  }

  @FunctionalInterface
  private interface View<T> {
    T of(String name) throws IOException;
  }

  /** The answer to {@code /_ping}: the headers clients negotiate with, and {@code OK}. */
  private static void ping(Response response, Callback callback, boolean body) {
    HttpFields.Mutable h = response.getHeaders();
    h.put("Api-Version", API_VERSION);
    h.put("Builder-Version", "1");
    h.put("Docker-Experimental", "false");
    h.put("Ostype", "linux");
    h.put("Swarm", "inactive");
    h.put("Cache-Control", "no-cache, no-store, must-revalidate");
    h.put("Pragma", "no-cache");
    h.put("Content-Type", "text/plain; charset=utf-8");
    response.setStatus(200);
    if (body) {
      response.write(true, ByteBuffer.wrap("OK".getBytes(StandardCharsets.US_ASCII)), callback);
    } else {
      h.put("Content-Length", "0");
      response.write(true, ByteBuffer.allocate(0), callback);
    }
  }

  private static byte[] version() {
    String arch = System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64";
    String cairn = EngineServer.class.getPackage().getImplementationVersion();
    String v = cairn == null ? "dev" : cairn;
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("Platform").punct('{').name("Name").string("cairn").punct('}').punct(',');
    w.name("Components").punct('[').punct('{').name("Name").string("Engine").punct(',');
    w.name("Version").string(v).punct(',');
    w.name("Details").punct('{').name("ApiVersion").string(API_VERSION).punct(',');
    w.name("Arch").string(arch).punct(',');
    w.name("MinAPIVersion").string(MIN_API_VERSION).punct(',');
    w.name("Os").string("linux").punct('}').punct('}').punct(']').punct(',');
    w.name("Version").string(v).punct(',');
    w.name("ApiVersion").string(API_VERSION).punct(',');
    w.name("MinAPIVersion").string(MIN_API_VERSION).punct(',');
    w.name("GitCommit").string("").punct(',');
    w.name("GoVersion").string("").punct(',');
    w.name("Os").string("linux").punct(',');
    w.name("Arch").string(arch).punct(',');
    w.name("KernelVersion").string(System.getProperty("os.version")).punct(',');
    w.name("BuildTime").string("").punct('}');
    return w.toByteArray();
  }

  private static boolean truthy(String v) {
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  private static void json(Response response, Callback callback, int status, byte[] body) {
    json(response, callback, status, body, false);
  }

  /** An answer of JSON; {@code one} unwraps a one-element array (an inspect is one object). */
  private static void json(
      Response response, Callback callback, int status, byte[] body, boolean one) {
    if (one) {
      body = java.util.Arrays.copyOfRange(body, 1, body.length - 1);
    }
    response.setStatus(status);
    response.getHeaders().put("Content-Type", JSON);
    byte[] line = new byte[body.length + 1];
    System.arraycopy(body, 0, line, 0, body.length);
    line[body.length] = '\n'; // as Go's json.Encoder ends every value
    response.write(true, ByteBuffer.wrap(line), callback);
  }

  private static void error(Response response, Callback callback, int status, String message) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("message").string(message).punct('}');
    json(response, callback, status, w.toByteArray());
  }
}
