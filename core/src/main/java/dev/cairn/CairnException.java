package dev.cairn;

/**
 * The one failure type of the library: a {@link Kind} for callers that branch on it and a message
 * that reads as a sentence ("pulling alpine:3.20: layer sha256:ab12…: digest mismatch").
 */
public final class CairnException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, coarsely, so callers and exit codes can branch on it. */
  public enum Kind {
    NOT_FOUND,
    INVALID,
    UNAUTHORIZED,
    CONFLICT,
    UNAVAILABLE
  }

  private final Kind kind;

  public CairnException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public CairnException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public static CairnException invalid(String message) {
    return new CairnException(Kind.INVALID, message);
  }

  public static CairnException notFound(String message) {
    return new CairnException(Kind.NOT_FOUND, message);
  }

  /**
   * Quotes untrusted text for a message: in double quotes, control characters escaped, cut after
   * 100 characters, so one bad field cannot flood a terminal.
   */
  public static String quote(String text) {
    int limit = Math.min(text.length(), 100);
    StringBuilder b = new StringBuilder(limit + 8).append('"');
    for (int i = 0; i < limit; i++) {
      escape(b, text.charAt(i));
    }
    return end(b, text.length() > limit);
  }

  /**
   * Quotes raw bytes from an archive (a tar entry name, a header field) for a message, as {@link
   * #quote(String)} does: UTF-8 where the bytes are UTF-8, every other byte as {@code \xNN}, cut
   * after 256 bytes (paths run longer than the fields {@link #quote(String)} is for).
   */
  public static String quote(byte[] raw) {
    int limit = Math.min(raw.length, 256);
    StringBuilder b = new StringBuilder(limit + 8).append('"');
    java.nio.charset.CharsetDecoder utf8 = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
    for (int i = 0; i < limit; ) {
      int lead = raw[i] & 0xff;
      int n =
          lead < 0x80
              ? 1
              : lead < 0xc2 ? 0 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : lead < 0xf5 ? 4 : 0;
      if (n == 1) {
        escape(b, (char) lead);
        i++;
        continue;
      }
      String decoded = null;
      if (n > 1 && i + n <= raw.length) {
        try {
          decoded = utf8.decode(java.nio.ByteBuffer.wrap(raw, i, n)).toString();
        } catch (java.nio.charset.CharacterCodingException notUtf8) {
          decoded = null;
        }
      }
      if (decoded == null) {
        b.append(String.format("\\x%02x", lead));
        i++;
      } else {
        for (int k = 0; k < decoded.length(); k++) {
          escape(b, decoded.charAt(k));
        }
        i += n;
      }
    }
    return end(b, raw.length > limit);
  }

  private static void escape(StringBuilder b, char c) {
    if (c < 0x20 || c == 0x7f) {
      b.append(String.format("\\x%02x", (int) c));
    } else if (c >= 0x80 && c < 0xa0) {
      b.append(String.format("\\u%04x", (int) c)); // C1 controls: some terminals obey them
    } else if (c == '"' || c == '\\') {
      b.append('\\').append(c);
    } else {
      b.append(c);
    }
  }

  private static String end(StringBuilder b, boolean cut) {
    return b.append(cut ? "\"…" : "\"").toString();
  }

  /** The same failure seen from one level up: "{@code what}: original message". */
  public CairnException in(String what) {
    CairnException wrapped = new CairnException(kind, what + ": " + getMessage(), getCause());
    wrapped.setStackTrace(getStackTrace());
    return wrapped;
  }
}
