package dev.cairn.registry;

import dev.cairn.CairnException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One authentication challenge from a {@code WWW-Authenticate} header (RFC 9110 §11.6.1): a scheme
 * and its parameters, e.g. {@code Bearer realm="https://auth/token",service="reg"}.
 *
 * @param scheme the scheme, lowercased ({@code basic}, {@code bearer})
 * @param params the auth-params, names lowercased, values unquoted
 */
record Challenge(String scheme, Map<String, String> params) {

  Challenge {
    params = Map.copyOf(params);
  }

  String param(String name) {
    return params.get(name);
  }

  /**
   * Parses every challenge in the given header values. The grammar: {@code challenge *( ","
   * challenge )}, {@code challenge = scheme [ 1*SP ( token68 / #auth-param ) ]}, {@code auth-param
   * = token "=" ( token / quoted-string )}, where a quoted string may hold backslash escapes.
   */
  static List<Challenge> parse(List<String> headerValues) {
    List<Challenge> all = new ArrayList<>();
    for (String value : headerValues) {
      all.addAll(new Parser(value).challenges());
    }
    return all;
  }

  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    List<Challenge> challenges() {
      List<Challenge> out = new ArrayList<>();
      skipSeparators();
      while (i < s.length()) {
        String scheme = token();
        if (scheme.isEmpty()) {
          throw bad("expected an auth scheme");
        }
        Map<String, String> params = new LinkedHashMap<>();
        skipSpaces();
        // auth-params until the next "scheme" (a token not followed by '=')
        while (i < s.length()) {
          int mark = i;
          String name = token();
          skipSpaces();
          if (name.isEmpty() || i >= s.length() || s.charAt(i) != '=') {
            i = mark;
            if (name.isEmpty() && i < s.length() && s.charAt(i) == ',') {
              skipSeparators();
              continue;
            }
            break;
          }
          i++; // '='
          skipSpaces();
          String value =
              i < s.length() && s.charAt(i) == '"'
                  ? quoted()
                  : token68OrToken(); // token68 tails like "abc==" are kept whole
          params.put(name.toLowerCase(Locale.ROOT), value);
          skipSpaces();
          if (i < s.length() && s.charAt(i) == ',') {
            skipSeparators();
          } else if (i < s.length()) {
            throw bad("expected ',' after parameter " + name);
          }
        }
        out.add(new Challenge(scheme.toLowerCase(Locale.ROOT), params));
        skipSeparators();
      }
      return out;
    }

    private String token() {
      int start = i;
      while (i < s.length() && isTokenChar(s.charAt(i))) {
        i++;
      }
      return s.substring(start, i);
    }

    private String token68OrToken() {
      int start = i;
      while (i < s.length() && (isTokenChar(s.charAt(i)) || s.charAt(i) == '/')) {
        i++;
      }
      while (i < s.length() && s.charAt(i) == '=') {
        i++;
      }
      return s.substring(start, i);
    }

    private String quoted() {
      StringBuilder b = new StringBuilder();
      i++; // opening quote
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          if (i >= s.length()) {
            break;
          }
          c = s.charAt(i++);
        }
        b.append(c);
      }
      throw bad("unterminated quoted string");
    }

    private void skipSpaces() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
    }

    private void skipSeparators() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ',')) {
        i++;
      }
    }

    private CairnException bad(String why) {
      return CairnException.invalid(
          "malformed WWW-Authenticate header at character " + (i + 1) + ": " + why);
    }

    // RFC 9110 tchar
    private static boolean isTokenChar(char c) {
      return c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
  }
}
