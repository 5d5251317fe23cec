package dev.cairn.registry;

import static dev.cairn.registry.ScriptedRegistry.redirect;
import static dev.cairn.registry.ScriptedRegistry.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.cairn.CairnException;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Answers that would make the JDK's HTTP client throw an unchecked exception (a URL it cannot send
 * to, a header value it refuses) are each one clear error naming the request; unusual spellings
 * docker accepts (an uppercase scheme) are followed.
 */
class RegistryHostileAnswersTest {
  static ScriptedRegistry server;

  @BeforeAll
  static void start() throws IOException {
    server = ScriptedRegistry.start(RegistryHostileAnswersTest::answer);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String host() {
    return server.host();
  }

  /** Each repository misbehaves in its own way. */
  private static void answer(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    var h = ex.getResponseHeaders();
    if (path.startsWith("/v2/upper/")) {
      redirect(ex, 307, "HTTP://" + host() + "/v2/upper-redirected/manifests/1");
    } else if (path.startsWith("/v2/upper-realm/")) {
      if (ex.getRequestHeaders().getFirst("Authorization") == null) {
        h.set("WWW-Authenticate", "Bearer realm=\"HTTP://" + host() + "/token/upper\"");
        send(ex, 401, "{}");
      } else {
        send(ex, 404, "{}");
      }
    } else if (path.startsWith("/token")) {
      send(ex, 200, path.endsWith("newline") ? "{\"token\":\"a\\nb\"}" : "{\"token\":\"t\"}");
    } else if (path.startsWith("/v2/port/")) {
      redirect(ex, 307, "http://127.0.0.1:99999/v2/x");
    } else if (path.startsWith("/v2/nohost/")) {
      redirect(ex, 307, "http:/v2/x");
    } else if (path.startsWith("/v2/realm/")) {
      h.set("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:65536/token\"");
      send(ex, 401, "{}");
    } else if (path.startsWith("/v2/newline/")) {
      if (ex.getRequestHeaders().getFirst("Authorization") == null) {
        h.set("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token/newline\"");
        send(ex, 401, "{}");
      } else {
        send(ex, 404, "{}");
      }
    } else {
      send(ex, 404, "{}");
    }
  }

  static Stream<Arguments> answers() {
    return Stream.of(
        // name, repository, the reason the message must end with
        Arguments.of(
            "redirect to a port out of range",
            "port",
            "cannot send a request to http://127.0.0.1:99999/v2/x:"
                + " port 99999 is out of range (1 to 65535)"),
        Arguments.of(
            "redirect to a URL without a host",
            "nohost",
            "cannot send a request to http:/v2/x: the URL names no host"),
        Arguments.of(
            "token realm on a port out of range",
            "realm",
            "token realm http://127.0.0.1:65536/token: port 65536 is out of range (1 to 65535)"),
        Arguments.of(
            "token with a newline",
            "newline",
            "the token holds characters that cannot be sent in a header"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "a redirect, upper, /v2/upper-redirected/manifests/1",
    "a token realm, upper-realm, /token/upper"
  })
  void anUppercaseSchemeIsFollowedAsDockerFollowsIt(String what, String repository, String path)
      throws IOException {
    try (Registry r = Registry.open(host(), RegistryOptions.defaults())) {
      assertThatThrownBy(() -> r.manifest(repository, "1"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
    }
    assertThat(server.requests(path)).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answers")
  void isOneClearError(String name, String repository, String reason) throws IOException {
    try (Registry r = Registry.open(host(), RegistryOptions.defaults())) {
      assertThatThrownBy(() -> r.manifest(repository, "1"))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessageStartingWith("fetching manifest 1 of " + repository + " from " + host())
          .hasMessageEndingWith(reason);
    }
  }
}
