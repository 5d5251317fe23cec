package dev.cairn.tar;

import dev.cairn.CairnException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * One header block as its fields say, before PAX records or GNU long names are applied: formats
 * told apart by their magic, numbers in octal or GNU base-256, the checksum either way (signed or
 * unsigned, as old tars computed it).
 */
record TarHeader(
    byte[] name,
    byte typeflag,
    long mode,
    long uid,
    long gid,
    String uname,
    String gname,
    long size,
    Instant mtime,
    byte[] linkname,
    long devMajor,
    long devMinor,
    Format format) {

  TarHeader with(byte t, long u, long g, String un, String gn, Instant m) {
    return new TarHeader(
        name, t, mode, u, g, un, gn, size, m, linkname, devMajor, devMinor, format);
  }

  TarEntry toEntry(byte[] n, byte[] link, long payloadSize, PaxRecords pax) {
    return new TarEntry(
        n,
        typeflag,
        mode,
        uid,
        gid,
        uname,
        gname,
        payloadSize,
        mtime,
        link,
        devMajor,
        devMinor,
        pax.records(),
        pax.xattrs());
  }

  enum Format {
    V7,
    USTAR,
    GNU,
    STAR
  }

  /** The header in block {@code b}, which starts at offset {@code at} of the stream. */
  static TarHeader parse(byte[] b, long at) {
    try {
      checksum(b, at);
    } catch (CairnException e) {
      if (at == 0) {
        // The first block is no header: say so, and what gave it away.
        throw CairnException.invalid("not a tar archive: " + e.getMessage());
      }
      throw e;
    }
    Format format = format(b);
    byte[] name = field(b, 0, 100);
    if (format == Format.USTAR || format == Format.STAR) {
      byte[] prefix = field(b, 345, format == Format.STAR ? 131 : 155);
      if (prefix.length > 0) {
        byte[] joined = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
        joined[prefix.length] = '/';
        System.arraycopy(name, 0, joined, prefix.length + 1, name.length);
        name = joined;
      }
    }
    long size = numeric(b, 124, 12, at, "size");
    boolean modern = format != Format.V7;
    return new TarHeader(
        name,
        b[156],
        numeric(b, 100, 8, at, "mode"),
        numeric(b, 108, 8, at, "uid"),
        numeric(b, 116, 8, at, "gid"),
        modern ? string(b, 265, 32) : "",
        modern ? string(b, 297, 32) : "",
        size,
        Instant.ofEpochSecond(signedNumeric(b, 136, 12, at, "mtime")),
        field(b, 157, 100),
        modern ? numeric(b, 329, 8, at, "devmajor") : 0,
        modern ? numeric(b, 337, 8, at, "devminor") : 0,
        format);
  }

  private static void checksum(byte[] b, long at) {
    long stored = octal(b, 148, 8, at, "checksum");
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < TarReader.BLOCK; i++) {
      int v = i >= 148 && i < 156 ? ' ' : b[i];
      unsigned += v & 0xff;
      signed += v;
    }
    if (stored != unsigned && stored != signed) {
      throw invalid(
          at,
          "header checksum mismatch: stored "
              + stored
              + ", computed "
              + unsigned
              + " (not a tar stream, or corrupt)");
    }
  }

  private static Format format(byte[] b) {
    boolean ustarMagic = regionIs(b, 257, "ustar\0");
    if (ustarMagic) {
      return regionIs(b, 508, "tar\0") ? Format.STAR : Format.USTAR;
    }
    if (regionIs(b, 257, "ustar ") && regionIs(b, 263, " \0")) {
      return Format.GNU;
    }
    return Format.V7;
  }

  private static boolean regionIs(byte[] b, int off, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      if (b[off + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** A NUL-terminated field: the bytes before the first NUL. */
  private static byte[] field(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return Arrays.copyOfRange(b, off, end);
  }

  /** The bytes before the first NUL (a GNU long name or link). */
  static byte[] cString(byte[] data) {
    int end = 0;
    while (end < data.length && data[end] != 0) {
      end++;
    }
    return Arrays.copyOf(data, end);
  }

  private static String string(byte[] b, int off, int len) {
    return new String(field(b, off, len), StandardCharsets.UTF_8);
  }

  private static long numeric(byte[] b, int off, int len, long at, String what) {
    long v = signedNumeric(b, off, len, at, what);
    if (v < 0) {
      throw invalid(at, what + " field is negative (" + v + ")");
    }
    return v;
  }

  /** Octal, or GNU base-256 when the high bit of the first byte is set. */
  private static long signedNumeric(byte[] b, int off, int len, long at, String what) {
    if ((b[off] & 0x80) == 0) {
      return octal(b, off, len, at, what);
    }
    // Base-256, two's complement; bit 6 of the first byte gives the sign.
    boolean negative = (b[off] & 0x40) != 0;
    long v = negative ? -1 : 0;
    int significant = 0;
    for (int i = 0; i < len; i++) {
      int x = i == 0 ? (b[off] & 0x7f) | (negative ? 0x80 : 0) : b[off + i] & 0xff;
      if (significant > 0 || x != (negative ? 0xff : 0)) {
        significant++;
      }
      if (significant > 8) {
        throw invalid(at, what + " field overflows 64 bits");
      }
      v = (v << 8) | x;
    }
    if (negative != (v < 0)) {
      throw invalid(at, what + " field overflows 64 bits");
    }
    return v;
  }

  private static long octal(byte[] b, int off, int len, long at, String what) {
    int start = off;
    int end = off + len;
    while (start < end && (b[start] == ' ' || b[start] == 0)) {
      start++;
    }
    while (end > start && (b[end - 1] == ' ' || b[end - 1] == 0)) {
      end--;
    }
    long v = 0;
    for (int i = start; i < end; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 7) {
        throw invalid(
            at,
            what
                + " field is not octal: "
                + CairnException.quote(Arrays.copyOfRange(b, off, off + len)));
      }
      if (v >>> 60 != 0) {
        throw invalid(at, what + " field overflows 64 bits");
      }
      v = v << 3 | d;
    }
    return v;
  }

  /** Whether the block is all zeros (the end-of-archive marker). */
  static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  static CairnException invalid(long at, String why) {
    return CairnException.invalid("tar header at offset " + at + ": " + why);
  }
}
