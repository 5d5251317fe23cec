package dev.cairn.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** How docker's CLI shows sizes, ages and tables, so cairn's output reads the same. */
final class Format {
  private Format() {}

  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};

  /**
   * Decimal units with three significant digits, as go-units' HumanSizeWithPrecision(size, 3) that
   * docker shows sizes with: {@code 7.8MB}, {@code 123kB}, {@code 0B}, {@code 1e+03kB}.
   */
  static String size(long bytes) {
    return size(bytes, 3);
  }

  /** Four significant digits, as go-units' HumanSize (docker's VirtualSize): {@code 7.834MB}. */
  static String humanSize(long bytes) {
    return size(bytes, 4);
  }

  private static String size(long bytes, int digits) {
    double v = bytes;
    int unit = 0;
    while (v >= 1000 && unit < UNITS.length - 1) {
      v /= 1000;
      unit++;
    }
    return significant(v, digits) + UNITS[unit];
  }

  /**
   * Go's {@code %.{digits}g}: the value rounded half to even from its exact binary value, trailing
   * zeros dropped, and the exponent form where the rounded exponent reaches {@code digits} (999.7
   * kB at three digits is {@code 1e+03}) or falls below -4.
   */
  static String significant(double v, int digits) {
    if (v == 0) {
      return "0";
    }
    BigDecimal r =
        new BigDecimal(v)
            .round(new MathContext(digits, RoundingMode.HALF_EVEN))
            .stripTrailingZeros();
    int exponent = r.precision() - r.scale() - 1;
    if (exponent >= -4 && exponent < digits) {
      return r.toPlainString();
    }
    String d = r.unscaledValue().abs().toString();
    String mantissa = d.length() == 1 ? d : d.charAt(0) + "." + d.substring(1);
    int e = Math.abs(exponent);
    return (r.signum() < 0 ? "-" : "")
        + mantissa
        + (exponent < 0 ? "e-" : "e+")
        + (e < 10 ? "0" : "")
        + e;
  }

  /** "3 weeks ago", "About an hour ago", as docker words an age. */
  static String since(Instant then, Instant now) {
    if (then == null) {
      return "N/A";
    }
    return human(Duration.between(then, now)) + " ago";
  }

  static String human(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < 1) {
      return "Less than a second";
    }
    if (seconds == 1) {
      return "1 second";
    }
    if (seconds < 60) {
      return seconds + " seconds";
    }
    long minutes = seconds / 60;
    if (minutes == 1) {
      return "About a minute";
    }
    if (minutes < 60) {
      return minutes + " minutes";
    }
    long hours = Math.round(seconds / 3600.0);
    if (hours == 1) {
      return "About an hour";
    }
    if (hours < 48) {
      return hours + " hours";
    }
    if (hours < 24 * 7 * 2) {
      return hours / 24 + " days";
    }
    if (hours < 24 * 30 * 2) {
      return hours / 24 / 7 + " weeks";
    }
    if (hours < 24 * 365 * 2) {
      return hours / 24 / 30 + " months";
    }
    return seconds / 3600 / 24 / 365 + " years";
  }

  /** The 12-digit form docker shows unless --no-trunc. */
  static String shortId(String hex) {
    return hex.length() > 12 ? hex.substring(0, 12) : hex;
  }

  /** Cuts text to {@code max} characters with an ellipsis, as docker's table cells do. */
  static String ellipsis(String text, int max) {
    if (text.codePointCount(0, text.length()) <= max) {
      return text;
    }
    int end = text.offsetByCodePoints(0, max - 1);
    return text.substring(0, end) + "…";
  }

  /**
   * Docker's tables: left-aligned columns padded to the widest cell plus three spaces (at least ten
   * characters), the last column unpadded.
   */
  static List<String> table(List<String[]> rows) {
    int columns = rows.isEmpty() ? 0 : rows.getFirst().length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns - 1; c++) {
        width[c] = Math.max(width[c], Math.max(10, row[c].codePointCount(0, row[c].length()) + 3));
      }
    }
    List<String> out = new ArrayList<>();
    for (String[] row : rows) {
      StringBuilder b = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        b.append(row[c]);
        if (c < columns - 1) {
          b.append(" ".repeat(width[c] - row[c].codePointCount(0, row[c].length())));
        }
      }
      out.add(b.toString().stripTrailing());
    }
    return out;
  }
}
