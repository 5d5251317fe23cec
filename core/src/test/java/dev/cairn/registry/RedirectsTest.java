package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The URL rules redirects and tag-list pages follow: an origin is scheme, host and port with the
 * scheme's default filled in (RFC 6454), compared without regard to case; a next page comes from
 * the Link header's {@code rel="next"} (RFC 8288), resolved against the page.
 */
class RedirectsTest {

  @ParameterizedTest(name = "{0} and {1}: {2}")
  @CsvSource({
    "https://a.example/x, https://a.example:443/y, true",
    "http://a.example/x, http://a.example:80/, true",
    "HTTPS://A.Example/x, https://a.EXAMPLE/, true",
    "http://a.example/, https://a.example/, false",
    "https://a.example:5000/, https://a.example:5001/, false",
    "https://a.example/, https://b.example/, false",
    "http://a.example:443/, https://a.example/, false",
    "https://a.example/, https://a.example:80/, false"
  })
  void anOriginIsSchemeHostAndPort(String a, String b, boolean same) {
    assertThat(Redirects.sameOrigin(URI.create(a), URI.create(b))).isEqualTo(same);
    assertThat(Redirects.sameOrigin(URI.create(b), URI.create(a))).isEqualTo(same);
  }

  @ParameterizedTest(name = "{0} is port {1}")
  @CsvSource({
    "https://a.example/, 443",
    "http://a.example/, 80",
    "http://a.example:0/, 0",
    "https://a.example:8443/, 8443"
  })
  void thePortIsTheSchemesDefaultUnlessGiven(String uri, int port) {
    assertThat(Redirects.port(URI.create(uri))).isEqualTo(port);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no page size | 0 | https://r.example:5000/v2/a/b/tags/list",
        "a page size | 1 | https://r.example:5000/v2/a/b/tags/list?n=1",
        "a negative page size | -1 | https://r.example:5000/v2/a/b/tags/list"
      })
  void theFirstTagPageAsksForThePageSizeWhenOneIsSet(String name, int size, String uri) {
    assertThat(TagList.first(URI.create("https://r.example:5000/x"), "a/b", size))
        .isEqualTo(URI.create(uri));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a relative next | </v2/a/tags/list?last=b&n=2>; rel=\"next\" "
            + "| https://r.example/v2/a/tags/list?last=b&n=2",
        "next among other relations | <https://o.example/p2>; rel=\"prev next\" "
            + "| https://o.example/p2",
        "the next of two links | </p1>; rel=prev, </p3>; REL=next | https://r.example/p3",
        "no next | </p1>; rel=prev | ",
        "no angle brackets | /p2; rel=next | "
      })
  void theNextPageIsTheLinkWithRelNext(String name, String header, String next) {
    URI page = URI.create("https://r.example/v2/a/tags/list?n=2");
    assertThat(TagList.nextLink(page, header)).isEqualTo(next == null ? null : URI.create(next));
  }
}
