package dev.cairn.tarsplit;

import dev.cairn.CairnException;
import dev.cairn.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Reads tar-split JSON lines. Like Go's decoder for the entry struct it matches keys without regard
 * to case, lets the last duplicate win and ignores unknown keys; a final line that is not a
 * complete entry ends the stream, as in tar-split.
 */
final class MetadataReader {
  /** A line holds at most a header run (three 1 MiB extensions) or a 1 MiB trailer chunk. */
  static final int MAX_LINE = 16 << 20;

  private final InputStream in;
  private byte[] buf = new byte[64 * 1024];
  private int start;
  private int end;
  private boolean eof;
  private long lineNumber;

  // the line being parsed
  private byte[] b;
  private int p;
  private int limit;

  MetadataReader(InputStream in) {
    this.in = in;
  }

  /** The next entry, or null at the end. */
  Entry next() throws IOException {
    while (true) {
      int nl = indexOfNewline();
      if (nl < 0) {
        if (eof) {
          if (start == end) {
            return null;
          }
          lineNumber++;
          int s = start;
          start = end;
          try {
            return parse(buf, s, end);
          } catch (CairnException e) {
            return null; // an incomplete last line ends the stream, as in tar-split
          }
        }
        fill();
        continue;
      }
      lineNumber++;
      int s = start;
      start = nl + 1;
      return parse(buf, s, nl);
    }
  }

  private int indexOfNewline() {
    for (int i = start; i < end; i++) {
      if (buf[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      start = 0;
    }
    if (end == buf.length) {
      if (buf.length >= MAX_LINE) {
        throw invalid("a line longer than " + MAX_LINE + " bytes");
      }
      buf = Arrays.copyOf(buf, Math.min(MAX_LINE, buf.length * 2));
    }
    int n = in.read(buf, end, buf.length - end);
    if (n < 0) {
      eof = true;
    } else {
      end += n;
    }
  }

  private Entry parse(byte[] line, int from, int to) {
    b = line;
    p = from;
    limit = to;
    int type = 0;
    byte[] name = null;
    byte[] nameRaw = null;
    long size = 0;
    byte[] payload = null;
    long position = 0;
    skipSpace();
    expect('{');
    skipSpace();
    if (peek() != '}') {
      while (true) {
        skipSpace();
        String key = string();
        skipSpace();
        expect(':');
        skipSpace();
        switch (key.toLowerCase(java.util.Locale.ROOT)) {
          case "type" -> type = (int) number();
          case "name" -> name = nullableStringBytes();
          case "name_raw" -> nameRaw = base64();
          case "size" -> size = number();
          case "payload" -> payload = base64();
          case "position" -> position = number();
          default -> skipValue();
        }
        skipSpace();
        if (peek() == ',') {
          p++;
          continue;
        }
        break;
      }
    }
    expect('}');
    skipSpace();
    if (p != limit) {
      throw invalid("unexpected data after the entry");
    }
    if (type != Entry.FILE && type != Entry.SEGMENT) {
      throw invalid("unknown entry type " + type);
    }
    if (size < 0) {
      throw invalid("negative size " + size);
    }
    byte[] fileName = nameRaw != null && nameRaw.length > 0 ? nameRaw : name;
    return new Entry(type, fileName == null ? new byte[0] : fileName, size, payload, position);
  }

  private byte[] base64() {
    if (peek() == 'n') {
      literal("null");
      return null;
    }
    expect('"');
    int s = p;
    while (p < limit && b[p] != '"') {
      if (b[p] == '\\') {
        throw invalid("escapes in base64 are not supported");
      }
      p++;
    }
    int e = p;
    expect('"');
    try {
      return Base64.getDecoder().decode(Arrays.copyOfRange(b, s, e));
    } catch (IllegalArgumentException ex) {
      throw invalid("bad base64: " + ex.getMessage());
    }
  }

  private byte[] nullableStringBytes() {
    if (peek() == 'n') {
      literal("null");
      return null;
    }
    int s = p + 1;
    String v = string();
    if (p - 1 - s == v.length() && isAscii(s, p - 1)) {
      return Arrays.copyOfRange(b, s, p - 1);
    }
    return v.getBytes(StandardCharsets.UTF_8);
  }

  private boolean isAscii(int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * A JSON string, checked here and decoded by the json package with Go's rules (escapes resolved,
   * invalid UTF-8 and lone surrogates as U+FFFD).
   */
  private String string() {
    int open = p;
    expect('"');
    boolean plain = true;
    while (p < limit && b[p] != '"') {
      int c = b[p] & 0xff;
      if (c < 0x20) {
        throw invalid("control character in a string at column " + (p + 1));
      }
      if (c == '\\') {
        plain = false;
        p += escapeLength();
        continue;
      }
      plain &= c < 0x80;
      p++;
    }
    if (p >= limit) {
      throw invalid("unterminated string");
    }
    p++;
    if (plain) {
      return new String(b, open + 1, p - open - 2, StandardCharsets.ISO_8859_1);
    }
    return new JsonValue.JsonString(b, open, p).value();
  }

  /** The length of the valid escape at {@code p}. */
  private int escapeLength() {
    if (p + 1 >= limit) {
      throw invalid("unterminated string");
    }
    return switch (b[p + 1]) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> 2;
      case 'u' -> {
        for (int k = 2; k < 6; k++) {
          if (p + k >= limit || Character.digit(b[p + k], 16) < 0) {
            throw invalid("bad \\u escape");
          }
        }
        yield 6;
      }
      default -> throw invalid("bad escape \\" + (char) (b[p + 1] & 0xff));
    };
  }

  private long number() {
    int s = p;
    if (p < limit && b[p] == '-') {
      p++;
    }
    while (p < limit && b[p] >= '0' && b[p] <= '9') {
      p++;
    }
    try {
      return Long.parseLong(new String(b, s, p - s, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      throw invalid("expected an integer");
    }
  }

  /** Skips a value of a key this format does not know. */
  private void skipValue() {
    int depth = 0;
    do {
      skipSpace();
      byte c = peek();
      if (c == '"') {
        string();
      } else if (c == '{' || c == '[') {
        depth++;
        p++;
      } else if (c == '}' || c == ']') {
        depth--;
        p++;
      } else {
        int from = p;
        while (p < limit && b[p] != ',' && b[p] != '}' && b[p] != ']' && (b[p] & 0xff) > ' ') {
          p++;
        }
        if (p == from) {
          // A control character where a value belongs: no JSON, and no progress to make.
          throw invalid("unexpected byte 0x" + Integer.toHexString(c & 0xff) + " in a value");
        }
      }
      skipSpace();
      if (depth > 0 && p < limit && (b[p] == ',' || b[p] == ':')) {
        p++;
      }
    } while (depth > 0 && p < limit);
  }

  private void literal(String word) {
    for (int i = 0; i < word.length(); i++) {
      expect(word.charAt(i));
    }
  }

  private void skipSpace() {
    while (p < limit && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r' || b[p] == '\n')) {
      p++;
    }
  }

  private byte peek() {
    if (p >= limit) {
      throw invalid("unexpected end of line");
    }
    return b[p];
  }

  private void expect(char c) {
    if (peek() != c) {
      throw invalid("expected '" + c + "' at column " + (p + 1));
    }
    p++;
  }

  private CairnException invalid(String why) {
    return CairnException.invalid("tar-split metadata line " + lineNumber + ": " + why);
  }
}
