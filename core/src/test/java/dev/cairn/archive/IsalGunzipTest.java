package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.testing.Seeds;
import dev.cairn.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ISA-L's gunzip yields what the JDK's does for every member shape gzip allows, and refuses what is
 * damaged. Generated from seeds (printed in the test name).
 */
class IsalGunzipTest {
  static LongStream seeds() {
    return Seeds.stream(IsalGunzipTest.class, 60);
  }

  static void requireLibrary() {
    Tools.requireThat(IsalGunzip.loaded(), "ISA-L (Debian: libisal2) does not load");
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void agreesWithTheJdk(long seed) throws IOException {
    requireLibrary();
    Random r = new Random(seed);
    ByteArrayOutputStream blob = new ByteArrayOutputStream();
    int members = 1 + r.nextInt(4);
    for (int m = 0; m < members; m++) {
      blob.write(member(r, data(r)));
    }
    if (r.nextBoolean()) {
      blob.write("trailing bytes that are not gzip".getBytes(StandardCharsets.US_ASCII));
    }
    byte[] gz = blob.toByteArray();
    byte[] expected;
    try (InputStream jdk = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      expected = jdk.readAllBytes();
    }
    try (InputStream isal = new IsalGunzip(new Trickle(gz, r))) {
      assertThat(readInPieces(isal, r)).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void damagedMembersAreErrorsNeverWrongData(long seed) throws IOException {
    requireLibrary();
    Random r = new Random(seed);
    byte[] data = data(r);
    byte[] gz = member(r, data);
    int kind = r.nextInt(3);
    int at =
        switch (kind) {
          case 0 -> gz.length - 8 + r.nextInt(8); // the trailer's CRC-32 or size
          case 1 -> r.nextInt(gz.length); // truncated there
          default -> r.nextInt(gz.length - 8); // the header or the deflate data
        };
    byte[] damaged = kind == 1 ? java.util.Arrays.copyOf(gz, at) : gz.clone();
    if (kind != 1) {
      damaged[at] ^= (byte) (1 + r.nextInt(255));
    }
    byte[] back;
    try (InputStream in = new IsalGunzip(new Trickle(damaged, r))) {
      back = readInPieces(in, r);
    } catch (IOException e) {
      return; // refused: what must happen to a cut member or a wrong trailer
    }
    // Accepted: only where the damage changed nothing gzip covers (a name, padding bits).
    assertThat(kind).as("damage kind (0 trailer, 1 cut) at " + at).isEqualTo(2);
    assertThat(back).isEqualTo(data);
  }

  @Test
  void aTrailerThatDisagreesIsNamed() throws IOException {
    requireLibrary();
    byte[] gz = member(new Random(1), "payload".repeat(100).getBytes(StandardCharsets.US_ASCII));
    gz[gz.length - 5] ^= 1;
    try (InputStream in = new IsalGunzip(new ByteArrayInputStream(gz))) {
      assertThatThrownBy(in::readAllBytes)
          .hasMessage("CRC-32 or size in the gzip trailer does not match the data");
    }
  }

  @Test
  void anEmptyInputEndsEarly() throws IOException {
    requireLibrary();
    try (InputStream in = new IsalGunzip(new ByteArrayInputStream(new byte[0]))) {
      assertThatThrownBy(in::read).hasMessage("unexpected end of gzip stream");
    }
  }

  /** Sometimes empty, compressible text, random bytes, or long runs. */
  private static byte[] data(Random r) {
    int size =
        switch (r.nextInt(4)) {
          case 0 -> r.nextInt(3);
          case 1 -> r.nextInt(2000);
          default -> r.nextInt(600_000);
        };
    byte[] b = new byte[size];
    switch (r.nextInt(3)) {
      case 0 -> r.nextBytes(b);
      case 1 -> {
        for (int i = 0; i < size; i++) {
          b[i] = (byte) ('a' + r.nextInt(6));
        }
      }
      default -> java.util.Arrays.fill(b, (byte) r.nextInt(256));
    }
    return b;
  }

  /**
   * One gzip member (RFC 1952) with a random choice of the optional header fields (FEXTRA, FNAME,
   * FCOMMENT, FHCRC, FTEXT) and of deflate level, stored blocks included.
   */
  static byte[] member(Random r, byte[] data) throws IOException {
    int flags = r.nextInt(32);
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.write(new byte[] {0x1f, (byte) 0x8b, 8, (byte) flags, 1, 2, 3, 4, 0, 3});
    if ((flags & 4) != 0) {
      int xlen = r.nextInt(40);
      header.write(xlen);
      header.write(0);
      for (int i = 0; i < xlen; i++) {
        header.write(r.nextInt(256));
      }
    }
    if ((flags & 8) != 0) {
      header.write("layer.tar".getBytes(StandardCharsets.US_ASCII));
      header.write(0);
    }
    if ((flags & 16) != 0) {
      header.write("a comment".getBytes(StandardCharsets.US_ASCII));
      header.write(0);
    }
    if ((flags & 2) != 0) {
      CRC32 hcrc = new CRC32();
      hcrc.update(header.toByteArray());
      header.write((int) hcrc.getValue());
      header.write((int) (hcrc.getValue() >>> 8));
    }
    Deflater deflater = new Deflater(r.nextInt(10), true);
    deflater.setInput(data);
    deflater.finish();
    byte[] buf = new byte[8192];
    while (!deflater.finished()) {
      header.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    CRC32 crc = new CRC32();
    crc.update(data);
    for (long v : new long[] {crc.getValue(), data.length}) {
      for (int i = 0; i < 4; i++) {
        header.write((int) (v >>> (8 * i)));
      }
    }
    return header.toByteArray();
  }

  private static byte[] readInPieces(InputStream in, Random r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[300_000];
    for (int n; (n = in.read(buf, 0, 1 + r.nextInt(r.nextBoolean() ? 10 : buf.length))) >= 0; ) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** Hands out its bytes in random small pieces, as a network does. */
  private static final class Trickle extends InputStream {
    private final byte[] data;
    private final Random r;
    private int pos;

    Trickle(byte[] data, Random r) {
      this.data = data;
      this.r = r;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos == data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, data.length - pos), 1 + r.nextInt(r.nextBoolean() ? 7 : 9000));
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
