package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.sun.net.httpserver.HttpExchange;
import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What goes on the wire for answers only a scripted server gives at will: challenges, redirects,
 * Retry-After, manifests at the size limit.
 */
class RegistryWireRulesTest {
  static final ManifestVerifier ANY = (b, t) -> new ManifestVerifier.Verified(t, Digest.sha256(b));

  static RegistryOptions options(RetryPolicy retry, int maxRedirects) {
    RegistryOptions d = RegistryOptions.defaults();
    return new RegistryOptions(
        d.insecureRegistries(),
        d.caCertificates(),
        d.credentials(),
        d.connectTimeout(),
        d.responseTimeout(),
        d.readTimeout(),
        retry,
        d.userAgent(),
        maxRedirects,
        d.registries());
  }

  static RegistryOptions noRetry() {
    return options(RetryPolicy.none(), 10);
  }

  /** A registry on /v2/ behind a token server on /token (service "reg"). */
  static void bearer(HttpExchange ex, boolean grant) throws IOException {
    String path = ex.getRequestURI().getPath();
    if (path.equals("/token")) {
      ScriptedRegistry.send(ex, 200, "{\"token\":\"t\"}");
    } else if (grant && ex.getRequestHeaders().getFirst("Authorization") != null) {
      ex.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
      ScriptedRegistry.send(ex, 200, "{}");
    } else {
      String host = ex.getRequestHeaders().getFirst("Host");
      ex.getResponseHeaders()
          .set("WWW-Authenticate", "Bearer realm=\"http://" + host + "/token\",service=\"reg\"");
      ScriptedRegistry.send(ex, 401, "{}");
    }
  }

  @Test
  void aPingOverPlainHttpAsksForATokenWithoutScopeAndNeverOffersAnUpgrade() throws IOException {
    try (var s = ScriptedRegistry.start(ex -> bearer(ex, true));
        Registry r = Registry.open(s.host(), noRetry())) {
      assertThat(r.ping()).isEqualTo("registry/2.0");
      assertThat(s.requests)
          .extracting(ScriptedRegistry.Request::path, ScriptedRegistry.Request::query)
          .containsExactly(
              tuple("/v2/", null), tuple("/token", "service=reg"), tuple("/v2/", null));
      // HTTP/1.1 on plain HTTP: no h2c upgrade, which some proxies mishandle
      assertThat(s.requests).allSatisfy(q -> assertThat(q.header("Upgrade")).isNull());
    }
  }

