package dev.cairn.cli;

import java.time.LocalDate;

/**
 * A POSIX TZ rule ({@code CET-1CEST,M3.5.0,M10.5.0/3}, {@code <+04>-4}), as the footer of a TZif
 * file gives the zone after its last transition, read and applied as Go's time package does: names
 * of three letters or more or quoted in {@code <>}, offsets west of UTC up to 167 hours, rules by
 * Julian day ({@code Jn}), day of year ({@code n}) or month, week and weekday ({@code Mm.w.d}),
 * each at a time of day (2:00 unless given). Without rules, a zone with daylight saving time uses
 * the United States' (second Sunday of March to first Sunday of November).
 */
final class TzRule {
  private enum Kind {
    JULIAN,
    DAY_OF_YEAR,
    MONTH_WEEK_DAY
  }

  /** When a change happens within a year: the day, and the time of day in seconds. */
  private record Change(Kind kind, int day, int week, int month, int time) {}

  private final String stdName;
  private final int stdOffset; // seconds east of UTC
  private final String dstName; // null: no daylight saving time
  private final int dstOffset;
  private final Change start;
  private final Change end;

  private TzRule(
      String stdName, int stdOffset, String dstName, int dstOffset, Change start, Change end) {
    this.stdName = stdName;
    this.stdOffset = stdOffset;
    this.dstName = dstName;
    this.dstOffset = dstOffset;
    this.start = start;
    this.end = end;
  }

  /** The rule {@code text} states, or null when it is not one Go reads. */
  static TzRule parse(String text) {
    Cursor c = new Cursor(text);
    String std = c.name();
    Integer stdWest = std == null ? null : c.offset();
    if (stdWest == null) {
      return null;
    }
    if (c.atEnd() || c.peek() == ',') {
      return new TzRule(std, -stdWest, null, 0, null, null); // rules without a second zone: none
    }
    String dst = c.name();
    if (dst == null) {
      return null;
    }
    int dstOffset = -stdWest + 3600; // an hour ahead, unless given
    if (!c.atEnd() && c.peek() != ',') {
      Integer dstWest = c.offset();
      if (dstWest == null) {
        return null;
      }
      dstOffset = -dstWest;
    }
    if (c.atEnd()) {
      c = new Cursor(",M3.2.0,M11.1.0");
    }
    if (c.peek() != ',' && c.peek() != ';') {
      return null;
    }
    c.skip();
    Change start = c.change();
    if (start == null || c.atEnd() || c.peek() != ',') {
      return null;
    }
    c.skip();
    Change end = c.change();
    if (end == null || !c.atEnd()) {
      return null;
    }
    return new TzRule(std, -stdWest, dst, dstOffset, start, end);
  }

