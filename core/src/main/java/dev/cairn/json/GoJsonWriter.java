package dev.cairn.json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Writes JSON bytes exactly as Go's encoding/json.Marshal would: strings HTML-escaped ({@code <},
 * {@code >}, {@code &}, U+2028, U+2029 as {@code \\uXXXX}), control characters as {@code \\n},
 * {@code \\r}, {@code \\t} or {@code \\u00XX}, other non-ASCII raw, and raw values compacted. The
 * caller writes the structure; this class owns every byte of escaping.
 */
public final class GoJsonWriter {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** Go sorts map keys by their UTF-8 bytes, which is code point order. */
  public static final Comparator<String> KEY_ORDER = GoJsonWriter::compareCodePoints;

  private byte[] buf;
  private int len;

  public GoJsonWriter() {
    this(256);
  }

  public GoJsonWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }

  /** Writes one ASCII punctuation byte such as {@code {} or {@code ,}. */
  public GoJsonWriter punct(char c) {
    ensure(1);
    buf[len++] = (byte) c;
    return this;
  }

  /** Writes ASCII text as it is (literals, numbers). */
  public GoJsonWriter ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[len++] = (byte) s.charAt(i);
    }
    return this;
  }

  public GoJsonWriter bool(boolean b) {
    return ascii(b ? "true" : "false");
  }

  public GoJsonWriter number(long n) {
    return ascii(Long.toString(n));
  }

  /** Writes {@code "key":}. */
  public GoJsonWriter name(String key) {
    return string(key).punct(':');
  }

  /** Writes a quoted string with Go's escaping; a lone surrogate is written as U+FFFD. */
  public GoJsonWriter string(String s) {
    ensure(s.length() * 3 + 2);
    buf[len++] = '"';
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
          buf[len++] = (byte) c;
          continue;
        }
        ensure(6 + (n - i) * 3);
        buf[len++] = '\\';
        switch (c) {
          case '"', '\\' -> buf[len++] = (byte) c;
          case '\n' -> buf[len++] = 'n';
          case '\r' -> buf[len++] = 'r';
          case '\t' -> buf[len++] = 't';
          default -> {
            buf[len++] = 'u';
            buf[len++] = '0';
            buf[len++] = '0';
            buf[len++] = HEX[c >> 4];
            buf[len++] = HEX[c & 0xf];
          }
        }
        continue;
      }
      int cp = c;
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        cp = Character.toCodePoint(c, s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        cp = -1;
      }
      ensure(6 + (n - i) * 3);
      if (cp == 0x2028 || cp == 0x2029) {
        ascii(cp == 0x2028 ? "\\u2028" : "\\u2029");
      } else if (cp < 0) {
        ascii("\\ufffd");
      } else if (cp < 0x800) {
        buf[len++] = (byte) (0xc0 | cp >> 6);
        buf[len++] = (byte) (0x80 | cp & 0x3f);
      } else if (cp < 0x10000) {
        buf[len++] = (byte) (0xe0 | cp >> 12);
        buf[len++] = (byte) (0x80 | cp >> 6 & 0x3f);
        buf[len++] = (byte) (0x80 | cp & 0x3f);
      } else {
        buf[len++] = (byte) (0xf0 | cp >> 18);
        buf[len++] = (byte) (0x80 | cp >> 12 & 0x3f);
        buf[len++] = (byte) (0x80 | cp >> 6 & 0x3f);
        buf[len++] = (byte) (0x80 | cp & 0x3f);
      }
    }
    ensure(1);
    buf[len++] = '"';
    return this;
  }

  /** Writes a parsed value's source bytes compacted the way Go re-emits a json.RawMessage. */
  public GoJsonWriter raw(JsonValue value) {
    return compact(value.source(), value.start(), value.end());
  }

  /**
   * Go's compact with HTML escaping: whitespace outside strings dropped, {@code <>&} and the bytes
   * of U+2028/U+2029 escaped, every other byte kept (escapes stay escaped, numbers keep their
   * text). The input must be valid JSON.
   */
  public GoJsonWriter compact(byte[] src, int start, int end) {
    // Capacity for every input byte is reserved up front; escapes reserve their extra room.
    ensure(end - start);
    byte[] out = buf;
    int n = len;
    boolean inString = false;
    for (int i = start; i < end; i++) {
      byte b = src[i];
      if (inString) {
        if (b == '\\') {
          out[n++] = b;
          out[n++] = src[++i]; // an escaped byte never ends the string or needs escaping
          continue;
        }
        if (b == '"') {
          inString = false;
        }
      } else if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
        continue;
      } else if (b == '"') {
        inString = true;
      }
      if (b == '<' || b == '>' || b == '&') {
        len = n;
        ensure(6 + end - i);
        out = buf;
        out[n++] = '\\';
        out[n++] = 'u';
        out[n++] = '0';
        out[n++] = '0';
        out[n++] = HEX[(b >> 4) & 0xf];
        out[n++] = HEX[b & 0xf];
        continue;
      }
      if (b == (byte) 0xe2
          && i + 2 < end
          && src[i + 1] == (byte) 0x80
          && (src[i + 2] & ~1) == (byte) 0xa8) {
        len = n;
        ensure(6 + end - i);
        out = buf;
        out[n++] = '\\';
        out[n++] = 'u';
        out[n++] = '2';
        out[n++] = '0';
        out[n++] = '2';
        out[n++] = src[i + 2] == (byte) 0xa8 ? (byte) '8' : (byte) '9';
        i += 2;
        continue;
      }
      out[n++] = b;
    }
    len = n;
    return this;
  }

  /**
   * Go's json.Indent: the document re-laid with one member or element per line, {@code indent} per
   * level, {@code ": "} after keys, empty objects and arrays kept as {@code {}} and {@code []}.
   * Strings are copied as they are, and so is whitespace after the document. The input must be
   * valid JSON.
   */
  public static byte[] indent(byte[] src, String indent) {
    GoJsonWriter w = new GoJsonWriter(src.length * 2);
    byte[] unit = indent.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int depth = 0;
    boolean needIndent = false;
    boolean inString = false;
    // Whitespace after the document is kept, as Go keeps it (its scanner reports it as the end).
    int end = src.length;
    while (end > 0 && isSpace(src[end - 1])) {
      end--;
    }
    for (int i = 0; i < end; i++) {
      byte b = src[i];
      if (inString) {
        w.ensure(2);
        w.buf[w.len++] = b;
        if (b == '\\') {
          w.buf[w.len++] = src[++i];
        } else if (b == '"') {
          inString = false;
        }
        continue;
      }
      if (isSpace(b)) {
        continue;
      }
      if (needIndent && b != ']' && b != '}') {
        needIndent = false;
        w.newline(unit, depth);
      }
      switch (b) {
        case '{', '[' -> {
          w.punct((char) b);
          depth++;
          needIndent = true;
        }
        case '}', ']' -> {
          depth--;
          if (needIndent) {
            needIndent = false; // an empty object or array stays on one line
          } else {
            w.newline(unit, depth);
          }
          w.punct((char) b);
        }
        case ',' -> {
          w.punct(',');
          w.newline(unit, depth);
        }
        case ':' -> w.punct(':').punct(' ');
        default -> {
          if (b == '"') {
            inString = true;
          }
          w.ensure(1);
          w.buf[w.len++] = b;
        }
      }
    }
    w.ensure(src.length - end);
    System.arraycopy(src, end, w.buf, w.len, src.length - end);
    w.len += src.length - end;
    return w.toByteArray();
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private void newline(byte[] unit, int depth) {
    ensure(1 + unit.length * depth);
    buf[len++] = '\n';
    for (int d = 0; d < depth; d++) {
      System.arraycopy(unit, 0, buf, len, unit.length);
      len += unit.length;
    }
  }

  public int size() {
    return len;
  }

  /** Empties the writer, keeping its buffer, so that one writer can encode many values. */
  public GoJsonWriter reset() {
    len = 0;
    return this;
  }

  /** Writes the bytes written so far to {@code out}. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(buf, 0, len);
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  /** Compares strings by code point, which orders them as their UTF-8 bytes do. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
