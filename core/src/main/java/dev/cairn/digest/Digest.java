package dev.cairn.digest;

import dev.cairn.CairnException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A content digest as the OCI image spec writes it: {@code algorithm:hex}. Only the algorithms
 * registries use are accepted, with lowercase hex of exactly the algorithm's length.
 */
public record Digest(Algorithm algorithm, String hex) implements Comparable<Digest> {

  /** The registered digest algorithms and the JDK names behind them. */
  public enum Algorithm {
    SHA256("sha256", "SHA-256", 64),
    SHA512("sha512", "SHA-512", 128);

    private final String prefix;
    private final String jdkName;
    private final int hexLength;

    Algorithm(String prefix, String jdkName, int hexLength) {
      this.prefix = prefix;
      this.jdkName = jdkName;
      this.hexLength = hexLength;
    }

    /** The name used before the colon. */
    public String prefix() {
      return prefix;
    }

    public int hexLength() {
      return hexLength;
    }

    MessageDigest newMessageDigest() {
      try {
        return MessageDigest.getInstance(jdkName);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(jdkName + " is part of every JDK", e);
      }
    }

    static Algorithm byPrefix(String prefix) {
      for (Algorithm a : values()) {
        if (a.prefix.equals(prefix)) {
          return a;
        }
      }
      return null;
    }
  }

  private static final HexFormat HEX = HexFormat.of();

  public Digest {
    if (algorithm == null) {
      throw new IllegalArgumentException("digest algorithm is null");
    }
    String problem = hexProblem(algorithm, hex);
    if (problem != null) {
      throw CairnException.invalid("invalid " + algorithm.prefix + " digest: " + problem);
    }
  }

  /** Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}; anything else is INVALID. */
  public static Digest parse(String text) {
    if (text == null) {
      throw CairnException.invalid("invalid digest: missing");
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw CairnException.invalid(
          "invalid digest \"" + printable(text) + "\": expected algorithm:hex");
    }
    Algorithm algorithm = Algorithm.byPrefix(text.substring(0, colon));
    if (algorithm == null) {
      throw CairnException.invalid(
          "invalid digest \""
              + printable(text)
              + "\": unsupported algorithm \""
              + printable(text.substring(0, colon))
              + "\" (sha256 or sha512)");
    }
    String hex = text.substring(colon + 1);
    try {
      return new Digest(algorithm, hex); // checks the digits once: the index parses thousands
    } catch (CairnException e) {
      throw CairnException.invalid(
          "invalid digest \"" + printable(text) + "\": " + hexProblem(algorithm, hex));
    }
  }

  /** True when {@link #parse} would accept the text. */
  public static boolean isValid(String text) {
    if (text == null) {
      return false;
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      return false;
    }
    Algorithm algorithm = Algorithm.byPrefix(text.substring(0, colon));
    return algorithm != null && hexProblem(algorithm, text.substring(colon + 1)) == null;
  }

  /** A SHA-256 digest from its 64 lowercase hex digits (a graph ID, say). */
  public static Digest sha256Hex(String hex) {
    return new Digest(Algorithm.SHA256, hex);
  }

  public static Digest sha256(byte[] data) {
    return of(Algorithm.SHA256, data, 0, data.length);
  }

  public static Digest of(Algorithm algorithm, byte[] data, int offset, int length) {
    MessageDigest md = algorithm.newMessageDigest();
    md.update(data, offset, length);
    return fromBytes(algorithm, md.digest());
  }

  static Digest fromBytes(Algorithm algorithm, byte[] sum) {
    return new Digest(algorithm, HEX.formatHex(sum));
  }

  /** The first 12 hex digits, as docker shows IDs. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public String toString() {
    return algorithm.prefix + ":" + hex;
  }

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }

  private static String hexProblem(Algorithm algorithm, String hex) {
    if (hex == null || hex.isEmpty()) {
      return "missing hex digits";
    }
    if (hex.length() != algorithm.hexLength) {
      return "expected "
          + algorithm.hexLength
          + " hex digits after \""
          + algorithm.prefix
          + ":\", got "
          + hex.length();
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return "character "
            + (i + 1)
            + " of the hex part is '"
            + printable(String.valueOf(c))
            + "' (only lowercase hex digits 0-9a-f)";
      }
    }
    return null;
  }

  /** Keeps error messages on one line and short, whatever the input held. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    int limit = Math.min(s.length(), 80);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (s.length() > limit) {
      b.append('…');
    }
    return b.toString();
  }
}
