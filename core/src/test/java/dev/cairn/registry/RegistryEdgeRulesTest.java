package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The registry client's small rules at their edges: each value just inside and just outside. */
class RegistryEdgeRulesTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "407, false",
    "408, true",
    "429, true",
    "499, false",
    "500, true",
    "599, true",
    "600, false"
  })
  void onlyTimeoutsThrottlingAndServerErrorsAreRetried(int status, boolean retried) {
    assertThat(Transport.isRetryable(status)).isEqualTo(retried);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "127.0.0.0, true",
    "127.255.255.255, true",
    "127.0.0.256, false",
    "127.0.0.1234, false",
    "127..0.1, false",
    "127.0.0.x, false",
    "127.0.0.1.2, false",
    "0:0:0:0:0:0:0:1, true",
    "LOCALHOST, true"
  })
  void loopbackIsLocalhostOrAnIpv4AddressIn127(String host, boolean loopback) {
    assertThat(Endpoint.isLoopback(host)).isEqualTo(loopback);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @CsvSource({
    "reg.example:5000, reg.example",
    "reg.example, reg.example",
    ":5000, ''",
    "'[::1]:5000', ::1",
    "'[::1', '[::1'"
  })
  void theHostOfAnEndpointDropsItsPortAndBrackets(String endpoint, String host) {
    assertThat(Endpoint.hostWithoutPort(endpoint)).isEqualTo(host);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"http://h:0/x, h:0", "http://h:1/x, h:1", "http://h/x, h"})
  void aHostInAMessageKeepsTheGivenPort(String uri, String host) {
    assertThat(NetworkErrors.hostOf(URI.create(uri))).isEqualTo(host);
  }

  @Test
  void aPushAsksToPullFromAMountSourceOnlyWhenItIsAnotherRepository() {
    assertThat(RegistryOperation.pushScope("a", null)).isEqualTo("repository:a:pull,push");
    assertThat(RegistryOperation.pushScope("a", "a")).isEqualTo("repository:a:pull,push");
    assertThat(RegistryOperation.pushScope("a", "b"))
        .isEqualTo("repository:a:pull,push repository:b:pull");
  }

  @Test
  void aTimeoutOfOneMillisecondAndNoRedirectsAreAllowedLessIsNot() {
    RegistryOptions d = RegistryOptions.defaults();
    Duration ms = Duration.ofMillis(1);
    assertThat(d.withTimeouts(ms, ms, ms).readTimeout()).isEqualTo(ms);
    assertThatThrownBy(() -> d.withTimeouts(ms, ms, Duration.ofNanos(999_999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeouts must be at least 1 ms, got PT0.000999999S");
    assertThat(withMaxRedirects(d, 0).maxRedirects()).isZero();
    assertThatThrownBy(() -> withMaxRedirects(d, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRedirects must not be negative");
  }

  static RegistryOptions withMaxRedirects(RegistryOptions d, int max) {
    return new RegistryOptions(
        d.insecureRegistries(),
        d.caCertificates(),
        d.credentials(),
        d.connectTimeout(),
        d.responseTimeout(),
        d.readTimeout(),
        d.retry(),
        d.userAgent(),
        max,
        d.registries());
  }

  @Test
  void aUserAgentReplacesOnlyTheUserAgent() {
    RegistryOptions d = RegistryOptions.defaults();
    RegistryOptions o = d.withUserAgent("cairn-test/1");
    assertThat(o.userAgent()).isEqualTo("cairn-test/1");
    assertThat(o.withUserAgent(d.userAgent())).isEqualTo(d);
  }

  @Test
  void theMachinesDaemonJsonAddsItsInsecureRegistries(@TempDir Path dir) throws IOException {
    Path daemon =
        Files.writeString(
            dir.resolve("daemon.json"), "{\"insecure-registries\":[\"i.example:5000\"]}");
    RegistryOptions o =
        RegistryOptions.defaults()
            .withInsecureRegistries(java.util.Set.of("mine.example"))
            .withMachineConfiguration(
                Map.of(
                    "CAIRN_DAEMON_JSON",
                    daemon.toString(),
                    "CAIRN_REGISTRIES_CONF",
                    dir.resolve("absent.conf").toString()),
                List.of());
    assertThat(o.insecureRegistries()).containsExactlyInAnyOrder("mine.example", "i.example:5000");
    assertThat(Endpoint.usesPlainHttp("i.example:5000", o)).isTrue();
    assertThat(Endpoint.usesPlainHttp("other.example:5000", o)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"127.0.0.1:5000", "reg.example"})
  void aCaFileWithoutACertificateIsRefusedWhenTheRegistryIsOpened(String host, @TempDir Path dir)
      throws IOException {
    Path empty = Files.writeString(dir.resolve("ca.pem"), "");
    assertThatThrownBy(
            () ->
                Registry.open(host, RegistryOptions.defaults().withCaCertificates(List.of(empty))))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage("CA certificate file " + empty + " holds no certificate");
  }

  @Test
  void aRegistryReachedOverTlsTakesATokenRealmOnlyOverTls() throws IOException {
    Challenge plain = new Challenge("bearer", Map.of("realm", "http://auth.example/token"));
    try (Registry tls = Registry.open("reg.example", RegistryOptions.defaults());
        Registry local = Registry.open("127.0.0.1:5000", RegistryOptions.defaults())) {
      assertThatThrownBy(() -> tls.authenticator().realm(plain))
          .isInstanceOf(CairnException.class)
          .hasMessageContaining("must use https");
      assertThat(local.authenticator().realm(plain))
          .isEqualTo(URI.create("http://auth.example/token"));
    }
  }

  @Test
  void aWaitInterruptedEndsInAnInterruptedIoExceptionKeepingTheFlag() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Transport.pause(Duration.ofMinutes(1)))
          .isInstanceOf(java.io.InterruptedIOException.class)
          .hasMessage("interrupted while waiting to retry");
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"127.0.0.1:5000, http://127.0.0.1:5000/v2/", "reg.example, https://reg.example/v2/"})
  void closingAnEndpointShutsItsClientDown(String host, URI uri) throws Exception {
    Endpoint e = new Endpoint(host, host, RegistryOptions.defaults());
    java.net.http.HttpClient client = e.client(uri);
    e.close();
    // A bound on waiting, not a measure: shutdownNow ends an idle client at once.
    assertThat(client.awaitTermination(Duration.ofSeconds(30))).isTrue();
  }
}
