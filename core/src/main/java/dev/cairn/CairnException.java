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
    StringBuilder b = new StringBuilder(Math.min(text.length(), 100) + 8).append('"');
    int limit = Math.min(text.length(), 100);
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else {
        b.append(c);
      }
    }
    if (text.length() > limit) {
      b.append("\"…");
    } else {
      b.append('"');
    }
    return b.toString();
  }

  /** The same failure seen from one level up: "{@code what}: original message". */
  public CairnException in(String what) {
    CairnException wrapped = new CairnException(kind, what + ": " + getMessage(), getCause());
    wrapped.setStackTrace(getStackTrace());
    return wrapped;
  }
}
