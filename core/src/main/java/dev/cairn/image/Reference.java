package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;

/**
 * An image reference as Docker writes it, always in its normalised form: {@code
 * docker.io/library/alpine:latest}, {@code 127.0.0.1:5000/a/b:1@sha256:…}. Follows the grammar of
 * the distribution project's reference package: a name ({@code [domain/]path}), an optional tag and
 * an optional digest.
 *
 * @param domain the registry host, with an optional port ({@code docker.io}, {@code
 *     localhost:5000}, {@code [::1]:5000})
 * @param path the repository inside the registry, slash-separated lowercase components
 * @param tag the tag, or null when the reference is by digest only or names a repository
 * @param digest the digest, or null
 */
public record Reference(String domain, String path, String tag, Digest digest) {

  /** The registry assumed when a reference names none. */
  public static final String DEFAULT_DOMAIN = "docker.io";

  /** The tag assumed when a reference has neither tag nor digest. */
  public static final String DEFAULT_TAG = "latest";

  /** Longest name ({@code domain/path}) the grammar allows. */
  public static final int NAME_MAX_LENGTH = 255;

  private static final String LEGACY_DEFAULT_DOMAIN = "index.docker.io";
  private static final String OFFICIAL_PREFIX = "library/";
  private static final int TAG_MAX_LENGTH = 128;

  public Reference {
    Name checked = lastName;
    boolean known = checked != null && checked.domain() == domain && checked.path() == path;
    String problem = null;
    if (!known) {
      problem = domain == null ? "missing domain" : domainProblem(domain);
      if (problem == null) {
        problem = path == null ? "missing repository path" : pathProblem(path);
      }
    }
    if (problem == null && tag != null) {
      problem = tagProblem(tag);
    }
    if (!known && problem == null && domain.length() + 1 + path.length() > NAME_MAX_LENGTH) {
      problem = "repository name must not be more than " + NAME_MAX_LENGTH + " characters";
    }
    if (!known && problem == null) {
      problem = ambiguityProblem(domain, path);
    }
    if (problem != null) {
      throw CairnException.invalid(
          "invalid reference \"" + printable(domain + "/" + path) + "\": " + problem);
    }
    lastName = new Name(domain, path);
  }

  /**
   * The name the last reference made was checked with. A reference derived from another ({@link
   * #withTag}, {@link #withDigest}) passes on the very same strings, which need no second check:
   * the tags file makes thousands of references from one name each.
   */
  private static volatile Name lastName;

  private record Name(String domain, String path) {}

  /**
   * Parses and normalises a reference as {@code docker pull} does: {@code alpine} becomes {@code
   * docker.io/library/alpine:latest}; the first component is a domain when it contains {@code .} or
   * {@code :}, is {@code localhost}, or has an uppercase letter; {@code index.docker.io} becomes
   * {@code docker.io}. A reference with a digest and no tag keeps no tag.
   */
  public static Reference parse(String text) {
    if (text == null || text.isEmpty()) {
      throw CairnException.invalid("invalid reference: empty");
    }
    try {
      return parseNormalized(text);
    } catch (CairnException e) {
      throw CairnException.invalid(
          "invalid reference \"" + printable(text) + "\": " + e.getMessage());
    }
  }