  @Test
  void aRegistryRefusingEveryTokenGetsOneFreshTokenThenItsAnswer() throws IOException {
    try (var s = ScriptedRegistry.start(ex -> bearer(ex, false));
        Registry r = Registry.open(s.host(), noRetry())) {
      assertThatThrownBy(r::ping)
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAUTHORIZED))
          .hasMessageStartingWith("checking the registry API from " + s.host() + ": ");
      assertThat(s.requests)
          .extracting(ScriptedRegistry.Request::path)
          .containsExactly("/v2/", "/token", "/v2/", "/token", "/v2/");
    }
  }

  static void redirects(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    if (path.startsWith("/v2/see/")) {
      ScriptedRegistry.redirect(ex, 303, "/landing/see");
    } else if (path.startsWith("/v2/keep/")) {
      ScriptedRegistry.redirect(ex, 307, "/landing/keep");
    } else if (path.startsWith("/v2/ftp/")) {
      ScriptedRegistry.redirect(ex, 307, "ftp://example.com/x");
    } else if (path.startsWith("/v2/r2/")) {
      ScriptedRegistry.redirect(ex, 307, "/v2/r1/manifests/x");
    } else if (path.startsWith("/v2/r1/")) {
      ScriptedRegistry.redirect(ex, 307, "/v2/r0/manifests/x");
    } else if (path.startsWith("/landing/") && !ex.getRequestMethod().equals("HEAD")) {
      ScriptedRegistry.send(ex, 201, "");
    } else {
      ScriptedRegistry.send(ex, 404, "");
    }
  }

  @Test
  void a303TurnsAPutIntoAGetWhileA307KeepsThePutAndItsBody() throws IOException {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    try (var s = ScriptedRegistry.start(RegistryWireRulesTest::redirects);
        Registry r = Registry.open(s.host(), noRetry(), ANY)) {
      // No Docker-Content-Digest in the answer: the digest of what was sent stands.
      assertThat(r.putManifest("see", "x", "application/json", body))
          .isEqualTo(Digest.sha256(body));
      assertThat(r.putManifest("keep", "x", "application/json", body))
          .isEqualTo(Digest.sha256(body));
      assertThat(s.requests)
          .extracting(
              ScriptedRegistry.Request::method,
              ScriptedRegistry.Request::path,
              q -> q.header("Content-Length"))
          .containsExactly(
              tuple("PUT", "/v2/see/manifests/x", "2"),
              tuple("GET", "/landing/see", "0"),
              tuple("PUT", "/v2/keep/manifests/x", "2"),
              tuple("PUT", "/landing/keep", "2"));
    }
  }

  @Test
  void a303ToAHeadStaysAHead() throws IOException {
    try (var s = ScriptedRegistry.start(RegistryWireRulesTest::redirects);
        Registry r = Registry.open(s.host(), noRetry())) {
      assertThat(r.blobSize("see", Digest.sha256(new byte[0]))).isEmpty();
      assertThat(s.requests)
          .extracting(ScriptedRegistry.Request::method, ScriptedRegistry.Request::path)
          .containsExactly(
              tuple("HEAD", "/v2/see/blobs/" + Digest.sha256(new byte[0])),
              tuple("HEAD", "/landing/see"));
    }
  }

  @Test
  void aRedirectToAnotherSchemeIsRefusedNamingIt() throws IOException {
    try (var s = ScriptedRegistry.start(RegistryWireRulesTest::redirects);
        Registry r = Registry.open(s.host(), noRetry())) {
      assertThatThrownBy(() -> r.manifest("ftp", "x"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessage(
              "fetching manifest x of ftp from "
                  + s.host()
                  + ": refusing a redirect from http to ftp");
    }
  }

  @Test
  void exactlyTheAllowedNumberOfRedirectsIsFollowed() throws IOException {
    try (var s = ScriptedRegistry.start(RegistryWireRulesTest::redirects);
        Registry r = Registry.open(s.host(), options(RetryPolicy.none(), 1))) {
      assertThatThrownBy(() -> r.manifest("r1", "x"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
      assertThatThrownBy(() -> r.manifest("r2", "x"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessage("fetching manifest x of r2 from " + s.host() + ": more than 1 redirects");
      assertThat(s.requests)
          .extracting(ScriptedRegistry.Request::path)
          .containsExactly(
              "/v2/r1/manifests/x",
              "/v2/r0/manifests/x",
              "/v2/r2/manifests/x",
              "/v2/r1/manifests/x");
    }
  }

  @ParameterizedTest(name = "chunked: {0}")
  @ValueSource(booleans = {false, true})
  void aManifestOfExactly4MiBIsTakenWithItsTypeWithoutParameters(boolean chunked)
      throws IOException {
    byte[] body = new byte[ManifestFetch.MAX_MANIFEST];
    Arrays.fill(body, (byte) ' ');
    AtomicReference<String> seenType = new AtomicReference<>();
    ManifestVerifier verifier =
        (b, t) -> {
          seenType.set(t);
          return ANY.verify(b, t);
        };
    try (var s =
            ScriptedRegistry.start(
                ex -> {
                  ex.getResponseHeaders().set("Content-Type", "Application/Vnd.X+JSON ; q=1");
                  ex.sendResponseHeaders(200, chunked ? 0 : body.length);
                  ex.getResponseBody().write(body);
                });
        Registry r = Registry.open(s.host(), noRetry(), verifier)) {
      FetchedManifest m = r.manifest("big", "x");
      assertThat(m.bytes()).hasSize(ManifestFetch.MAX_MANIFEST);
      assertThat(seenType).hasValue("application/vnd.x+json");
    }
  }

  @ParameterizedTest(name = "chunked: {0}")
  @CsvSource({
    "false, manifest of 4194305 bytes is over the 4 MiB limit",
    "true, manifest is over the 4 MiB limit"
  })
  void aManifestOneByteOver4MiBIsRefused(boolean chunked, String reason) throws IOException {
    byte[] body = new byte[ManifestFetch.MAX_MANIFEST + 1];
    try (var s =
            ScriptedRegistry.start(
                ex -> {
                  ex.sendResponseHeaders(200, chunked ? 0 : body.length);
                  ex.getResponseBody().write(body);
                });
        Registry r = Registry.open(s.host(), noRetry(), ANY)) {
      assertThatThrownBy(() -> r.manifest("big", "x"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessage("fetching manifest x of big from " + s.host() + ": " + reason);
    }
  }

  /** The first answer is a 503 with {@code retryAfter} (when not null), the next a 200. */
  static ScriptedRegistry busyOnce(String retryAfter) throws IOException {
    int[] n = {0};
    return ScriptedRegistry.start(
        ex -> {
          if (n[0]++ == 0) {
            if (retryAfter != null) {
              ex.getResponseHeaders().set("Retry-After", retryAfter);
            }
            ScriptedRegistry.send(ex, 503, "");
          } else {
            ScriptedRegistry.send(ex, 200, "{}");
          }
        });
  }

  /** Waits of 1 ms doubling up to 300 ms, none begun 300 ms after the first attempt. */
  static final RetryPolicy SHORT =
      new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(300), Duration.ofMillis(300));

  @Test
  void aRetryAfterBeyondTheTimeLeftEndsTheRetries() throws IOException {
    try (var s = busyOnce("1");
        Registry r = Registry.open(s.host(), options(SHORT, 10))) {
      assertThatThrownBy(r::ping)
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE));
      assertThat(s.requests).hasSize(1);
    }
  }

  @ParameterizedTest(name = "Retry-After: \"{0}\"")
  @ValueSource(strings = {"", "soon", "1234567890", "Fri, 31 Dec 1999 23:59:59 GMT", "-1"})
  void aRetryAfterThatIsNotAShortNumberOfSecondsLeavesTheBackoffToDecide(String value)
      throws IOException {
    try (var s = busyOnce(value);
        Registry r = Registry.open(s.host(), options(SHORT, 10))) {
      r.ping();
      assertThat(s.requests).hasSize(2);
    }
  }

  @Test
  void aRetryAfterLongerThanTheLongestWaitIsCutToIt() throws IOException {
    RetryPolicy policy =
        new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(50), Duration.ofSeconds(30));
    try (var s = busyOnce("60");
        Registry r = Registry.open(s.host(), options(policy, 10))) {
      r.ping();
      assertThat(s.requests).hasSize(2);
    }
  }

  @Test
  void aFailedPingSaysWhatItWasDoing() throws IOException {
    try (var s = ScriptedRegistry.start(ex -> ScriptedRegistry.send(ex, 404, ""));
        Registry r = Registry.open(s.host(), noRetry())) {
      assertThatThrownBy(r::ping)
          .hasMessage("checking the registry API from " + s.host() + ": HTTP 404 Not Found");
      assertThat(List.copyOf(s.requests)).hasSize(1);
    }
  }

  @Test
  void anInterruptedRequestEndsInAnInterruptedIoExceptionKeepingTheFlag() throws IOException {
    try (var s = ScriptedRegistry.start(ex -> ScriptedRegistry.send(ex, 404, ""));
        Registry r = Registry.open(s.host(), noRetry())) {
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> r.manifest("a", "x"))
            .isInstanceOf(java.io.InterruptedIOException.class)
            .hasMessage("fetching manifest x of a from " + s.host() + ": interrupted");
      } finally {
        assertThat(Thread.interrupted()).isTrue();
      }
    }
  }

  @Test
  void anAnswerCutShortAfterItsHeadersIsAFailureToReachTheRegistry() throws IOException {
    try (var s =
            ScriptedRegistry.start(
                ex -> {
                  ex.sendResponseHeaders(200, 100);
                  ex.getResponseBody().write(new byte[10]);
                });
        Registry r = Registry.open(s.host(), noRetry(), ANY)) {
      assertThatThrownBy(() -> r.manifest("a", "x"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
          .hasMessageStartingWith("fetching manifest x of a from " + s.host() + ": ");
    }
  }
}
