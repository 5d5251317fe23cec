package dev.cairn.json;

import dev.cairn.CairnException;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonBool;
import dev.cairn.json.JsonValue.JsonNull;
import dev.cairn.json.JsonValue.JsonNumber;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.JsonValue.Member;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses JSON exactly as strictly as Go's encoding/json validates it (RFC 8259, any bytes but
 * control characters inside strings, nesting up to 10,000 levels) into {@link JsonValue}s that keep
 * their source bytes. Iterative, so hostile nesting cannot overflow the stack.
 */
public final class Json {
  /** Go's maxNestingDepth. */
  static final int MAX_DEPTH = 10_000;

  private Json() {}

  /** Parses a whole document; anything but whitespace after the value is an error. */
  public static JsonValue parse(byte[] src) {
    return new Parser(src).document();
  }

  /** Parses a document that must be an object; {@code what} names it in errors. */
  public static JsonObject parseObject(byte[] src, String what) {
    JsonValue v;
    try {
      v = parse(src);
    } catch (CairnException e) {
      throw e.in(what);
    }
    if (v instanceof JsonObject o) {
      return o;
    }
    throw CairnException.invalid(what + ": expected a JSON object, got " + v.typeName());
  }

  private static final class Frame {
    final boolean object;
    final int start;
    final List<Member> members;
    final List<JsonValue> items;
    String key;

    Frame(boolean object, int start) {
      this.object = object;
      this.start = start;
      this.members = object ? new ArrayList<>() : null;
      this.items = object ? null : new ArrayList<>();
    }
  }

  private static final class Parser {
    private final byte[] s;
    private final ArrayDeque<Frame> stack = new ArrayDeque<>(); // the open containers
    private int pos;

    Parser(byte[] s) {
      this.s = s;
    }

    JsonValue document() {
      ws();
      JsonValue done = null;
      boolean wantKey = false;
      while (true) {
        JsonValue v = null;
        if (wantKey) {
          if (peek() != '"') {
            throw error(
                "invalid character "
                    + describe(peek())
                    + " looking for beginning of object key string");
          }
          int kstart = pos;
          string();
          stack.peek().key = GoText.unquote(s, kstart, pos);
          ws();
          if (peek() != ':') {
            throw error("invalid character " + describe(peek()) + " after object key");
          }
          pos++;
          ws();
          wantKey = false;
          continue;
        }
        int c = peek();
        int start = pos;
        switch (c) {
          case '{', '[' -> {
            if (stack.size() >= MAX_DEPTH) {
              throw error("exceeded max depth of " + MAX_DEPTH);
            }
            pos++;
            ws();
            boolean object = c == '{';
            if (peek() == (object ? '}' : ']')) {
              pos++;
              v =
                  object
                      ? new JsonObject(s, start, pos, List.of())
                      : new JsonArray(s, start, pos, List.of());
            } else {
              stack.push(new Frame(object, start));
              wantKey = object;
              continue;
            }
          }
          case '"' -> {
            string();
            v = new JsonString(s, start, pos);
          }
          case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> {
            number();
            v = new JsonNumber(s, start, pos);
          }
          case 't' -> {
            literal("true");
            v = new JsonBool(s, start, pos, true);
          }
          case 'f' -> {
            literal("false");
            v = new JsonBool(s, start, pos, false);
          }
          case 'n' -> {
            literal("null");
            v = new JsonNull(s, start, pos);
          }
          default ->
              throw error(
                  c < 0
                      ? "unexpected end of input"
                      : "invalid character " + describe(c) + " looking for beginning of value");
        }
        // A value is complete: attach it, closing as many containers as end here.
        while (true) {
          Frame top = stack.peek();
          if (top == null) {
            done = v;
            break;
          }
          if (top.object) {
            top.members.add(new Member(top.key, v));
          } else {
            top.items.add(v);
          }
          ws();
          int d = peek();
          if (d == ',') {
            pos++;
            ws();
            wantKey = top.object;
            v = null;
            break;
          }
          if (d == (top.object ? '}' : ']')) {
            pos++;
            stack.pop();
            v =
                top.object
                    ? new JsonObject(s, top.start, pos, List.copyOf(top.members))
                    : new JsonArray(s, top.start, pos, List.copyOf(top.items));
            continue;
          }
          throw error(
              d < 0
                  ? "unexpected end of input"
                  : "invalid character "
                      + describe(d)
                      + (top.object ? " after object key:value pair" : " after array element"));
        }
        if (done != null) {
          break;
        }
      }
      ws();
      if (pos != s.length) {
        throw error("invalid character " + describe(s[pos] & 0xff) + " after top-level value");
      }
      return done;
    }

