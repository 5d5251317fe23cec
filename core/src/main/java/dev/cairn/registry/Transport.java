package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The HTTP side of one registry: picks http or https, authenticates, follows redirects itself
 * (never carrying Authorization to another host) and retries what is worth retrying.
 */
final class Transport implements AutoCloseable {

  /**
   * One request as a registry operation describes it. A call with a body is sent once: an upload
   * that fails is started again by its caller with a new session, never re-sent into a session that
   * may hold part of it.
   */
  record Call(
      String method,
      URI uri,
      List<String> accept,
      Map<String, String> headers,
      String scope,
      String what,
      HttpRequest.BodyPublisher body) {
    Call(
        String method,
        URI uri,
        List<String> accept,
        Map<String, String> headers,
        String scope,
        String what) {
      this(method, uri, accept, headers, scope, what, null);
    }

    boolean retryable() {
      return body == null;
    }
  }

  private final String host;
  private final URI base;
  private final boolean plainHttp;
  private final RegistryOptions options;

  /** The client for plain HTTP URLs, without TLS; null when the registry is reached over TLS. */
  private final HttpClient plain;

  /**
   * The client for https URLs. Made at once for a registry reached over TLS, or when CA files are
   * given (a bad one is reported at once); else on first use, as only a redirect or a token realm
   * can need it and loading the system's trust store costs tens of milliseconds.
   */
  private volatile HttpClient tls;

  private final Authenticator auth;

  /** Picks the client for a URL by its scheme. */
  @FunctionalInterface
  interface Clients {
    HttpClient forUri(URI uri) throws IOException;
  }

  Transport(String host, String endpoint, RegistryOptions options) throws IOException {
    this.host = host;
    this.plainHttp = usesPlainHttp(endpoint, options);
    this.base = HttpTargets.baseUri(host, endpoint, plainHttp);
    this.options = options;
    // Parameters given, or the client would ask the context for its defaults at once.
    this.plain =
        plainHttp
            ? builder(options).sslContext(NoTls.CONTEXT).sslParameters(new SSLParameters()).build()
            : null;
    this.tls = plainHttp && options.caCertificates().isEmpty() ? null : tlsClient(options);
    this.auth = new Authenticator(host, plainHttp, options, this::client, Clock.systemUTC());
  }

  private static HttpClient.Builder builder(RegistryOptions options) {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(options.connectTimeout());
  }

  private static HttpClient tlsClient(RegistryOptions options) throws IOException {
    return builder(options).sslContext(sslContext(options.caCertificates())).build();
  }

  /** The client for {@code uri}: the plain one for http when there is one, else the TLS one. */
  HttpClient client(URI uri) throws IOException {
    if (plain != null && uri.getScheme().equals("http")) {
      return plain;
    }
    HttpClient c = tls;
    if (c == null) {
      synchronized (this) {
        c = tls;
        if (c == null) {
          tls = c = tlsClient(options);
        }
      }
    }
    return c;
  }

  URI base() {
    return base;
  }

  Authenticator authenticator() {
    return auth;
  }