  private static Reference parseNormalized(String text) {
    Digest digest = null;
    String rest = text;
    int at = text.indexOf('@');
    if (at >= 0) {
      String digestText = text.substring(at + 1);
      if (digestText.isEmpty()) {
        throw CairnException.invalid("missing digest after '@'");
      }
      try {
        digest = Digest.parse(digestText);
      } catch (CairnException e) {
        throw CairnException.invalid("bad digest: " + e.getMessage());
      }
      rest = text.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/') && !rest.endsWith("]")) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      String problem = tag.isEmpty() ? "empty tag after ':'" : tagProblem(tag);
      if (problem != null) {
        throw CairnException.invalid(problem);
      }
    }
    if (rest.isEmpty()) {
      throw CairnException.invalid("missing repository name");
    }
    String domain;
    String path;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? rest : rest.substring(0, slash);
    if (slash < 0 || !looksLikeDomain(first)) {
      domain = DEFAULT_DOMAIN;
      path = rest;
    } else {
      domain = first;
      path = rest.substring(slash + 1);
      String problem = domainProblem(domain);
      if (problem != null) {
        throw CairnException.invalid(problem);
      }
    }
    if (domain.equals(LEGACY_DEFAULT_DOMAIN)) {
      domain = DEFAULT_DOMAIN;
    }
    if (domain.equals(DEFAULT_DOMAIN) && path.indexOf('/') < 0) {
      path = OFFICIAL_PREFIX + path;
    }
    if (!path.equals(path.toLowerCase(java.util.Locale.ROOT))) {
      throw CairnException.invalid("repository name must be lowercase");
    }
    String problem = pathProblem(path);
    if (problem != null) {
      throw CairnException.invalid(problem);
    }
    if (domain.length() + 1 + path.length() > NAME_MAX_LENGTH) {
      throw CairnException.invalid(
          "repository name must not be more than " + NAME_MAX_LENGTH + " characters");
    }
    problem = ambiguityProblem(domain, path);
    if (problem != null) {
      throw CairnException.invalid(problem);
    }
    if (tag == null && digest == null) {
      tag = DEFAULT_TAG;
    }
    return new Reference(domain, path, tag, digest);
  }

  /** {@code domain/path}, the name without tag or digest. */
  public String name() {
    return domain + "/" + path;
  }

  /** The digest when there is one, else the tag: what a manifest request names. */
  public String tagOrDigest() {
    return digest != null ? digest.toString() : tag;
  }

  /** The same repository with another tag and no digest. */
  public Reference withTag(String newTag) {
    return new Reference(domain, path, newTag, null);
  }

  /** The same repository pinned to a digest, keeping the tag. */
  public Reference withDigest(Digest newDigest) {
    return new Reference(domain, path, tag, newDigest);
  }

  /** The short form users type: {@code alpine:latest}, {@code localhost:5000/x/y:1}. */
  public String familiar() {
    return familiarName() + suffix();
  }

  /** The repository name as users type it: {@code alpine}, {@code localhost:5000/x/y}. */
  public String familiarName() {
    return familiarName(domain, path);
  }

  private static String familiarName(String domain, String path) {
    if (!domain.equals(DEFAULT_DOMAIN)) {
      return domain + "/" + path;
    }
    if (path.startsWith(OFFICIAL_PREFIX) && path.indexOf('/', OFFICIAL_PREFIX.length()) < 0) {
      return path.substring(OFFICIAL_PREFIX.length());
    }
    return path;
  }

  /** The full form: {@code docker.io/library/alpine:latest}. */
  @Override
  public String toString() {
    return name() + suffix();
  }

