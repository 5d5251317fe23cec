package dev.cairn.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares two ages as docker words them ("3 seconds ago", "About a minute ago", "2 years ago"),
 * printed by two programs a moment apart: they agree when equal, or when they are next to each
 * other in the coarser unit of the two.
 */
final class Ages {
  private Ages() {}

  private static final Pattern COUNTED =
      Pattern.compile("(\\d+) (second|minute|hour|day|week|month|year)s? ago");

  static boolean agree(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    long[] x = seconds(a);
    long[] y = seconds(b);
    if (x == null || y == null) {
      return false;
    }
    long unit = Math.max(Math.max(x[1], y[1]), 2);
    return Math.abs(x[0] - y[0]) <= unit;
  }

  /** The age in seconds and the size of its unit, or null for text that is not an age. */
  private static long[] seconds(String text) {
    switch (text) {
      case "Less than a second ago":
        return new long[] {0, 1};
      case "About a minute ago":
        return new long[] {60, 60};
      case "About an hour ago":
        return new long[] {3600, 3600};
      default:
        break;
    }
    Matcher m = COUNTED.matcher(text);
    if (!m.matches()) {
      return null;
    }
    long unit =
        switch (m.group(2)) {
          case "second" -> 1;
          case "minute" -> 60;
          case "hour" -> 3600;
          case "day" -> 86_400;
          case "week" -> 7 * 86_400;
          case "month" -> 30 * 86_400;
          default -> 365 * 86_400;
        };
    return new long[] {Long.parseLong(m.group(1)) * unit, unit};
  }
}
