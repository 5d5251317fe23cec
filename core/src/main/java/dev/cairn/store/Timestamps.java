package dev.cairn.store;

import dev.cairn.CairnException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The times docker's {@code until} filter takes (its api/types/time GetTimestamp): a Go duration
 * before now ({@code 24h}, {@code 1h30m}), a date or date and time ({@code 2024-01-02}, {@code
 * 2024-01-02T15:04}, {@code 2024-01-02T15:04:05.5Z}, with a zone or in the local one), or Unix
 * seconds with an optional fraction.
 */
final class Timestamps {
  private Timestamps() {}

  private static final Pattern DURATION_PART =
      Pattern.compile("(\\d*)(?:\\.(\\d*))?(ns|us|µs|μs|ms|s|m|h)");
  private static final Pattern DATE =
      Pattern.compile(
          "(\\d{4})-(\\d{2})-(\\d{2})(?:T(\\d{2})(?::(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?)?"
              + "([Zz]|[+-]\\d{2}:\\d{2})?");
  private static final Pattern UNIX = Pattern.compile("(\\d+)(?:\\.(\\d{0,9}))?");

  static Instant until(String value, Instant now, ZoneId zone) {
    if (!value.equals("0")) {
      Long nanos = durationNanos(value);
      if (nanos != null) {
        return now.minusNanos(nanos);
      }
    }
    Matcher d = DATE.matcher(value);
    if (d.matches()) {
      try {
        LocalDateTime t =
            LocalDateTime.of(
                Integer.parseInt(d.group(1)),
                Integer.parseInt(d.group(2)),
                Integer.parseInt(d.group(3)),
                d.group(4) == null ? 0 : Integer.parseInt(d.group(4)),
                d.group(5) == null ? 0 : Integer.parseInt(d.group(5)),
                d.group(6) == null ? 0 : Integer.parseInt(d.group(6)),
                d.group(7) == null
                    ? 0
                    : Integer.parseInt((d.group(7) + "00000000").substring(0, 9)));
        String offset = d.group(8);
        if (offset == null) {
          return t.atZone(zone).toInstant();
        }
        return t.toInstant(offset.equalsIgnoreCase("z") ? ZoneOffset.UTC : ZoneOffset.of(offset));
      } catch (java.time.DateTimeException e) {
        throw CairnException.invalid(
            "parsing time " + CairnException.quote(value) + ": " + e.getMessage());
      }
    }
    if (value.contains("-")) {
      throw CairnException.invalid(
          "parsing time " + CairnException.quote(value) + ": not a date and time docker reads");
    }
    Matcher u = UNIX.matcher(value);
    if (u.matches()) {
      BigDecimal seconds =
          new BigDecimal(u.group(1) + "." + (u.group(2) == null ? "" : u.group(2)) + "0");
      return Instant.ofEpochSecond(
          seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }
    throw CairnException.invalid(
        "failed to parse value as time or duration: " + CairnException.quote(value));
  }

  /** Go's time.ParseDuration, in nanoseconds; null when {@code s} is no duration. */
  static Long durationNanos(String s) {
    boolean negative = s.startsWith("-");
    String rest = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
    if (rest.equals("0")) {
      return 0L;
    }
    if (rest.isEmpty()) {
      return null;
    }
    Matcher m = DURATION_PART.matcher(rest);
    BigDecimal total = BigDecimal.ZERO;
    int at = 0;
    while (at < rest.length()) {
      if (!m.find(at) || m.start() != at || m.group(1).isEmpty() && isEmpty(m.group(2))) {
        return null;
      }
      BigDecimal number =
          new BigDecimal(
              (m.group(1).isEmpty() ? "0" : m.group(1))
                  + (isEmpty(m.group(2)) ? "" : "." + m.group(2)));
      total = total.add(number.multiply(BigDecimal.valueOf(unitNanos(m.group(3)))));
      at = m.end();
    }
    long nanos = total.longValue();
    return negative ? -nanos : nanos;
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs", "μs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L; // h
    };
  }
}
