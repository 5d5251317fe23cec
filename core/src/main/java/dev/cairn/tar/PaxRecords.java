package dev.cairn.tar;

import dev.cairn.CairnException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PAX records; path and linkpath also as raw bytes, since they need not be UTF-8, and the extended
 * attributes only as raw bytes, since their values are often binary.
 */
record PaxRecords(
    Map<String, String> records, byte[] path, byte[] linkpath, Map<String, byte[]> xattrs) {
  static final PaxRecords NONE = new PaxRecords(Map.of(), null, null, Map.of());

  /** The records of an extended header whose payload is {@code data}. */
  static PaxRecords parse(byte[] data, long at) {
    Map<String, String> records = new LinkedHashMap<>();
    Map<String, byte[]> xattrs = new LinkedHashMap<>();
    byte[] path = null;
    byte[] linkpath = null;
    int pos = 0;
    while (pos < data.length) {
      int sp = pos;
      long len = 0;
      while (sp < data.length && data[sp] >= '0' && data[sp] <= '9' && len < data.length) {
        len = len * 10 + (data[sp] - '0');
        sp++;
      }
      if (sp == pos || sp >= data.length || data[sp] != ' ' || len <= sp - pos + 1) {
        throw error(at, pos);
      }
      long end = pos + len;
      if (end > data.length || data[(int) end - 1] != '\n') {
        throw error(at, pos);
      }
      int eq = sp + 1;
      while (eq < end - 1 && data[eq] != '=') {
        eq++;
      }
      if (eq >= end - 1 || eq == sp + 1) {
        throw error(at, pos);
      }
      String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
      if (key.startsWith(TarEntry.XATTR_PREFIX)) {
        byte[] value = Arrays.copyOfRange(data, eq + 1, (int) end - 1);
        xattrs.put(key.substring(TarEntry.XATTR_PREFIX.length()), value);
        pos = (int) end;
        continue;
      }
      String value = new String(data, eq + 1, (int) end - 1 - eq - 1, StandardCharsets.UTF_8);
      records.put(key, value);
      if (key.equals("path") || key.equals("linkpath")) {
        byte[] v = Arrays.copyOfRange(data, eq + 1, (int) end - 1);
        path = key.equals("path") ? v : path;
        linkpath = key.equals("linkpath") ? v : linkpath;
      }
      pos = (int) end;
    }
    return new PaxRecords(records, path, linkpath, xattrs);
  }

  private static CairnException error(long at, int pos) {
    return TarHeader.invalid(at, "malformed PAX record at byte " + pos + " of the extended header");
  }

  /** A record's decimal value (size, uid, gid). */
  static long number(String key, String v, long at) {
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw TarHeader.invalid(at, "PAX " + key + " is negative (" + v + ")");
      }
      return n;
    } catch (NumberFormatException e) {
      throw TarHeader.invalid(
          at, "PAX " + key + " is not a decimal integer: " + CairnException.quote(v));
    }
  }

  /** A record's time: decimal seconds with a fraction. */
  static Instant time(String v, long at) {
    try {
      BigDecimal seconds = new BigDecimal(v);
      long whole = seconds.setScale(0, RoundingMode.FLOOR).longValueExact();
      long nanos =
          seconds
              .subtract(BigDecimal.valueOf(whole))
              .movePointRight(9)
              .setScale(0, RoundingMode.FLOOR)
              .longValueExact();
      return Instant.ofEpochSecond(whole, nanos);
    } catch (NumberFormatException | ArithmeticException | DateTimeException e) {
      throw TarHeader.invalid(at, "PAX mtime is not a decimal time: " + CairnException.quote(v));
    }
  }
}
