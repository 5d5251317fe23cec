package dev.cairn.registry;

import dev.cairn.CairnException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader for the registry's own little documents (error bodies, tokens, tag
 * lists, credential files, the fields a manifest check looks at). Objects become maps (last
 * duplicate wins, as in Go), arrays lists, numbers BigDecimal, null {@link #NULL}.
 */
final class JsonText {
  /** The JSON null. */
  static final Object NULL = new Object();

  private static final int MAX_DEPTH = 128;
  private final String s;
  private int i;

  private JsonText(String s) {
    this.s = s;
  }

  static Object parse(byte[] utf8) {
    return parse(new String(utf8, StandardCharsets.UTF_8));
  }

  static Object parse(String text) {
    JsonText p = new JsonText(text);
    p.ws();
    Object v = p.value(0);
    p.ws();
    if (p.i != text.length()) {
      throw p.bad("unexpected text after the value");
    }
    return v;
  }

  /** The object's member {@code key} when it is of {@code type}, else null. */
  static <T> T member(Object object, String key, Class<T> type) {
    if (object instanceof Map<?, ?> m && type.isInstance(m.get(key))) {
      return type.cast(m.get(key));
    }
    return null;
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw bad("nested too deeply");
    }
    if (i >= s.length()) {
      throw bad("unexpected end");
    }
    char c = s.charAt(i);
    switch (c) {
      case '{' -> {
        i++;
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (peek('}')) {
          return m;
        }
        do {
          ws();
          if (i >= s.length() || s.charAt(i) != '"') {
            throw bad("expected a string key");
          }
          String k = string();
          ws();
          expect(':');
          ws();
          m.put(k, value(depth + 1));
          ws();
        } while (peek(','));
        expect('}');
        return m;
      }
      case '[' -> {
        i++;
        List<Object> l = new ArrayList<>();
        ws();
        if (peek(']')) {
          return l;
        }
        do {
          ws();
          l.add(value(depth + 1));
          ws();
        } while (peek(','));
        expect(']');
        return l;
      }
      case '"' -> {
        return string();
      }
      case 't' -> {
        literal("true");
        return Boolean.TRUE;
      }
      case 'f' -> {
        literal("false");
        return Boolean.FALSE;
      }
      case 'n' -> {
        literal("null");
        return NULL;
      }
      default -> {
        return number();
      }
    }
  }

  private String string() {
    i++; // opening quote
    StringBuilder b = new StringBuilder();
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        throw bad("control character in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (i >= s.length()) {
        break;
      }
      char e = s.charAt(i++);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) {
            throw bad("short \\u escape");
          }
          try {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          } catch (NumberFormatException x) {
            throw bad("bad \\u escape");
          }
          i += 4;
        }
        default -> throw bad("bad escape \\" + e);
      }
    }
    throw bad("unterminated string");
  }

  private BigDecimal number() {
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    if (start == i) {
      throw bad("unexpected character '" + s.charAt(i) + "'");
    }
    try {
      return new BigDecimal(s.substring(start, i));
    } catch (NumberFormatException e) {
      throw bad("bad number");
    }
  }

  private void literal(String word) {
    if (!s.startsWith(word, i)) {
      throw bad("unexpected character '" + s.charAt(i) + "'");
    }
    i += word.length();
  }

  private boolean peek(char c) {
    if (i < s.length() && s.charAt(i) == c) {
      i++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw bad("expected '" + c + "'");
    }
  }

  private void ws() {
    while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
  }

  private CairnException bad(String why) {
    return CairnException.invalid("invalid JSON at offset " + i + ": " + why);
  }
}