  /** Loopback registries and those listed as insecure are spoken to in plain HTTP. */
  static boolean usesPlainHttp(String endpoint, RegistryOptions options) {
    String hostOnly = hostWithoutPort(endpoint);
    return options.insecureRegistries().contains(endpoint)
        || options.insecureRegistries().contains(hostOnly)
        || isLoopback(hostOnly);
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  static String hostWithoutPort(String endpoint) {
    if (endpoint.startsWith("[")) {
      int close = endpoint.indexOf(']');
      return close < 0 ? endpoint : endpoint.substring(1, close);
    }
    int colon = endpoint.lastIndexOf(':');
    return colon < 0 ? endpoint : endpoint.substring(0, colon);
  }

  /**
   * Sends the call: a 401 is answered once with fresh authorization; 408, 429, 5xx and transport
   * errors are retried with backoff (a name that does not resolve and a TLS failure are not), for
   * as long as the retry policy allows. Returns whatever answer remains, for the caller to judge.
   *
   * @throws CairnException UNAVAILABLE when no answer came, naming the host and the cause
   */
  HttpResponse<InputStream> send(Call call) throws IOException {
    RetryPolicy retry = options.retry();
    boolean learned = false; // answered a 401 to a request sent without authorization
    boolean refreshed = false; // answered a 401 to a request sent with it
    int attempt = 1;
    long start = System.nanoTime();
    while (true) {
      HttpResponse<InputStream> r;
      boolean[] sentAuth = new boolean[1];
      URI[] at = {call.uri()}; // where the last hop went, for the message
      try {
        r = followRedirects(call, sentAuth, at);
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        Duration wait = retry.backoff(attempt);
        if (!call.retryable()
            || !NetworkErrors.retryable(e)
            || !retry.allowsAnother(attempt, start, wait)) {
          throw NetworkErrors.unavailable(
              call.what(),
              host,
              at[0],
              e,
              NetworkErrors.Limits.of(options),
              attempt > 1 ? " (" + attempt + " attempts)" : "");
        }
        pause(wait);
        attempt++;
        continue;
      }
      int status = r.statusCode();
      if (status == 401 && !(sentAuth[0] ? refreshed : learned)) {
        List<Challenge> challenges = Challenge.parse(r.headers().allValues("WWW-Authenticate"));
        discard(r);
        try {
          auth.unauthorized(challenges, call.scope());
        } catch (CairnException e) {
          throw e.in(call.what());
        }
        if (sentAuth[0]) {
          refreshed = true;
        } else {
          learned = true;
        }
        continue;
      }
      Duration wait = retryAfter(r, retry).orElse(retry.backoff(attempt));
      if (call.retryable() && isRetryable(status) && retry.allowsAnother(attempt, start, wait)) {
        discard(r);
        pause(wait);
        attempt++;
        continue;
      }
      return r;
    }
  }

  private HttpResponse<InputStream> followRedirects(Call call, boolean[] sentAuth, URI[] at)
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
      if (sameOrigin(uri, base)) {
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
        r = client(uri).send(b.build(), StallGuardedBody.handler(options.readTimeout()));
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
      discard(r);
      if (location.isEmpty()) {
        throw CairnException.invalid(call.what() + ": redirect " + status + " without a Location");
      }
      if (hop >= options.maxRedirects()) {
        throw CairnException.invalid(
            call.what() + ": more than " + options.maxRedirects() + " redirects");
      }
      URI next;
      try {
        next = uri.resolve(location.get());
      } catch (IllegalArgumentException e) {
        throw CairnException.invalid(call.what() + ": redirect to a malformed URL");
      }
      String scheme = next.getScheme() == null ? "" : next.getScheme();
      if (!scheme.equals("https")
          && !(scheme.equals("http") && (plainHttp || uri.getScheme().equals("http")))) {
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

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && Objects.equals(lower(a.getHost()), lower(b.getHost()))
        && port(a) == port(b);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : u.getScheme().equals("https") ? 443 : 80;
  }

  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  static boolean isRetryable(int status) {
    return status == 408 || status == 429 || status >= 500 && status <= 599;
  }

  private static Optional<Duration> retryAfter(HttpResponse<?> r, RetryPolicy retry) {
    return r.headers()
        .firstValue("Retry-After")
        .filter(v -> !v.isEmpty() && v.length() < 10 && v.chars().allMatch(Character::isDigit))
        .map(v -> Duration.ofSeconds(Long.parseLong(v)))
        .map(d -> d.compareTo(retry.maxBackoff()) > 0 ? retry.maxBackoff() : d);
  }

  static void pause(Duration d) throws InterruptedIOException {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to retry");
    }
  }

  /** Drops an answer's body without reading much of it, so the connection can go. */
  static void discard(HttpResponse<InputStream> r) {
    try (InputStream in = r.body()) {
      in.readNBytes(RegistryErrors.MAX_ERROR_BODY);
    } catch (IOException ignored) {
      // the answer is being thrown away; its body does not matter
    }
  }

  /** A transport failure after the request was answered (reading its body), as its sentence. */
  CairnException failure(String what, URI uri, IOException e) {
    return failure(what, uri, e, "");
  }

  CairnException failure(String what, URI uri, IOException e, String attempts) {
    return NetworkErrors.unavailable(
        what, host, uri, e, NetworkErrors.Limits.of(options), attempts);
  }

  /** Why an exchange with {@code uri}'s host failed, in a few words naming the host. */
  String reason(URI uri, IOException e) {
    return NetworkErrors.reason(e, uri, null, NetworkErrors.Limits.of(options));
  }

  private static SSLContext sslContext(List<Path> caFiles) throws IOException {
    try {
      if (caFiles.isEmpty()) {
        return SSLContext.getDefault();
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      TrustManagerFactory system =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      system.init((KeyStore) null);
      int n = 0;
      for (var tm : system.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          for (X509Certificate c : x.getAcceptedIssuers()) {
            store.setCertificateEntry("system-" + n++, c);
          }
        }
      }
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Path file : caFiles) {
        try (InputStream in = Files.newInputStream(file)) {
          var certs = cf.generateCertificates(in);
          if (certs.isEmpty()) {
            throw CairnException.invalid("CA certificate file " + file + " holds no certificate");
          }
          for (var c : certs) {
            store.setCertificateEntry("extra-" + n++, c);
          }
        } catch (java.security.cert.CertificateException e) {
          throw CairnException.invalid(
              "CA certificate file " + file + ": not a PEM certificate: " + e.getMessage());
        }
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("setting up TLS trust: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    // Not close(): it waits for every exchange to finish, and a failed pull can leave a response
    // nobody will read. Whoever closes the registry is done with all of them.
    if (plain != null) {
      plain.shutdownNow();
    }
    HttpClient c = tls;
    if (c != null) {
      c.shutdownNow();
    }
  }

  /**
   * The TLS side of a client that only ever speaks plain HTTP: it refuses every use, where a real
   * context would load the system's trust store for nothing.
   */
  private static final class NoTls extends SSLContextSpi {
    static final SSLContext CONTEXT = new SSLContext(new NoTls(), null, "none") {};

    private static UnsupportedOperationException refused() {
      return new UnsupportedOperationException("this client speaks plain HTTP only");
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
      throw refused();
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw refused();
    }
  }
}
