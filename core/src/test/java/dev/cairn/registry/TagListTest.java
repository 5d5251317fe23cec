package dev.cairn.registry;

import static dev.cairn.registry.ScriptedRegistry.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.cairn.CairnException;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tag list pages as a registry could answer them, including answers Distribution never gives (a
 * null or mistyped {@code tags}, several Link headers, a page at the size limit), and what the
 * client sends for them: its Accept header and the token scope it asks for.
 */
class TagListTest {
  static ScriptedRegistry server;

  @BeforeAll
  static void start() throws IOException {
    server = ScriptedRegistry.start(TagListTest::answer);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String host() {
    return server.host();
  }

  private static void answer(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String query = ex.getRequestURI().getRawQuery();
    var h = ex.getResponseHeaders();
    if (path.equals("/token")) {
      send(ex, 200, "{\"token\":\"t\"}");
      return;
    }
    if (!path.endsWith("/tags/list")) {
      send(ex, 404, "{}");
      return;
    }
    switch (path) {
      case "/v2/exact/tags/list" -> {
        String page = "{\"name\":\"exact\",\"tags\":[\"a\"]}";
        send(ex, 200, page + " ".repeat(TagList.MAX_PAGE - page.length()));
      }
      case "/v2/null/tags/list" -> send(ex, 200, "{\"name\":\"null\",\"tags\":null}");
      case "/v2/string/tags/list" -> send(ex, 200, "{\"name\":\"string\",\"tags\":\"a\"}");
      case "/v2/links/tags/list" -> {
        if (query == null) {
          h.add("Link", "</v2/links/tags/list?last=z>; rel=\"prev\"");
          h.add("Link", "</v2/links/tags/list?last=a>; rel=\"next\"");
          send(ex, 200, "{\"name\":\"links\",\"tags\":[\"a\"]}");
        } else {
          send(ex, 200, "{\"name\":\"links\",\"tags\":[\"b\"]}");
        }
      }
      case "/v2/scoped/tags/list" -> {
        if (ex.getRequestHeaders().getFirst("Authorization") == null) {
          h.set(
              "WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\",service=\"tags\"");
          send(ex, 401, "{}");
        } else {
          send(ex, 200, "{\"name\":\"scoped\",\"tags\":[\"s\"]}");
        }
      }
      default -> send(ex, 404, "{}");
    }
  }

  private static List<String> tags(String repository) throws IOException {
    try (Registry r = Registry.open(host(), RegistryOptions.defaults())) {
      return r.tags(repository);
    }
  }

  @Test
  void aPageOfExactlyTheLimitIsReadAndTheClientAsksForJson() throws IOException {
    assertThat(tags("exact")).containsExactly("a");
    assertThat(server.requests("/v2/exact/").stream().map(r -> r.header("Accept")))
        .containsExactly("application/json");
  }

  @Test
  void nullTagsAreNoTags() throws IOException {
    assertThat(tags("null")).isEmpty();
  }

  @Test
  void tagsThatAreNoListAreRefused() {
    assertThatThrownBy(() -> tags("string"))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage("listing tags of string from " + host() + ": tag list: tags is not a list");
  }

  @Test
  void theNextPageIsFoundInALaterLinkHeader() throws IOException {
    assertThat(tags("links")).containsExactly("a", "b");
  }

  @Test
  void theTokenIsAskedForWithThePullScopeOfTheRepository() throws IOException {
    assertThat(tags("scoped")).containsExactly("s");
    assertThat(server.requests("/token").stream().map(ScriptedRegistry.Request::query))
        .containsExactly("service=tags&scope=repository%3Ascoped%3Apull");
  }

  // RFC 8288: a link's parameters follow ';'; Distribution's client skips a link without one
  @Test
  void aRelationNotAfterASemicolonIsNoLinkParameter() {
    URI page = URI.create("https://r.example/v2/a/tags/list");
    assertThat(TagList.nextLink(page, "</p2>rel=next")).isNull();
    assertThat(TagList.nextLink(page, "</p2> ;rel=next"))
        .isEqualTo(URI.create("https://r.example/p2"));
  }
}
