package dev.cairn.image;

import dev.cairn.CairnException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * A timestamp as Go's time.Time holds one after parsing RFC 3339: the wall clock fields as written
 * and the offset east of UTC in seconds. Parsing and formatting follow Go 1.x's time package to the
 * byte (the layout {@code "2006-01-02T15:04:05Z07:00"} with implicit fractional seconds), so a
 * config re-encoded from it matches what Docker wrote.
 */
public record GoTime(
    int year, int month, int day, int hour, int minute, int second, int nanos, int offsetSeconds) {

  /** Go's zero time, written as {@code 0001-01-01T00:00:00Z}. */
  public static final GoTime ZERO = new GoTime(1, 1, 1, 0, 0, 0, 0, 0);

  /**
   * Parses a JSON value's raw bytes (quotes included) the way time.Time.UnmarshalJSON does: escapes
   * are not decoded, so the text must match the layout byte for byte.
   */
  static GoTime parseJson(byte[] s, int start, int end) {
    Cursor c = new Cursor(s, start, end);
    c.expect('"');
    if (c.left() < 4 || !c.isDigit(0)) {
      throw c.bad();
    }
    int year = c.digits(4);
    c.expect('-');
    int month = c.twoDigits();
    if (month < 1 || month > 12) {
      throw c.range("month");
    }
    c.expect('-');
    int day = c.twoDigits();
    c.expect('T');
    int hour = c.oneOrTwoDigits();
    if (hour > 23) {
      throw c.range("hour");
    }
    c.expect(':');
    int minute = c.twoDigits();
    if (minute > 59) {
      throw c.range("minute");
    }
    c.expect(':');
    int second = c.twoDigits();
    if (second > 59) {
      throw c.range("second");
    }
    int nanos = 0;
    if (c.left() >= 2 && (c.at(0) == '.' || c.at(0) == ',') && c.isDigit(1)) {
      int n = 2;
      while (n < c.left() && c.isDigit(n)) {
        n++;
      }
      // Go reads at most nine digits and skips the rest.
      int used = Math.min(n, 10);
      int ns = 0;
      for (int k = 1; k < used; k++) {
        ns = ns * 10 + (c.at(k) - '0');
      }
      for (int k = used; k < 10; k++) {
        ns *= 10;
      }
      nanos = ns;
      c.skip(n);
    }
    int offset;
    if (c.left() >= 1 && c.at(0) == 'Z') {
      c.skip(1);
      offset = 0;
    } else {
      if (c.left() < 6 || c.at(3) != ':') {
        throw c.bad();
      }
      int sign = c.at(0);
      // Go reads these two-character fields with a sign-tolerant atoi and checks no range.
      int hh = signedAtoi(s, c.pos + 1, c.pos + 3);
      int mm = signedAtoi(s, c.pos + 4, c.pos + 6);
      if (hh == Integer.MIN_VALUE || mm == Integer.MIN_VALUE || (sign != '+' && sign != '-')) {
        throw c.bad();
      }
      offset = (hh * 60 + mm) * 60;
      if (sign == '-') {
        offset = -offset;
      }
      c.skip(6);
    }
    c.expect('"');
    if (c.left() != 0) {
      throw c.bad();
    }
    if (day < 1 || day > daysIn(month, year)) {
      throw c.range("day");
    }
    return new GoTime(year, month, day, hour, minute, second, nanos, offset);
  }

  /** Go's time.atoi on a short field: an optional sign, then only digits; MIN_VALUE on error. */
  private static int signedAtoi(byte[] s, int from, int to) {
    boolean neg = false;
    if (from < to && (s[from] == '-' || s[from] == '+')) {
      neg = s[from] == '-';
      from++;
    }
    int x = 0;
    for (int i = from; i < to; i++) {
      if (s[i] < '0' || s[i] > '9') {
        return Integer.MIN_VALUE;
      }
      x = x * 10 + (s[i] - '0');
    }
    return neg ? -x : x;
  }

  static int daysIn(int month, int year) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /**
   * RFC 3339 with nanoseconds, trailing zeros trimmed, {@code Z} for a zero offset (Go's
   * RFC3339Nano).
   */
  public String format() {
    StringBuilder b = new StringBuilder(35);
    pad(b, year, 4).append('-');
    pad(b, month, 2).append('-');
    pad(b, day, 2).append('T');
    pad(b, hour, 2).append(':');
    pad(b, minute, 2).append(':');
    pad(b, second, 2);
    if (nanos != 0) {
      String f = String.format("%09d", nanos);
      int e = f.length();
      while (f.charAt(e - 1) == '0') {
        e--;
      }
      b.append('.').append(f, 0, e);
    }
    if (offsetSeconds == 0) {
      b.append('Z');
    } else {
      int zone = offsetSeconds / 60;
      b.append(zone < 0 ? '-' : '+');
      zone = Math.abs(zone);
      pad(b, zone / 60, 2).append(':');
      pad(b, zone % 60, 2);
    }
    return b.toString();
  }

  /** The instant this names (Go allows offsets beyond what java.time.ZoneOffset can hold). */
  public Instant toInstant() {
    long local =
        LocalDateTime.of(year, month, day, hour, minute, second).toEpochSecond(ZoneOffset.UTC);
    return Instant.ofEpochSecond(local - offsetSeconds, nanos);
  }

  private static StringBuilder pad(StringBuilder b, int v, int width) {
    String s = Integer.toString(v);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s);
  }

  @Override
  public String toString() {
    return format();
  }

  private static final class Cursor {
    final byte[] s;
    final int start;
    final int end;
    int pos;

    Cursor(byte[] s, int start, int end) {
      this.s = s;
      this.start = start;
      this.end = end;
      this.pos = start;
    }

    int left() {
      return end - pos;
    }

    int at(int k) {
      return s[pos + k] & 0xff;
    }

    boolean isDigit(int k) {
      return pos + k < end && s[pos + k] >= '0' && s[pos + k] <= '9';
    }

    void skip(int n) {
      pos += n;
    }

    void expect(char ch) {
      if (pos >= end || s[pos] != ch) {
        throw bad();
      }
      pos++;
    }

    int digits(int n) {
      int v = 0;
      for (int k = 0; k < n; k++) {
        if (!isDigit(k)) {
          throw bad();
        }
        v = v * 10 + (at(k) - '0');
      }
      pos += n;
      return v;
    }

    int twoDigits() {
      return digits(2);
    }

    int oneOrTwoDigits() {
      if (!isDigit(0)) {
        throw bad();
      }
      return isDigit(1) ? digits(2) : digits(1);
    }

    CairnException bad() {
      return CairnException.invalid("cannot parse " + text() + " as an RFC 3339 time");
    }

    CairnException range(String field) {
      return CairnException.invalid(
          "cannot parse " + text() + " as an RFC 3339 time: " + field + " out of range");
    }

    private String text() {
      String t = new String(s, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
      return t.length() > 100 ? t.substring(0, 100) + "…" : t;
    }
  }
}
