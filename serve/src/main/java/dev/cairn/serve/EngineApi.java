package dev.cairn.serve;

import dev.cairn.CairnException;
import dev.cairn.store.Store;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The routes of the Docker Engine API that cairn answers, unversioned and under {@code /v1.24} to
 * {@code /v1.47}: each group ({@link Call.Routes}) a thin shell over {@link Store} views written as
 * dockerd writes them; errors as dockerd's {@code {"message":…}} with its status codes. The API's
 * other families get 501 ({@code system/df} and {@code info} are answered, the rest of {@code
 * system} is not), anything else dockerd's 404.
 */
final class EngineApi extends Handler.Abstract {
  static final String API_VERSION = "1.47";
  static final String MIN_API_VERSION = "1.24";
  private static final Pattern VERSIONED = Pattern.compile("/v([0-9]+)\\.([0-9]+)(/.*)");

  /** The API's other families of endpoints, which dockerd serves and cairn does not. */
  private static final Set<String> OTHER_FAMILIES =
      Set.of(
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

  private final List<Call.Routes> groups;

  /** The threads answering requests now: a stop that cannot wait for them interrupts them. */
  private final Set<Thread> working = ConcurrentHashMap.newKeySet();

  EngineApi(Store store) {
    this.groups =
        List.of(
            new SystemRoutes(),
            new InfoRoutes(store),
            new ImageRoutes(store),
            new ArchiveRoutes(store),
            new RegistryRoutes(store));
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Thread self = Thread.currentThread();
    working.add(self);
    try {
      return answer(request, response, callback);
    } finally {
      working.remove(self);
    }
  }

  /**
   * Interrupts what is still being answered, and waits until {@code deadline} (nanoTime) for it to
   * end: a pull so interrupted stops, and keeps only what it committed.
   *
   * @return whether nothing is left running
   */
  boolean interruptAndAwait(long deadline) throws InterruptedException {
    for (Thread t : working) {
      t.interrupt();
    }
    for (Thread t : working) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
        return false;
      }
    }
    return true;
  }

  private boolean answer(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getDecodedPath();
    try {
      Matcher m = VERSIONED.matcher(path);
      if (m.matches()) {
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        path = m.group(3);
        if (major > 1 || major == 1 && minor > 47) {
          new Call(request, request.getMethod(), path, null, response, callback)
              .error(
                  400,
                  "client version "
                      + major
                      + "."
                      + minor
                      + " is too new. Maximum supported API version is "
                      + API_VERSION);
          return true;
        }
      }
      Call call =
          new Call(
              request,
              request.getMethod(),
              path,
              Request.extractQueryParameters(request),
              response,
              callback);
      for (Call.Routes group : groups) {
        if (group.answer(call)) {
          return true;
        }
      }
      if (OTHER_FAMILIES.contains(family(path))) {
        call.error(
            501,
            "cairn serves images only: "
                + call.method()
                + " "
                + path
                + " is not one of its endpoints");
      } else {
        call.error(404, "page not found");
      }
    } catch (CairnException e) {
      fail(request, response, callback, path, status(e), e.getMessage());
    } catch (IOException | RuntimeException e) {
      fail(request, response, callback, path, 500, String.valueOf(e.getMessage()));
    } catch (LinkageError | AssertionError e) {
      // a fault of cairn's own: still dockerd's JSON answer, not the server's HTML page
      fail(request, response, callback, path, 500, "internal error: " + e);
    }
    return true;
  }

  private static void fail(
      Request request,
      Response response,
      Callback callback,
      String path,
      int status,
      String message) {
    new Call(request, request.getMethod(), path, null, response, callback).error(status, message);
  }

  /** dockerd's status for an error of this kind. */
  static int status(CairnException e) {
    return switch (e.kind()) {
      case NOT_FOUND -> 404;
      case INVALID -> 400;
      case UNAUTHORIZED -> 401;
      case CONFLICT -> 409;
      default -> 500;
    };
  }

  private static String family(String path) {
    int slash = path.indexOf('/', 1);
    return slash < 0 ? path.substring(1) : path.substring(1, slash);
  }
}