    private int peek() {
      return pos < s.length ? s[pos] & 0xff : -1;
    }

    /**
     * The byte at {@code pos} inside a token, a space at the end of input: Go's scanner ends the
     * input by feeding it a space, so a token cut short fails on that space.
     */
    private int peekInToken() {
      return pos < s.length ? s[pos] & 0xff : ' ';
    }

    private void ws() {
      while (pos < s.length) {
        byte b = s[pos];
        if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
          pos++;
        } else {
          return;
        }
      }
    }

    private void string() {
      int i = pos + 1;
      while (true) {
        if (i >= s.length) {
          pos = i;
          throw error("unexpected end of input in string");
        }
        int c = s[i] & 0xff;
        if (c == '"') {
          pos = i + 1;
          return;
        }
        if (c == '\\') {
          if (i + 1 >= s.length) {
            pos = i + 1;
            throw error("invalid character ' ' in string escape code");
          }
          int e = s[i + 1] & 0xff;
          switch (e) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> i += 2;
            case 'u' -> {
              for (int k = 2; k < 6; k++) {
                if (i + k >= s.length || Character.digit(s[i + k], 16) < 0) {
                  pos = Math.min(i + k, s.length);
                  throw error(
                      "invalid character "
                          + describe(pos < s.length ? s[pos] & 0xff : ' ')
                          + " in \\u hexadecimal character escape");
                }
              }
              i += 6;
            }
            default -> {
              pos = i + 1;
              throw error("invalid character " + describe(e) + " in string escape code");
            }
          }
          continue;
        }
        if (c < 0x20) {
          pos = i;
          throw error("invalid character " + describe(c) + " in string literal");
        }
        i++;
      }
    }

    private void number() {
      if (peek() == '-') {
        pos++;
      }
      int c = peekInToken();
      if (c == '0') {
        pos++;
      } else if (c >= '1' && c <= '9') {
        while (isDigit(peek())) {
          pos++;
        }
      } else {
        throw error("invalid character " + describe(c) + " in numeric literal");
      }
      if (peek() == '.') {
        pos++;
        if (!isDigit(peek())) {
          throw error(
              "invalid character "
                  + describe(peekInToken())
                  + " after decimal point in numeric literal");
        }
        while (isDigit(peek())) {
          pos++;
        }
      }
      if (peek() == 'e' || peek() == 'E') {
        pos++;
        if (peek() == '+' || peek() == '-') {
          pos++;
        }
        if (!isDigit(peek())) {
          throw error(
              "invalid character " + describe(peekInToken()) + " in exponent of numeric literal");
        }
        while (isDigit(peek())) {
          pos++;
        }
      }
    }

    private static boolean isDigit(int c) {
      return c >= '0' && c <= '9';
    }

    private void literal(String word) {
      for (int k = 0; k < word.length(); k++) {
        if (peek() != word.charAt(k)) {
          throw error(
              "invalid character "
                  + describe(peekInToken())
                  + " in literal "
                  + word
                  + " (expecting "
                  + describe(word.charAt(k))
                  + ")");
        }
        pos++;
      }
    }

    /** A byte as Go's scanner quotes it in its errors (strconv.Quote of the byte as a rune). */
    private static String describe(int c) {
      if (c < 0) {
        return "end of input";
      }
      if (c == '\'') {
        return "'\\''";
      }
      if (c == '"') {
        return "'\"'";
      }
      String quoted =
          switch (c) {
            case 7 -> "\\a";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case 11 -> "\\v";
            case '\\' -> "\\\\";
            default -> {
              if (c < 0x20 || c == 0x7f) {
                yield String.format("\\x%02x", c);
              }
              // Bytes from 0x80 are the runes U+0080..U+00FF; Go prints the printable ones.
              if (c >= 0x80 && (c <= 0xa0 || c == 0xad)) {
                yield String.format("\\u%04x", c);
              }
              yield String.valueOf((char) c);
            }
          };
      return "'" + quoted + "'";
    }

    private CairnException error(String message) {
      if (pos >= s.length && !message.startsWith("invalid character ' '")) {
        // Go's words for an early end, unless the space it feeds at the end broke a token
        message = "unexpected end of JSON input";
      }
      return CairnException.invalid("invalid JSON at byte " + pos + ": " + message);
    }
  }
}
