package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Answers a registry's challenges: nothing until the registry asks, then Basic with the user's
 * credentials or the token flow of the distribution auth spec (realm, service, scope), with tokens
 * cached per scope until they expire. Thread-safe.
 */
final class Authenticator {
  /** Tokens shorter-lived than this are treated as living this long, as the token spec says. */
  private static final Duration MIN_TOKEN_LIFE = Duration.ofSeconds(60);

  /** Longer lives are kept as this: no process holds a token that long, and no clock overflows. */
  private static final Duration MAX_TOKEN_LIFE = Duration.ofDays(365);

  /** Renew a little before the server's expiry so a request does not race it. */
  private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(5);

  private final String host;
  private final boolean plainHttp;
  private final RegistryOptions options;
  private final Endpoint.Clients clients;
  private final Clock clock;
  private final ConcurrentHashMap<String, Token> tokens = new ConcurrentHashMap<>();
  private final ReentrantLock fetchLock = new ReentrantLock();
  private volatile Challenge challenge;

  /** An issued bearer token; {@link #toString()} hides it. */
  record Token(String value, Instant expires) {
    @Override
    public String toString() {
      return "Token[expires " + expires + "]";
    }
  }

  Authenticator(
      String host,
      boolean plainHttp,
      RegistryOptions options,
      Endpoint.Clients clients,
      Clock clock) {
    this.host = host;
    this.plainHttp = plainHttp;
    this.options = options;
    this.clients = clients;
    this.clock = clock;
  }

  /** The Authorization header for a request needing {@code scope} (may be null), if any. */
  Optional<String> authorization(String scope) throws IOException {
    Challenge c = challenge;
    if (c == null) {
      return Optional.empty();
    }
    if (c.scheme().equals("basic")) {
      return credentials()
          .filter(cr -> cr.username() != null)
          .map(cr -> "Basic " + basic(cr.username(), cr.password()));
    }
    Token t = tokens.get(key(scope));
    if (t == null || !clock.instant().isBefore(t.expires())) {
      t = fetchToken(c, scope, List.of());
    }
    return Optional.of("Bearer " + t.value());
  }

  /**
   * The registry answered 401 to a request for {@code scope}: learn its challenge and get fresh
   * authorization (a new token for Bearer). The caller retries once.
   */
  void unauthorized(List<Challenge> challenges, String scope) throws IOException {
    Challenge bearer = null;
    Challenge basic = null;
    for (Challenge c : challenges) {
      if (c.scheme().equals("bearer") && bearer == null) {
        bearer = c;
      } else if (c.scheme().equals("basic") && basic == null) {
        basic = c;
      }
    }
    if (bearer != null) {
      challenge = bearer;
      tokens.remove(key(scope));
      String asked = bearer.param("scope");
      fetchToken(bearer, scope, asked == null ? List.of() : List.of(asked.split(" ")));
    } else if (basic != null) {
      if (credentials().filter(c -> c.username() != null).isEmpty()) {
        throw new CairnException(
            CairnException.Kind.UNAUTHORIZED,
            host + " requires a user name and password and none are configured for it");
      }
      challenge = basic;
    } else if (challenges.isEmpty()) {
      throw new CairnException(
          CairnException.Kind.UNAUTHORIZED, host + " answered 401 without a WWW-Authenticate");
    } else {
      throw new CairnException(
          CairnException.Kind.UNAUTHORIZED,
          host
              + " asks for an unsupported authentication scheme: "
              + challenges.getFirst().scheme());
    }
  }

  /** Learns the registry's scheme from a ping answer (so later requests need no 401 first). */
  void learn(List<Challenge> challenges) {
    for (String scheme : List.of("bearer", "basic")) {
      for (Challenge c : challenges) {
        if (c.scheme().equals(scheme)) {
          challenge = c;
          return;
        }
      }
    }
  }

  private Token fetchToken(Challenge c, String scope, List<String> extraScopes) throws IOException {
    fetchLock.lock();
    try {
      Token cached = tokens.get(key(scope));
      if (cached != null && clock.instant().isBefore(cached.expires())) {
        return cached; // another thread fetched it meanwhile
      }
      Set<String> scopes = new LinkedHashSet<>();
      if (scope != null) {
        // A push asks for several at once: "repository:A:pull,push repository:B:pull".
        scopes.addAll(List.of(scope.split(" ")));
      }
      scopes.addAll(extraScopes);
      Token t = requestToken(c, scopes);
      tokens.put(key(scope), t);
      return t;
    } finally {
      fetchLock.unlock();
    }
  }

