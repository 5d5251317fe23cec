package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code WWW-Authenticate} (RFC 9110 §11.6.1) at the edges of its grammar: list separators and
 * optional whitespace (BWS around '=', OWS around ','), tokens of every tchar, unquoted values with
 * token68's '/' and trailing '=', and malformed headers named by position.
 */
class ChallengeTest {

  static Stream<Arguments> headers() {
    return Stream.of(
        // name, header, challenges
        Arguments.of(
            "empty list elements before and between", " , Basic", List.of(basic(Map.of()))),
        Arguments.of(
            "whitespace around '=' and ','",
            "Bearer realm = \"r\" ,\tservice =\ts",
            List.of(bearer(Map.of("realm", "r", "service", "s")))),
        Arguments.of(
            "empty list elements among parameters",
            "Bearer , realm=r,, service=s",
            List.of(bearer(Map.of("realm", "r", "service", "s")))),
        Arguments.of(
            "a scheme alone after another challenge",
            "Bearer realm=r, Basic",
            List.of(bearer(Map.of("realm", "r")), basic(Map.of()))),
        Arguments.of(
            "a value with '/' and a token68 tail",
            "Bearer token=abc/def==,x=y",
            List.of(bearer(Map.of("token", "abc/def==", "x", "y")))),
        // as Distribution's parser: a value may be empty, even at the very end
        Arguments.of(
            "an empty value at the end", "Bearer realm=", List.of(bearer(Map.of("realm", "")))),
        Arguments.of(
            "every tchar in a scheme and a name",
            "AZaz09!#$%&'*+-.^_`|~ AZaz09!#$%&'*+-.^_`|~=v",
            List.of(new Challenge("azaz09!#$%&'*+-.^_`|~", Map.of("azaz09!#$%&'*+-.^_`|~", "v")))));
  }

  private static Challenge basic(Map<String, String> params) {
    return new Challenge("basic", params);
  }

  private static Challenge bearer(Map<String, String> params) {
    return new Challenge("bearer", params);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("headers")
  void parsesTheGrammarsEdges(String name, String header, List<Challenge> expected) {
    assertThat(Challenge.parse(List.of(header))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no scheme | =x | at character 1: expected an auth scheme",
        "junk after a value | Bearer realm=r x | at character 16: expected ',' after parameter realm",
        "an escape at the end | Bearer realm=\"abc\\ | at character 19: unterminated quoted string",
        "an at sign is no tchar | Bearer a@b=c | at character 9: expected an auth scheme",
        "a bracket is no tchar | Bearer a[=c | at character 9: expected an auth scheme",
        "a brace is no tchar | Bearer a{=c | at character 9: expected an auth scheme",
        "a colon is no tchar | Bearer a:=c | at character 9: expected an auth scheme",
        "a slash is no tchar in a name | Bearer a/=c | at character 9: expected an auth scheme"
      })
  void malformedHeadersAreRefusedNamingWhere(String name, String header, String message) {
    assertThatThrownBy(() -> Challenge.parse(List.of(header)))
        .isInstanceOf(CairnException.class)
        .hasMessage("malformed WWW-Authenticate header " + message);
  }
}
