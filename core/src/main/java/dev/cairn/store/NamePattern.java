package dev.cairn.store;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import java.util.regex.Pattern;

/**
 * A pattern of docker's {@code reference} filter: Go's {@code path.Match} syntax ({@code *} and
 * {@code ?} stop at {@code /}, {@code [a-z]}, {@code [^a]}, {@code \} escapes) over a reference in
 * its familiar form ({@code alpine:3}, {@code localhost:5000/foo/bar:v1}, {@code alpine@sha256:…})
 * or, when that does not match, over its familiar name ({@code alpine}), as the distribution
 * project's FamiliarMatch compares them.
 */
final class NamePattern {
  private final String text;
  private final Pattern regex;

  private NamePattern(String text, Pattern regex) {
    this.text = text;
    this.regex = regex;
  }

  /**
   * @throws CairnException INVALID for a malformed pattern, in Go's words ("syntax error in
   *     pattern"), which dockerd passes on as they are
   */
  static NamePattern compile(String text) {
    return new NamePattern(text, Pattern.compile(translate(text)));
  }

  boolean matches(Reference ref) {
    return regex.matcher(ref.familiar()).matches() || regex.matcher(ref.familiarName()).matches();
  }

  @Override
  public String toString() {
    return text;
  }

  private static String translate(String glob) {
    StringBuilder re = new StringBuilder();
    int[] cps = glob.codePoints().toArray();
    int i = 0;
    while (i < cps.length) {
      int c = cps[i++];
      switch (c) {
        case '*' -> re.append("[^/]*");
        case '?' -> re.append("[^/]");
        case '\\' -> {
          if (i == cps.length) {
            throw bad();
          }
          literal(re, cps[i++]);
        }
        case '[' -> i = charClass(cps, i, re);
        default -> literal(re, c);
      }
    }
    return re.toString();
  }

  /** Translates the class that starts at {@code i} (after its {@code [}); returns where it ends. */
  private static int charClass(int[] cps, int i, StringBuilder re) {
    boolean negated = i < cps.length && cps[i] == '^';
    i += negated ? 1 : 0;
    StringBuilder ranges = new StringBuilder();
    int count = 0;
    while (count == 0 || i >= cps.length || cps[i] != ']') {
      int[] lo = escaped(cps, i);
      i = lo[1];
      int hi = lo[0];
      if (i < cps.length && cps[i] == '-') {
        int[] h = escaped(cps, i + 1);
        hi = h[0];
        i = h[1];
      }
      if (lo[0] <= hi) { // Go takes a reversed range, which matches nothing
        ranges.append(hex(lo[0])).append('-').append(hex(hi));
      }
      count++;
    }
    if (!ranges.isEmpty()) {
      re.append(negated ? "[^" : "[").append(ranges).append(']');
    } else {
      re.append(negated ? "(?s:.)" : "(?!)");
    }
    return i + 1;
  }

  /** One character of a class, {@code \}-escaped or not: its code point and what follows. */
  private static int[] escaped(int[] cps, int i) {
    if (i >= cps.length || cps[i] == '-' || cps[i] == ']') {
      throw bad();
    }
    if (cps[i] == '\\') {
      i++;
      if (i >= cps.length) {
        throw bad();
      }
    }
    return new int[] {cps[i], i + 1};
  }

  private static void literal(StringBuilder re, int c) {
    re.append(hex(c));
  }

  private static String hex(int c) {
    return "\\x{" + Integer.toHexString(c) + "}";
  }

  private static CairnException bad() {
    return CairnException.invalid("syntax error in pattern");
  }
}
