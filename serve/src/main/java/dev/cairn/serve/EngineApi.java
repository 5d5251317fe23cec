package dev.cairn.serve;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.store.EngineJson;
import dev.cairn.store.PruneOptions;
import dev.cairn.store.PruneReport;
import dev.cairn.store.Store;
import dev.cairn.tarexport.LoadResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
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
      route(
          request,
          request.getMethod(),
          path,
          Request.extractQueryParameters(request),
          response,
          callback);
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

  private void route(
      Request request,
      String method,
      String path,
      Fields query,
      Response response,
      Callback callback)
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
      json(response, callback, 200, EngineJson.inspect(image(name, store::inspect)));
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
    } else if (method.equals("POST") && path.equals("/images/load")) {
      load(request, response, callback);
    } else if (method.equals("POST") && path.equals("/images/prune")) {
      PruneReport report =
          store.prune(
              PruneOptions.of(
                  false,
                  filters(query.getValue("filters")),
                  Instant.now(),
                  ZoneId.systemDefault()));
      if (report.failure() != null && report.removals().isEmpty()) {
        throw report.failure() instanceof IOException io
            ? io
            : new IOException(report.failure().getMessage(), report.failure());
      }
      json(response, callback, 200, pruned(report));
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
    removals(w, done);
    return w.toByteArray();
  }

  private static void removals(GoJsonWriter w, List<Store.Removal> done) {
    w.punct('[');
    for (int i = 0; i < done.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.punct('{').name(done.get(i).action()).string(done.get(i).what()).punct('}');
    }
    w.punct(']');
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

  /**
   * {@code POST /images/load}: the archive is the request's body, read as it arrives; the answer is
   * dockerd's message stream, one {@code stream} line per image loaded.
   */
  private void load(Request request, Response response, Callback callback) throws IOException {
    LoadResult result;
    try (InputStream in = Content.Source.asInputStream(request)) {
      result = store.load(new java.io.BufferedInputStream(in, 1 << 16));
    }
    StringBuilder lines = new StringBuilder();
    for (LoadResult.MovedTag m : result.moved()) {
      lines.append(
          stream("Tag " + m.tag().familiar() + " moved from image " + m.from() + " to " + m.to()));
    }
    for (LoadResult.LoadedImage image : result.images()) {
      if (image.tags().isEmpty()) {
        lines.append(stream("Loaded image ID: " + image.id()));
      }
      for (Reference tag : image.tags()) {
        lines.append(stream("Loaded image: " + tag.familiar()));
      }
    }
    response.setStatus(200);
    response.getHeaders().put("Content-Type", JSON);
    response.write(
        true, ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)), callback);
  }

  /** One message of dockerd's stream that the client prints as it is: a line of text. */
  private static String stream(String text) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("stream").string(text + "\n").punct('}');
    return new String(w.toByteArray(), StandardCharsets.UTF_8) + "\r\n";
  }

  /** dockerd's prune answer: what went (null for nothing) and the space it freed. */
  private static byte[] pruned(PruneReport report) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("ImagesDeleted");
    if (report.removals().isEmpty()) {
      w.ascii("null");
    } else {
      removals(w, report.removals());
    }
    w.punct(',').name("SpaceReclaimed").number(report.spaceReclaimed()).punct('}');
    return w.toByteArray();
  }

  /**
   * The API's {@code filters} parameter, {@code {"key":{"value":true},…}}, as the {@code key=value}
   * filters the store takes; none when absent.
   */
  static List<String> filters(String json) {
    List<String> out = new ArrayList<>();
    if (json == null || json.isBlank()) {
      return out;
    }
    JsonValue v;
    try {
      v = Json.parse(json.getBytes(StandardCharsets.UTF_8));
    } catch (CairnException e) {
      throw CairnException.invalid("invalid filters: " + e.getMessage());
    }
    if (!(v instanceof JsonValue.JsonObject o)) {
      throw CairnException.invalid("invalid filters: not a JSON object");
    }
    for (JsonValue.Member key : o.members()) {
      if (!(key.value() instanceof JsonValue.JsonObject values)) {
        throw CairnException.invalid("invalid filters: " + key.key() + " is not a set of values");
      }
      for (JsonValue.Member value : values.members()) {
        out.add(key.key() + "=" + value.key());
      }
    }
    return out;
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

  /** An answer of JSON, ended by a newline as Go's json.Encoder ends every value. */
  private static void json(Response response, Callback callback, int status, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put("Content-Type", JSON);
    byte[] line = Arrays.copyOf(body, body.length + 1);
    line[body.length] = '\n';
    response.write(true, ByteBuffer.wrap(line), callback);
  }

  private static void error(Response response, Callback callback, int status, String message) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("message").string(message).punct('}');
    json(response, callback, status, w.toByteArray());
  }
}