  private Token requestToken(Challenge c, Set<String> scopes) throws IOException {
    URI realm = realm(c);
    String service = c.param("service");
    Optional<Credentials> creds = credentials();
    String what = "getting a token for " + host + " from " + realm.getHost();
    List<String> query = new ArrayList<>();
    if (service != null) {
      query.add("service=" + encode(service));
    }
    for (String s : scopes) {
      query.add("scope=" + encode(s));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder().timeout(options.responseTimeout());
    b.header("User-Agent", options.userAgent());
    if (realm.getScheme().equals("http")) {
      b.version(HttpClient.Version.HTTP_1_1);
    }
    if (creds.isPresent() && creds.get().identityToken() != null) {
      // OAuth2 refresh-token grant, as docker does with an identity token
      List<String> form = new ArrayList<>(query);
      form.add("grant_type=refresh_token");
      form.add("client_id=cairn");
      form.add("refresh_token=" + encode(creds.get().identityToken()));
      b.uri(realm)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(String.join("&", form)));
    } else {
      String sep = realm.getRawQuery() == null ? "?" : "&";
      b.uri(URI.create(realm + (query.isEmpty() ? "" : sep + String.join("&", query)))).GET();
      creds.ifPresent(
          cr -> b.header("Authorization", "Basic " + basic(cr.username(), cr.password())));
    }
    HttpResponse<InputStream> r;
    NetworkErrors.Limits limits = NetworkErrors.Limits.of(options);
    try {
      r = clients.forUri(realm).send(b.build(), StallGuardedBody.handler(options.readTimeout()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(what + ": interrupted");
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw NetworkErrors.unavailable(what, realm.getHost(), realm, e, limits, "");
    } catch (IllegalArgumentException e) {
      // The realm passed the checks in realm(); whatever else the client refuses is still input.
      throw CairnException.invalid(
          what + ": " + RegistryErrors.printable(String.valueOf(e.getMessage())));
    }
    byte[] body;
    try {
      if (r.statusCode() != 200) {
        throw RegistryErrors.of(r, what);
      }
      try (InputStream in = r.body()) {
        body = in.readNBytes(RegistryErrors.MAX_ERROR_BODY + 1);
      }
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw NetworkErrors.unavailable(what, realm.getHost(), realm, e, limits, "");
    }
    return token(body, what, clock.instant());
  }

  /** The token in a token server's answer {@code body}, received at {@code now}. */
  static Token token(byte[] body, String what, Instant now) {
    if (body.length > RegistryErrors.MAX_ERROR_BODY) {
      throw CairnException.invalid(what + ": token answer larger than 64 KiB");
    }
    Object json;
    try {
      json = JsonText.parse(body);
    } catch (CairnException e) {
      throw e.in(what);
    }
    String token = JsonText.member(json, "token", String.class);
    if (token == null || token.isEmpty()) {
      token = JsonText.member(json, "access_token", String.class);
    }
    if (token == null || token.isEmpty()) {
      throw CairnException.invalid(what + ": the answer holds no token");
    }
    if (!token.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
      // It goes into an Authorization header, where the HTTP client refuses such characters.
      throw CairnException.invalid(
          what + ": the token holds characters that cannot be sent in a header");
    }
    BigDecimal expiresIn = JsonText.member(json, "expires_in", BigDecimal.class);
    Duration life = MIN_TOKEN_LIFE;
    if (expiresIn != null
        && expiresIn.compareTo(BigDecimal.valueOf(MIN_TOKEN_LIFE.toSeconds())) > 0) {
      // Compared before converting: 1e999999999 seconds must neither overflow nor take long.
      life =
          expiresIn.compareTo(BigDecimal.valueOf(MAX_TOKEN_LIFE.toSeconds())) > 0
              ? MAX_TOKEN_LIFE
              : Duration.ofSeconds(expiresIn.longValue());
    }
    return new Token(token, now.plus(life).minus(EXPIRY_MARGIN));
  }

  /** The token realm; https unless this registry itself is spoken to in plain HTTP. */
  URI realm(Challenge c) {
    String realm = c.param("realm");
    if (realm == null || realm.isEmpty()) {
      throw new CairnException(
          CairnException.Kind.UNAUTHORIZED, host + " asks for a Bearer token but names no realm");
    }
    URI uri;
    try {
      uri = HttpTargets.lowerScheme(URI.create(realm));
    } catch (IllegalArgumentException e) {
      throw CairnException.invalid(host + ": token realm is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (scheme.equals("https") || scheme.equals("http") && plainHttp) {
      if (uri.getHost() == null) {
        throw CairnException.invalid(host + ": token realm has no host");
      }
      String problem = HttpTargets.problem(uri);
      if (problem != null) {
        throw CairnException.invalid(
            host + ": token realm " + RegistryErrors.printable(realm) + ": " + problem);
      }
      return uri;
    }
    throw CairnException.invalid(
        host
            + ": token realm "
            + RegistryErrors.printable(realm)
            + " must use https (plain http only for an insecure registry)");
  }

  /** Drops every cached token, for tests (as if each had run out). */
  void forgetTokens() {
    tokens.clear();
  }

  /** The number of cached tokens, for tests. */
  int cachedTokens() {
    return tokens.size();
  }

  private Optional<Credentials> credentials() throws IOException {
    return options.credentials().credentials(host);
  }

  private static String key(String scope) {
    return scope == null ? "" : scope;
  }

  private static String basic(String user, String password) {
    return Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
