package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.CairnException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each way an exchange fails, as the JDK's HTTP client reports it, becomes one sentence naming the
 * cause (and the host, when it is not the one the message names already), and is retried only where
 * another attempt can help: not for a name that does not resolve nor a refused certificate.
 */
class NetworkErrorsTest {
  private static final URI REGISTRY = URI.create("https://reg.example/v2/a/manifests/1");
  private static final URI CDN = URI.create("https://cdn.example:8443/blob");
  private static final NetworkErrors.Limits LIMITS =
      new NetworkErrors.Limits(Duration.ofSeconds(5), Duration.ofMillis(1500));

  static Stream<Arguments> failures() {
    return Stream.of(
        // name, failure, retryable, reason at the registry, reason at another host
        Arguments.of(
            "a name that does not resolve",
            new UnknownHostException("reg.example"),
            false,
            "cannot resolve host reg.example",
            "cannot resolve host cdn.example"),
        Arguments.of(
            "an unresolved address under another exception",
            new IOException("wrapped", new UnresolvedAddressException()),
            false,
            "cannot resolve host reg.example",
            "cannot resolve host cdn.example"),
        Arguments.of(
            "a silent body",
            new NetworkErrors.Silence(Duration.ofSeconds(30)),
            true,
            "no data for 30 s",
            "cdn.example:8443 sent no data for 30 s"),
        Arguments.of(
            "a trickling body",
            new IOException("read", new NetworkErrors.Trickle(10, Duration.ofMillis(60_500))),
            true,
            "too slow: 10 bytes in 60500 ms",
            "cdn.example:8443 is too slow: 10 bytes in 60500 ms"),
        Arguments.of(
            "a connection that does not open",
            new HttpConnectTimeoutException("HTTP connect timed out"),
            true,
            "connecting timed out after 5 s",
            "connecting to cdn.example:8443 timed out after 5 s"),
        Arguments.of(
            "headers that do not come",
            new HttpTimeoutException("request timed out"),
            true,
            "no answer within 1500 ms",
            "cdn.example:8443 did not answer within 1500 ms"),
        Arguments.of(
            "a refused certificate",
            new SSLHandshakeException("PKIX path building failed"),
            false,
            "TLS handshake failed: PKIX path building failed",
            "TLS handshake with cdn.example:8443 failed: PKIX path building failed"),
        Arguments.of(
            "a handshake cut by a reset",
            new SSLException("Connection reset", new SocketException("Connection reset")),
            true,
            "connection reset",
            "connection reset by cdn.example:8443"),
        Arguments.of(
            "a handshake cut short",
            new SSLHandshakeException("Remote host terminated the handshake", new EOFException()),
            true,
            "TLS handshake failed: Remote host terminated the handshake",
            "TLS handshake with cdn.example:8443 failed: Remote host terminated the handshake"),
        Arguments.of(
            "a broken pipe",
            new IOException("Broken pipe"),
            true,
            "connection reset",
            "connection reset by cdn.example:8443"),
        Arguments.of(
            "a body cut before its length",
            new IOException("reading", new NetworkErrors.Cut(10, 20)),
            true,
            "connection closed after 10 of 20 bytes",
            "connection closed by cdn.example:8443 after 10 of 20 bytes"),
        Arguments.of(
            "an end of stream",
            new EOFException(),
            true,
            "connection closed",
            "connection closed by cdn.example:8443"),
        Arguments.of(
            "no bytes at all",
            new IOException("HTTP/1.1 header parser received no bytes"),
            true,
            "connection closed",
            "connection closed by cdn.example:8443"),
        Arguments.of(
            "EOF in the message",
            new IOException("EOF reached while reading"),
            true,
            "connection closed",
            "connection closed by cdn.example:8443"),
        Arguments.of(
            "a closed connection under another exception",
            new IOException("failed", new IOException("connection was closed")),
            true,
            "connection closed",
            "connection closed by cdn.example:8443"),
        Arguments.of(
            "an unreachable network",
            new NoRouteToHostException("Host is unreachable"),
            true,
            "no route to reg.example",
            "no route to cdn.example:8443"),
        Arguments.of(
            "no route",
            new ConnectException("No route to host"),
            true,
            "no route to reg.example",
            "no route to cdn.example:8443"),
        Arguments.of(
            "a refused connection",
            new ConnectException(null),
            true,
            "connection refused",
            "connection refused by cdn.example:8443"),
        Arguments.of(
            "anything else",
            new IOException("strange\nthing"),
            true,
            "strange\\x0athing",
            "cdn.example:8443: strange\\x0athing"),
        Arguments.of(
            "anything else without a message",
            new IOException((String) null),
            true,
            "IOException",
            "cdn.example:8443: IOException"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void eachFailureIsOneSentenceAndRetriedOnlyWhereThatCanHelp(
      String name, IOException e, boolean retryable, String atRegistry, String elsewhere) {
    assertThat(NetworkErrors.reason(e, REGISTRY, "reg.example", LIMITS)).isEqualTo(atRegistry);
    assertThat(NetworkErrors.reason(e, CDN, "reg.example", LIMITS)).isEqualTo(elsewhere);
    assertThat(NetworkErrors.retryable(e)).isEqualTo(retryable);
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "https://reg.example/v2/, reg.example",
    "https://reg.example:5000/v2/, reg.example:5000",
    "https://[::1]:5000/v2/, [::1]:5000",
    "https://under_score:5000/v2/, under_score:5000"
  })
  void aHostIsNamedWithItsPort(String uri, String host) {
    assertThat(NetworkErrors.hostOf(URI.create(uri))).isEqualTo(host);
  }

  @Test
  void theFailureIsUnavailableAndKeepsItsCause() {
    IOException cause = new ConnectException(null);
    CairnException e =
        NetworkErrors.unavailable(
            "pulling a", "reg.example", REGISTRY, cause, LIMITS, " (after 3 attempts)");
    assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE);
    assertThat(e).hasMessage("pulling a: connection refused (after 3 attempts)").hasCause(cause);
  }

  @Test
  void theLimitsAreTheOptions() {
    RegistryOptions o = RegistryOptions.defaults();
    assertThat(NetworkErrors.Limits.of(o))
        .isEqualTo(new NetworkErrors.Limits(o.connectTimeout(), o.responseTimeout()));
    assertThat(new NetworkErrors.Silence(Duration.ofSeconds(2)).limit())
        .isEqualTo(Duration.ofSeconds(2));
  }
}
