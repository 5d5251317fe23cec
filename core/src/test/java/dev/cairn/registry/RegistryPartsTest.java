package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The registry client's small parts, each on its own. */
class RegistryPartsTest {

  static Stream<Arguments> challenges() {
    return Stream.of(
        Arguments.of(
            "bearer with quoted params",
            "Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull\"",
            List.of(
                new Challenge(
                    "bearer",
                    Map.of(
                        "realm", "https://auth.example/token",
                        "service", "registry.example",
                        "scope", "repository:a/b:pull")))),
        Arguments.of(
            "escapes and a comma inside quotes",
            "Bearer realm=\"https://a/t\", scope=\"repository:x:pull,push\", error=\"say \\\"hi\\\"\"",
            List.of(
                new Challenge(
                    "bearer",
                    Map.of(
                        "realm", "https://a/t",
                        "scope", "repository:x:pull,push",
                        "error", "say \"hi\"")))),
        Arguments.of(
            "two challenges in one header, case-insensitive names",
            "Basic Realm=\"reg\", BEARER realm=\"https://a/t\",service=s",
            List.of(
                new Challenge("basic", Map.of("realm", "reg")),
                new Challenge("bearer", Map.of("realm", "https://a/t", "service", "s")))),
        Arguments.of("scheme alone", "Basic", List.of(new Challenge("basic", Map.of()))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("challenges")
  void parsesWwwAuthenticate(String name, String header, List<Challenge> expected) {
    assertThat(Challenge.parse(List.of(header))).isEqualTo(expected);
  }

  @Test
  void malformedChallengeIsAClearError() {
    assertThatThrownBy(() -> Challenge.parse(List.of("Bearer realm=\"unterminated")))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("unterminated quoted string");
  }

  // Found by RegistryFuzzTest: an expiry past Instant's range threw DateTimeException.
  @ParameterizedTest
  @MethodSource("tokenLives")
  void aTokensLifeIsKeptBetweenAMinuteAndAYear(String expiresIn, java.time.Duration kept) {
    java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");
    byte[] answer =
        ("{\"token\":\"t\",\"expires_in\":" + expiresIn + "}").getBytes(StandardCharsets.UTF_8);
    Authenticator.Token t = Authenticator.token(answer, "token", now);
    // Renewal comes a few seconds early, the same margin whatever the life.
    java.time.Duration margin =
        java.time.Duration.ofSeconds(300)
            .minus(
                java.time.Duration.between(
                    now,
                    Authenticator.token(
                            "{\"token\":\"t\",\"expires_in\":300}".getBytes(StandardCharsets.UTF_8),
                            "token",
                            now)
                        .expires()));
    assertThat(java.time.Duration.between(now, t.expires()).plus(margin)).isEqualTo(kept);
  }

  // Found by RegistryFuzzTest: an exponent past BigDecimal's range threw NumberFormatException.
  @Test
  void aTokenAnswerWithANumberPastAnyRangeIsRefused() {
    byte[] answer =
        "{\"token\":\"t\",\"expires_in\":3e0666666666666666666666}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(
            () -> Authenticator.token(answer, "getting a token", java.time.Instant.EPOCH))
        .isInstanceOf(CairnException.class)
        .hasMessage("getting a token: number 3e0666666666666666666666 is out of range");
  }

  static Stream<Arguments> tokenLives() {
    return Stream.of(
        Arguments.of("3", java.time.Duration.ofSeconds(60)),
        Arguments.of("-1e30", java.time.Duration.ofSeconds(60)),
        Arguments.of("3600", java.time.Duration.ofSeconds(3600)),
        Arguments.of("3600.9", java.time.Duration.ofSeconds(3600)),
        Arguments.of("9223372036854775807", java.time.Duration.ofDays(365)),
        Arguments.of("1e999999999", java.time.Duration.ofDays(365)));
  }

  @Test
  void linkHeaderNextPage() {
    URI page = URI.create("http://r:5000/v2/a/tags/list?n=2");
    assertThat(TagList.nextLink(page, "</v2/a/tags/list?n=2&last=b>; rel=\"next\""))
        .isEqualTo(URI.create("http://r:5000/v2/a/tags/list?n=2&last=b"));
    assertThat(TagList.nextLink(page, "<https://x/prev>; rel=\"prev\", <https://x/n>; rel=next"))
        .isEqualTo(URI.create("https://x/n"));
    assertThat(TagList.nextLink(page, "<https://x/prev>; rel=\"prev\"")).isNull();
  }

  @Test
  void loopbackHostsUsePlainHttpOthersNeedInsecure() {
    RegistryOptions d = RegistryOptions.defaults();
    assertThat(Endpoint.usesPlainHttp("127.0.0.1:5000", d)).isTrue();
    assertThat(Endpoint.usesPlainHttp("127.1.2.3", d)).isTrue();
    assertThat(Endpoint.usesPlainHttp("localhost:5000", d)).isTrue();
    assertThat(Endpoint.usesPlainHttp("[::1]:5000", d)).isTrue();
    assertThat(Endpoint.usesPlainHttp("128.0.0.1:5000", d)).isFalse();
    assertThat(Endpoint.usesPlainHttp("127.0.0.1.example:5000", d)).isFalse();
    assertThat(Endpoint.usesPlainHttp("reg.example:5000", d)).isFalse();
    RegistryOptions insecure = d.withInsecureRegistries(java.util.Set.of("reg.example"));
    assertThat(Endpoint.usesPlainHttp("reg.example:5000", insecure)).isTrue();
  }

  @Test
  void tokenRealmMustBeHttpsUnlessTheRegistryIsInsecure() {
    Challenge plain = new Challenge("bearer", Map.of("realm", "http://auth.example/token"));
    try (HttpClient http = HttpClient.newHttpClient()) {
      Authenticator tls =
          new Authenticator(
              "reg.example", false, RegistryOptions.defaults(), uri -> http, Clock.systemUTC());
      assertThatThrownBy(() -> tls.realm(plain))
          .isInstanceOf(CairnException.class)
          .hasMessageContaining("must use https");
      Authenticator insecure =
          new Authenticator(
              "reg.example", true, RegistryOptions.defaults(), uri -> http, Clock.systemUTC());
      assertThat(insecure.realm(plain)).isEqualTo(URI.create("http://auth.example/token"));
      assertThatThrownBy(
              () -> tls.realm(new Challenge("bearer", Map.of("realm", "file:///etc/passwd"))))
          .hasMessageContaining("must use https");
    }
  }

  static Stream<Arguments> unreachableHosts() {
    return Stream.of(
        // name, host, the reason the message must give
        Arguments.of("port above 65535", "127.0.0.1:99999", "port 99999 is out of range"),
        Arguments.of("port zero", "reg.example:0", "port 0 is out of range"),
        Arguments.of("two '::' in IPv6", "[1::2::3]:5000", "not a valid IPv6 address"),
        Arguments.of("IPv6 group too long", "[12345::1]", "not a valid IPv6 address"),
        Arguments.of("numeric last label", "registry.1", "neither an IPv4 address nor"),
        Arguments.of("IPv4 part above 255", "999.1.1.1", "neither an IPv4 address nor"),
        Arguments.of("colons in a name", "a:b:c", "invalid registry host"),
        Arguments.of("label over 63", "a".repeat(64) + ".example", "longer than 63"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreachableHosts")
  void aHostTheHttpClientCannotReachIsInvalidInput(String name, String host, String reason) {
    assertThatThrownBy(() -> Registry.open(host, RegistryOptions.defaults()))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessageStartingWith("invalid registry host")
        .hasMessageContaining(reason);
  }

  @Test
  void aTokenRealmOnAPortOutOfRangeIsRefused() {
    try (HttpClient http = HttpClient.newHttpClient()) {
      Authenticator auth =
          new Authenticator(
              "reg.example", false, RegistryOptions.defaults(), uri -> http, Clock.systemUTC());
      assertThatThrownBy(
              () ->
                  auth.realm(
                      new Challenge("bearer", Map.of("realm", "https://auth.example:99999/t"))))
          .isInstanceOf(CairnException.class)
          .hasMessage(
              "reg.example: token realm https://auth.example:99999/t:"
                  + " port 99999 is out of range (1 to 65535)");
    }
  }

  static Stream<Arguments> mismatches() {
    String config =
        "\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:" + "0".repeat(64) + "\",\"size\":1}";
    return Stream.of(
        Arguments.of(
            "manifest type with manifests",
            MediaTypes.OCI_MANIFEST,
            "{\"schemaVersion\":2,\"manifests\":[]}",
            "has manifests, as an index"),
        Arguments.of(
            "index type with layers",
            MediaTypes.OCI_INDEX,
            "{\"schemaVersion\":2,\"manifests\":[]," + config + ",\"layers\":[]}",
            "has config or layers"),
        Arguments.of(
            "header and mediaType field disagree",
            MediaTypes.DOCKER_MANIFEST,
            "{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.DOCKER_LIST
                + "\",\"manifests\":[]}",
            "says its mediaType is"),
        Arguments.of(
            "schema1 type with version 2",
            MediaTypes.DOCKER_SCHEMA1_SIGNED,
            "{\"schemaVersion\":2,\"fsLayers\":[]}",
            "must have schemaVersion 1"),
        Arguments.of("not JSON", MediaTypes.OCI_MANIFEST, "<html>", "JSON"),
        Arguments.of(
            "unknown kind", "application/json", "{\"schemaVersion\":2}", "no manifest kind"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mismatches")
  void contentMustAgreeWithItsMediaType(String name, String type, String body, String reason) {
    assertThatThrownBy(
            () -> ManifestVerifier.structural().verify(body.getBytes(StandardCharsets.UTF_8), type))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void typeIsInferredWhenTheRegistrySaysOnlyJson() {
    byte[] index = "{\"schemaVersion\":2,\"manifests\":[]}".getBytes(StandardCharsets.UTF_8);
    ManifestVerifier.Verified v = ManifestVerifier.structural().verify(index, "application/json");
    assertThat(v.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(v.digest()).isEqualTo(Digest.sha256(index));
  }

  @Test
  void registryErrorBodiesBecomeSentences() {
    byte[] body =
        "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\"},{\"code\":\"NAME_UNKNOWN\"}]}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(RegistryErrors.describe(403, body))
        .isEqualTo("DENIED: requested access to the resource is denied; NAME_UNKNOWN");
    assertThat(RegistryErrors.describe(502, "<html>".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("HTTP 502 Bad Gateway");
    assertThat(RegistryErrors.kindOf(403)).isEqualTo(CairnException.Kind.UNAUTHORIZED);
    assertThat(RegistryErrors.kindOf(429)).isEqualTo(CairnException.Kind.UNAVAILABLE);
  }

  @Test
  void backoffDoublesUpToTheCap() {
    RetryPolicy p =
        new RetryPolicy(5, java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(350));
    assertThat(List.of(p.backoff(1), p.backoff(2), p.backoff(3), p.backoff(4)))
        .extracting(java.time.Duration::toMillis)
        .containsExactly(100L, 200L, 350L, 350L);
  }
}
