package dev.cairn.digest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Checksum;

/**
 * CRC-64 with the ISO 3309 polynomial, bit-reflected and with all bits inverted before and after,
 * exactly as Go's {@code hash/crc64} computes it with its {@code ISO} table. tar-split stores this
 * checksum for every file of a layer. By ISA-L when the system has it ({@link NativeCrc64}), else
 * table driven, sixteen bytes per step.
 */
public final class Crc64 implements Checksum {
  private static final long POLY = 0xD800000000000000L;
  private static final int SLICES = 16;
  private static final long[] TABLE = table();
  private static final VarHandle LITTLE_ENDIAN =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  // Below this many bytes the table beats the cost of a native call.
  private static final int NATIVE_MIN = 64;
  private static final boolean NATIVE = NativeCrc64.available();

  private long crc;

  /** The checksum of {@code b[off, off+len)} in one call. */
  public static long of(byte[] b, int off, int len) {
    return update(0L, b, off, len);
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
    long c = ~crc;
    crc = ~(TABLE[(int) ((c ^ b) & 0xff)] ^ (c >>> 8));
  }

  @Override
  public void update(byte[] b, int off, int len) {
    crc = update(crc, b, off, len);
  }

  @Override
  public void update(ByteBuffer buffer) {
    if (buffer.hasArray()) {
      int pos = buffer.position();
      update(buffer.array(), buffer.arrayOffset() + pos, buffer.remaining());
      buffer.position(buffer.limit());
      return;
    }
    if (NATIVE && buffer.remaining() >= NATIVE_MIN) {
      crc = NativeCrc64.update(crc, java.lang.foreign.MemorySegment.ofBuffer(buffer));
      buffer.position(buffer.limit());
      return;
    }
    long c = ~crc;
    ByteBuffer le = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    int i = 0;
    int n = le.remaining();
    long[] t = TABLE;
    for (; n - i >= 16; i += 16) {
      c = step16(t, c ^ le.getLong(i), le.getLong(i + 8));
    }
    for (; i < n; i++) {
      c = t[(int) ((c ^ le.get(i)) & 0xff)] ^ (c >>> 8);
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

  /** The checksum {@code crc} continued over {@code b[off, off+len)}. */
  private static long update(long crc, byte[] b, int off, int len) {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (NATIVE && len >= NATIVE_MIN) {
      return NativeCrc64.update(crc, java.lang.foreign.MemorySegment.ofArray(b).asSlice(off, len));
    }
    return ~sliced(~crc, b, off, len);
  }

  /** The table-driven loop on a raw (inverted) register; the callers invert around it. */
  static long sliced(long c, byte[] b, int off, int len) {
    long[] t = TABLE;
    int i = off;
    int end = off + len;
    for (; end - i >= 16; i += 16) {
      c = step16(t, c ^ (long) LITTLE_ENDIAN.get(b, i), (long) LITTLE_ENDIAN.get(b, i + 8));
    }
    for (; i < end; i++) {
      c = t[(int) ((c ^ b[i]) & 0xff)] ^ (c >>> 8);
    }
    return c;
  }

  /** Sixteen bytes at once: {@code a} holds the first eight (register already folded in). */
  private static long step16(long[] t, long a, long d) {
    return t[15 * 256 + (int) (a & 0xff)]
        ^ t[14 * 256 + (int) (a >>> 8 & 0xff)]
        ^ t[13 * 256 + (int) (a >>> 16 & 0xff)]
        ^ t[12 * 256 + (int) (a >>> 24 & 0xff)]
        ^ t[11 * 256 + (int) (a >>> 32 & 0xff)]
        ^ t[10 * 256 + (int) (a >>> 40 & 0xff)]
        ^ t[9 * 256 + (int) (a >>> 48 & 0xff)]
        ^ t[8 * 256 + (int) (a >>> 56)]
        ^ t[7 * 256 + (int) (d & 0xff)]
        ^ t[6 * 256 + (int) (d >>> 8 & 0xff)]
        ^ t[5 * 256 + (int) (d >>> 16 & 0xff)]
        ^ t[4 * 256 + (int) (d >>> 24 & 0xff)]
        ^ t[3 * 256 + (int) (d >>> 32 & 0xff)]
        ^ t[2 * 256 + (int) (d >>> 40 & 0xff)]
        ^ t[256 + (int) (d >>> 48 & 0xff)]
        ^ t[(int) (d >>> 56)];
  }

  /**
   * Sixteen tables of 256 entries, one after the other: table k advances a byte by k more zero
   * bytes, so sixteen lookups fold sixteen bytes in at once (slicing-by-16; the 32 KiB stay in L1).
   */
  private static long[] table() {
    long[] t = new long[SLICES * 256];
    for (int i = 0; i < 256; i++) {
      long c = i;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
      }
      t[i] = c;
    }
    for (int i = 0; i < 256; i++) {
      long c = t[i];
      for (int k = 1; k < SLICES; k++) {
        c = t[(int) (c & 0xff)] ^ (c >>> 8);
        t[k * 256 + i] = c;
      }
    }
    return t;
  }
}
