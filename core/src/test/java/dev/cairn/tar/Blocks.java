package dev.cairn.tar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds tar streams block by block, for archives no honest writer would produce. */
public final class Blocks {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** A ustar header with a valid checksum; {@code edit} may change fields before it is summed. */
  public Blocks header(
      String name, char type, long size, java.util.function.Consumer<byte[]> edit) {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
    put(h, 100, "0000644\0");
    put(h, 108, "0000000\0");
    put(h, 116, "0000000\0");
    put(h, 124, String.format("%011o\0", size));
    put(h, 136, "00000000000\0");
    h[156] = (byte) type;
    put(h, 257, "ustar\0" + "00");
    edit.accept(h);
    checksum(h);
    out.writeBytes(h);
    return this;
  }

  public Blocks header(String name, char type, long size) {
    return header(name, type, size, h -> {});
  }

  /** Raw bytes, padded with zeros to a whole block when {@code pad} is set. */
  public Blocks data(byte[] data, boolean pad) {
    out.writeBytes(data);
    if (pad) {
      out.writeBytes(new byte[-data.length & 511]);
    }
    return this;
  }

  public Blocks data(String text) {
    return data(text.getBytes(StandardCharsets.UTF_8), true);
  }

  public Blocks zeroBlocks(int n) {
    out.writeBytes(new byte[512 * n]);
    return this;
  }

  public byte[] bytes() {
    return out.toByteArray();
  }

  public static void put(byte[] h, int off, String ascii) {
    byte[] b = ascii.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(b, 0, h, off, b.length);
  }

  public static void checksum(byte[] h) {
    Arrays.fill(h, 148, 156, (byte) ' ');
    int sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o\0 ", sum));
  }
}
