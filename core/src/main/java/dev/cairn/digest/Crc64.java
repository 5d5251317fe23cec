package dev.cairn.digest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Checksum;

/**
 * CRC-64 with the ISO 3309 polynomial, bit-reflected and with all bits inverted before and after,
 * exactly as Go's {@code hash/crc64} computes it with its {@code ISO} table. tar-split stores this
 * checksum for every file of a layer. Table driven, eight bytes per step.
 */
public final class Crc64 implements Checksum {
  private static final long POLY = 0xD800000000000000L;
  private static final long[][] TABLES = tables();

  private long crc;

  /** The checksum of {@code b[off, off+len)} in one call. */
  public static long of(byte[] b, int off, int len) {
    return ~update(~0L, b, off, len);
  }

  public static long of(byte[] b) {
    return of(b, 0, b.length);
  }

  /** The checksum as Go's {@code Sum} appends it: eight bytes, big-endian. */
  public static byte[] toBytes(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  @Override
  public void update(int b) {
    crc = ~update(~crc, new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void update(byte[] b, int off, int len) {
    crc = ~update(~crc, b, off, len);
  }

  @Override
  public void update(ByteBuffer buffer) {
    if (buffer.hasArray()) {
      int pos = buffer.position();
      update(buffer.array(), buffer.arrayOffset() + pos, buffer.remaining());
      buffer.position(buffer.limit());
      return;
    }
    long c = ~crc;
    ByteBuffer le = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    int i = 0;
    int n = le.remaining();
    long[][] t = TABLES;
    for (; n - i >= 8; i += 8) {
      c ^= le.getLong(i);
      c = step8(t, c);
    }
    for (; i < n; i++) {
      c = t[0][(int) ((c ^ le.get(i)) & 0xff)] ^ (c >>> 8);
    }
    buffer.position(buffer.limit());
    crc = ~c;
  }

  @Override
  public long getValue() {
    return crc;
  }

  @Override
  public void reset() {
    crc = 0;
  }

  /** Updates a raw (already inverted) register; the callers invert around it. */
  private static long update(long c, byte[] b, int off, int len) {
    long[][] t = TABLES;
    int i = off;
    int end = off + len;
    for (; end - i >= 8; i += 8) {
      c ^=
          (b[i] & 0xffL)
              | (b[i + 1] & 0xffL) << 8
              | (b[i + 2] & 0xffL) << 16
              | (b[i + 3] & 0xffL) << 24
              | (b[i + 4] & 0xffL) << 32
              | (b[i + 5] & 0xffL) << 40
              | (b[i + 6] & 0xffL) << 48
              | (b[i + 7] & 0xffL) << 56;
      c = step8(t, c);
    }
    for (; i < end; i++) {
      c = t[0][(int) ((c ^ b[i]) & 0xff)] ^ (c >>> 8);
    }
    return c;
  }

  private static long step8(long[][] t, long c) {
    return t[7][(int) (c & 0xff)]
        ^ t[6][(int) (c >>> 8 & 0xff)]
        ^ t[5][(int) (c >>> 16 & 0xff)]
        ^ t[4][(int) (c >>> 24 & 0xff)]
        ^ t[3][(int) (c >>> 32 & 0xff)]
        ^ t[2][(int) (c >>> 40 & 0xff)]
        ^ t[1][(int) (c >>> 48 & 0xff)]
        ^ t[0][(int) (c >>> 56)];
  }

  private static long[][] tables() {
    long[][] t = new long[8][256];
    for (int i = 0; i < 256; i++) {
      long c = i;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
      }
      t[0][i] = c;
    }
    for (int i = 0; i < 256; i++) {
      long c = t[0][i];
      for (int k = 1; k < 8; k++) {
        c = t[0][(int) (c & 0xff)] ^ (c >>> 8);
        t[k][i] = c;
      }
    }
    return t;
  }
}
