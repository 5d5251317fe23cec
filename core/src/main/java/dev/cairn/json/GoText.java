package dev.cairn.json;

import java.nio.charset.StandardCharsets;

/**
 * Go's rules for text inside JSON: how encoding/json unquotes a string (invalid UTF-8 and lone
 * surrogates become U+FFFD) and how utf8.DecodeRune splits bytes. Kept apart so the parser, the
 * encoder and the key matching agree on every byte.
 */
final class GoText {
  static final int RUNE_ERROR = 0xFFFD;

  private GoText() {}

  /**
   * Decodes one rune at {@code i} like Go's utf8.DecodeRune: returns {@code (rune << 3) | size}; an
   * invalid or truncated sequence decodes as U+FFFD of size 1.
   */
  static long decodeRune(byte[] s, int i, int end) {
    int b0 = s[i] & 0xff;
    if (b0 < 0x80) {
      return ((long) b0 << 3) | 1;
    }
    int need;
    int lo = 0x80;
    int hi = 0xbf;
    int cp;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      cp = b0 & 0x0f;
      if (b0 == 0xe0) {
        lo = 0xa0;
      } else if (b0 == 0xed) {
        hi = 0x9f; // no UTF-8 encoded surrogates
      }
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      cp = b0 & 0x07;
      if (b0 == 0xf0) {
        lo = 0x90;
      } else if (b0 == 0xf4) {
        hi = 0x8f;
      }
    } else {
      return ((long) RUNE_ERROR << 3) | 1;
    }
    if (i + need >= end) {
      return ((long) RUNE_ERROR << 3) | 1; // truncated sequence
    }
    for (int k = 1; k <= need; k++) {
      int b = s[i + k] & 0xff;
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) {
        return ((long) RUNE_ERROR << 3) | 1;
      }
      cp = (cp << 6) | (b & 0x3f);
    }
    return ((long) cp << 3) | (need + 1);
  }

  /**
   * Decodes the JSON string token at {@code [start, end)} (quotes included) the way Go's
   * unquoteBytes does. The token must already be valid JSON.
   */
  static String unquote(byte[] s, int start, int end) {
    int from = start + 1;
    int to = end - 1;
    // Fast path: nothing to unescape and valid UTF-8.
    boolean plain = true;
    boolean ascii = true;
    for (int r = from; r < to; ) {
      int c = s[r] & 0xff;
      if (c == '\\') {
        plain = false;
        break;
      }
      if (c < 0x80) {
        r++;
        continue;
      }
      ascii = false;
      long d = decodeRune(s, r, to);
      if ((d >>> 3) == RUNE_ERROR && (d & 7) == 1) {
        plain = false;
        break;
      }
      r += (int) (d & 7);
    }
    if (plain) {
      return new String(
          s, from, to - from, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }
    StringBuilder b = new StringBuilder(to - from);
    int r = from;
    while (r < to) {
      int c = s[r] & 0xff;
      if (c == '\\') {
        char e = (char) s[r + 1];
        switch (e) {
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            int rr = hex4(s, r + 2);
            r += 6;
            if (rr >= 0xd800 && rr < 0xe000) {
              // A pair only when a low surrogate escape follows a high one; else U+FFFD.
              if (rr < 0xdc00 && r + 6 <= to && s[r] == '\\' && s[r + 1] == 'u') {
                int rr1 = hex4(s, r + 2);
                if (rr1 >= 0xdc00 && rr1 < 0xe000) {
                  b.appendCodePoint(0x10000 + ((rr - 0xd800) << 10) + (rr1 - 0xdc00));
                  r += 6;
                  continue;
                }
              }
              b.append((char) RUNE_ERROR);
            } else {
              b.append((char) rr);
            }
            continue;
          }
          default -> b.append(e); // '"', '\\', '/'
        }
        r += 2;
      } else if (c < 0x80) {
        b.append((char) c);
        r++;
      } else {
        long d = decodeRune(s, r, to);
        b.appendCodePoint((int) (d >>> 3));
        r += (int) (d & 7);
      }
    }
    return b.toString();
  }

  private static int hex4(byte[] s, int i) {
    int v = 0;
    for (int k = 0; k < 4; k++) {
      v = (v << 4) | Character.digit(s[i + k], 16);
    }
    return v;
  }
}
