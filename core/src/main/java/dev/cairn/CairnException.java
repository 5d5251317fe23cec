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

  /** The same failure seen from one level up: "{@code what}: original message". */
  public CairnException in(String what) {
    CairnException wrapped = new CairnException(kind, what + ": " + getMessage(), getCause());
    wrapped.setStackTrace(getStackTrace());
    return wrapped;
  }
}