  private String suffix() {
    return (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }

  // As docker does: a first component is a registry when it could not be a repository component.
  private static boolean looksLikeDomain(String first) {
    return first.indexOf('.') >= 0
        || first.indexOf(':') >= 0
        || first.equals("localhost")
        || !first.equals(first.toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * A name that the grammar allows but a store could not tell from something else, refused as
   * docker refuses it: a 64-hex name reads as an image ID, {@code sha256} as a digest's algorithm
   * ({@code sha256:<hex>} would be a tag, not the image with that ID).
   */
  private static String ambiguityProblem(String domain, String path) {
    String familiar = familiarName(domain, path);
    if (familiar.length() == 64 && isLowerHex(familiar)) {
      return "invalid repository name ("
          + familiar
          + "), cannot specify 64-byte hexadecimal strings";
    }
    if (familiar.equals("sha256")) {
      return "refusing the ambiguous repository name sha256, the name of a digest algorithm";
    }
    return null;
  }

  /** domain := host [':' port]; host := component ('.' component)* | '[' ipv6 ']'. */
  static String domainProblem(String domain) {
    if (domain.isEmpty()) {
      return "empty registry domain";
    }
    String host = domain;
    String port = null;
    if (domain.startsWith("[")) {
      int close = domain.indexOf(']');
      if (close < 0) {
        return "registry domain \"" + printable(domain) + "\": unclosed '['";
      }
      host = domain.substring(1, close);
      String after = domain.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          return "registry domain \"" + printable(domain) + "\": junk after ']'";
        }
        port = after.substring(1);
      }
      if (host.isEmpty() || !host.chars().allMatch(c -> c == ':' || isHex(c))) {
        return "registry domain \"" + printable(domain) + "\": bad IPv6 address";
      }
    } else {
      int colon = domain.indexOf(':');
      if (colon >= 0) {
        host = domain.substring(0, colon);
        port = domain.substring(colon + 1);
      }
      for (String component : host.split("\\.", -1)) {
        if (!isDomainComponent(component)) {
          return "registry domain \""
              + printable(domain)
              + "\": \""
              + printable(component)
              + "\" is not a host name component (letters, digits, inner '-')";
        }
      }
    }
    if (port != null
        && (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Reference::isDigit))) {
      return "registry domain \"" + printable(domain) + "\": port must be a number";
    }
    if (port != null && (Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
      return "registry domain \""
          + printable(domain)
          + "\": port "
          + port
          + " is out of range (1 to 65535)";
    }
    return null;
  }

  /** path := component ('/' component)*; component := [a-z0-9]+ (separator [a-z0-9]+)*. */
  static String pathProblem(String path) {
    if (path.isEmpty()) {
      return "missing repository name";
    }
    for (String component : path.split("/", -1)) {
      if (component.isEmpty()) {
        return "empty path component in repository name \"" + printable(path) + "\"";
      }
      String problem = componentProblem(component);
      if (problem != null) {
        return "path component \"" + printable(component) + "\": " + problem;
      }
    }
    return null;
  }

  // separator := [_.] | '__' | '-'+ ; components start and end with [a-z0-9].
  private static String componentProblem(String c) {
    int i = 0;
    int n = c.length();
    while (true) {
      int start = i;
      while (i < n && isLowerAlnum(c.charAt(i))) {
        i++;
      }
      if (i == start) {
        if (i < n && Character.isUpperCase(c.charAt(i))) {
          return "repository name must be lowercase";
        }
        return i == 0
            ? "must start with a lowercase letter or digit"
            : i == n
                ? "must end with a lowercase letter or digit"
                : "two separators in a row or a bad character '"
                    + printable(c.substring(i, i + 1))
                    + "'";
      }
      if (i == n) {
        return null;
      }
      char s = c.charAt(i);
      if (s == '.') {
        i++;
      } else if (s == '_') {
        i += i + 1 < n && c.charAt(i + 1) == '_' ? 2 : 1;
      } else if (s == '-') {
        while (i < n && c.charAt(i) == '-') {
          i++;
        }
      } else if (Character.isUpperCase(s)) {
        return "repository name must be lowercase";
      } else {
        return "character '"
            + printable(String.valueOf(s))
            + "' is not allowed (lowercase letters, digits, '.', '_', '__', '-')";
      }
      if (i == n) {
        return "must end with a lowercase letter or digit";
      }
    }
  }

  /** tag := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
  static String tagProblem(String tag) {
    if (tag.isEmpty()) {
      return "empty tag";
    }
    if (tag.length() > TAG_MAX_LENGTH) {
      return "tag is longer than " + TAG_MAX_LENGTH + " characters";
    }
    if (!isWord(tag.charAt(0))) {
      return "tag \"" + printable(tag) + "\" must start with a letter, digit or '_'";
    }
    for (int i = 1; i < tag.length(); i++) {
      char ch = tag.charAt(i);
      if (!isWord(ch) && ch != '.' && ch != '-') {
        return "tag \""
            + printable(tag)
            + "\" has a bad character '"
            + printable(String.valueOf(ch))
            + "' (letters, digits, '_', '.', '-')";
      }
    }
    return null;
  }

  private static boolean isDomainComponent(String s) {
    if (s.isEmpty() || s.charAt(0) == '-' || s.charAt(s.length() - 1) == '-') {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (!(isAsciiLetter(ch) || isDigit(ch) || ch == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLowerHex(String s) {
    return s.chars().allMatch(c -> isDigit(c) || c >= 'a' && c <= 'f');
  }

  private static boolean isHex(int c) {
    return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAsciiLetter(int c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  private static boolean isLowerAlnum(int c) {
    return c >= 'a' && c <= 'z' || isDigit(c);
  }

  private static boolean isWord(int c) {
    return isAsciiLetter(c) || isDigit(c) || c == '_';
  }

  // Keeps messages on one line and short whatever the input held.
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    int limit = Math.min(s.length(), 80);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return s.length() > limit ? b.append('…').toString() : b.toString();
  }
}
