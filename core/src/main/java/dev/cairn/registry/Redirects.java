package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One request, its redirects followed by cairn rather than the HTTP client: authorization goes only
 * to the registry's own origin, a redirect may lead to https (or to http from http, or for a
 * registry spoken to in plain HTTP), a 303 turns into a GET, and there are at most as many hops as
 * the options allow.
 */
final class Redirects {
  private final Endpoint endpoint;
  private final Authenticator auth;
  private final RegistryOptions options;

  Redirects(Endpoint endpoint, Authenticator auth, RegistryOptions options) {
    this.endpoint = endpoint;
    this.auth = auth;
    this.options = options;
  }

  /**
   * Sends {@code call} and follows its redirects: {@code sentAuth[0]} tells whether the first hop
   * carried authorization, {@code at[0]} where the last hop went.
   */
  HttpResponse<InputStream> send(Transport.Call call, boolean[] sentAuth, URI[] at)
      throws IOException {
    URI uri = call.uri();
    String method = call.method();
    for (int hop = 0; ; hop++) {
      at[0] = uri;
      String problem = HttpTargets.problem(uri);
      if (problem != null) {
        throw CairnException.invalid(
            call.what()
                + ": cannot send a request to "
                + HttpTargets.printable(uri)
                + ": "
                + problem);
      }
      HttpRequest.Builder b =
          HttpRequest.newBuilder(uri)
              .timeout(options.responseTimeout())
              .header("User-Agent", options.userAgent())
              .method(
                  method,
                  call.body() != null && method.equals(call.method())
                      ? call.body()
                      : HttpRequest.BodyPublishers.noBody());
      if (uri.getScheme().equals("http")) {
        b.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance on plain HTTP
      }
      if (!call.accept().isEmpty()) {
        b.header("Accept", String.join(", ", call.accept()));
      }
      call.headers().forEach(b::header);
      if (sameOrigin(uri, endpoint.base())) {
        try {
          Optional<String> authorization = auth.authorization(call.scope());
          authorization.ifPresent(v -> b.header("Authorization", v));
          sentAuth[0] |= hop == 0 && authorization.isPresent();
        } catch (CairnException e) {
          throw e.in(call.what());
        }
      }
      HttpResponse<InputStream> r;
      try {
        r = endpoint.client(uri).send(b.build(), StallGuardedBody.handler(options.readTimeout()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(call.what() + ": interrupted");
      } catch (IllegalArgumentException e) {
        // What the checks above missed: still the server's or the user's input, never a crash.
        throw CairnException.invalid(
            call.what()
                + ": cannot send a request to "
                + HttpTargets.printable(uri)
                + ": "
                + RegistryErrors.printable(String.valueOf(e.getMessage())));
      }
      if (!isRedirect(r.statusCode())) {
        return r;
      }
      Optional<String> location = r.headers().firstValue("Location");
      int status = r.statusCode();
      Transport.discard(r);
      if (location.isEmpty()) {
        throw CairnException.invalid(call.what() + ": redirect " + status + " without a Location");
      }
      if (hop >= options.maxRedirects()) {
        throw CairnException.invalid(
            call.what() + ": more than " + options.maxRedirects() + " redirects");
      }
      URI next;
      try {
        next = HttpTargets.lowerScheme(uri.resolve(location.get()));
      } catch (IllegalArgumentException e) {
        throw CairnException.invalid(call.what() + ": redirect to a malformed URL");
      }
      String scheme = next.getScheme() == null ? "" : next.getScheme();
      if (!scheme.equals("https")
          && !(scheme.equals("http") && (endpoint.plainHttp() || uri.getScheme().equals("http")))) {
        throw CairnException.invalid(
            call.what()
                + ": refusing a redirect from "
                + uri.getScheme()
                + " to "
                + RegistryErrors.printable(scheme.isEmpty() ? "no scheme" : scheme));
      }
      if (status == 303 && !method.equals("HEAD")) {
        method = "GET";
      }
      uri = next;
    }
  }

  /** Whether two URLs share scheme, host and port (defaults filled in). */
  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && Objects.equals(lower(a.getHost()), lower(b.getHost()))
        && port(a) == port(b);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  /** The URL's port, or its scheme's default. */
  static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }
}