  /** The zone in effect at {@code sec} seconds after the epoch. */
  ZoneFile.Local at(long sec) {
    if (dstName == null) {
      return new ZoneFile.Local(stdOffset, stdName);
    }
    // As Go: the year and the second within it are UTC's, the changes' times local ones.
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(sec, 86400));
    int year = day.getYear();
    long inYear = (day.getDayOfYear() - 1) * 86400L + sec % 86400;
    long from = seconds(year, start) - stdOffset;
    long to = seconds(year, end) - dstOffset;
    if (to < from) { // southern hemisphere: the "standard" zone is the one inside the span
      return inYear < to || inYear >= from
          ? new ZoneFile.Local(dstOffset, dstName)
          : new ZoneFile.Local(stdOffset, stdName);
    }
    return inYear >= from && inYear < to
        ? new ZoneFile.Local(dstOffset, dstName)
        : new ZoneFile.Local(stdOffset, stdName);
  }

  /** Seconds from the start of {@code year} (local) to the change. */
  private static long seconds(int year, Change c) {
    boolean leap = LocalDate.of(year, 1, 1).isLeapYear();
    long day =
        switch (c.kind()) {
          case JULIAN -> c.day() - 1 + (leap && c.day() >= 60 ? 1 : 0); // Feb 29 never counts
          case DAY_OF_YEAR -> c.day();
          case MONTH_WEEK_DAY -> {
            LocalDate first = LocalDate.of(year, c.month(), 1);
            int d = Math.floorMod(c.day() - first.getDayOfWeek().getValue() % 7, 7);
            for (int w = 1; w < c.week() && d + 7 < first.lengthOfMonth(); w++) {
              d += 7; // week 5 is the last such weekday of the month
            }
            yield first.getDayOfYear() - 1 + d;
          }
        };
    return day * 86400 + c.time();
  }

  /** Reads a rule from left to right; each read returns null where the text is not a rule. */
  private static final class Cursor {
    private final String s;
    private int i;

    Cursor(String s) {
      this.s = s;
    }

    boolean atEnd() {
      return i >= s.length();
    }

    char peek() {
      return s.charAt(i);
    }

    void skip() {
      i++;
    }

    /**
     * A zone name: {@code <anything>}, or three characters or more up to a digit, sign or comma.
     */
    String name() {
      if (atEnd()) {
        return null;
      }
      if (peek() == '<') {
        int close = s.indexOf('>', i);
        if (close < 0) {
          return null;
        }
        String name = s.substring(i + 1, close);
        i = close + 1;
        return name;
      }
      int from = i;
      while (!atEnd() && "0123456789,-+".indexOf(peek()) < 0) {
        i++;
      }
      return i - from < 3 ? null : s.substring(from, i);
    }

    /** {@code [+-]hh[:mm[:ss]]} in seconds, hours up to 167. */
    Integer offset() {
      if (atEnd()) {
        return null;
      }
      boolean negative = peek() == '-';
      if (peek() == '+' || peek() == '-') {
        i++;
      }
      Integer hours = number(0, 24 * 7);
      if (hours == null) {
        return null;
      }
      int seconds = hours * 3600;
      for (int unit = 60; unit >= 1 && !atEnd() && peek() == ':'; unit /= 60) {
        i++;
        Integer n = number(0, 59);
        if (n == null) {
          return null;
        }
        seconds += n * unit;
      }
      return negative ? -seconds : seconds;
    }

    /** {@code Jn}, {@code n} or {@code Mm.w.d}, then {@code /time} or 2:00. */
    Change change() {
      if (atEnd()) {
        return null;
      }
      Change c;
      if (peek() == 'J') {
        i++;
        Integer day = number(1, 365);
        c = day == null ? null : new Change(Kind.JULIAN, day, 0, 0, 0);
      } else if (peek() == 'M') {
        i++;
        Integer month = number(1, 12);
        Integer week = month == null || !dot() ? null : number(1, 5);
        Integer day = week == null || !dot() ? null : number(0, 6);
        c = day == null ? null : new Change(Kind.MONTH_WEEK_DAY, day, week, month, 0);
      } else {
        Integer day = number(0, 365);
        c = day == null ? null : new Change(Kind.DAY_OF_YEAR, day, 0, 0, 0);
      }
      if (c == null) {
        return null;
      }
      int time = 2 * 3600;
      if (!atEnd() && peek() == '/') {
        i++;
        Integer t = offset();
        if (t == null) {
          return null;
        }
        time = t;
      }
      return new Change(c.kind(), c.day(), c.week(), c.month(), time);
    }

    private boolean dot() {
      if (atEnd() || peek() != '.') {
        return false;
      }
      i++;
      return true;
    }

    /** Decimal digits (at least one) whose value lies in [min, max]. */
    private Integer number(int min, int max) {
      int from = i;
      int n = 0;
      while (!atEnd() && peek() >= '0' && peek() <= '9') {
        n = n * 10 + (peek() - '0');
        if (n > max) {
          return null;
        }
        i++;
      }
      return i == from || n < min ? null : n;
    }
  }
}
