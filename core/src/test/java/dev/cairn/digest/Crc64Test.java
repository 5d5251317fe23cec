package dev.cairn.digest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.Seeds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class Crc64Test {
  // Expected values computed with Go: crc64.Checksum(data, crc64.MakeTable(crc64.ISO)).
  @ParameterizedTest(name = "\"{0}\"")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|0000000000000000",
        "a|3420000000000000",
        "abc|3776c42000000000",
        "123456789|b90956c775a41001",
        "The quick brown fox jumps over the lazy dog|4ef14e19f4c6e28e"
      })
  void matchesGoIsoChecksum(String text, String hex) {
    assertThat(hexOf(Crc64.of(text.getBytes(StandardCharsets.UTF_8)))).isEqualTo(hex);
  }

  @org.junit.jupiter.api.Test
  void matchesGoOnLongInputAndZeros() {
    byte[] pattern = new byte[100000];
    for (int i = 0; i < pattern.length; i++) {
      pattern[i] = (byte) (i * 31 + 7);
    }
    assertThat(hexOf(Crc64.of(pattern))).isEqualTo("3303a577be238260");
    assertThat(hexOf(Crc64.of(new byte[512]))).isEqualTo("7cd9900000000000");
    assertThat(Crc64.toBytes(Crc64.of(new byte[512])))
        .containsExactly(0x7c, 0xd9, 0x90, 0, 0, 0, 0, 0);
  }

  static LongStream seeds() {
    return Seeds.stream(Crc64Test.class, 200);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void incrementalArrayAndDirectBufferUpdatesAgreeWithOneShot(long seed) {
    Random random = new Random(seed);
    byte[] data = new byte[random.nextInt(seed % 10 == 0 ? 5000 : 100)];
    random.nextBytes(data);
    int split = Math.min(random.nextInt(65), data.length);
    Crc64 array = new Crc64();
    array.update(data, 0, split);
    array.update(data, split, data.length - split);

    Crc64 direct = new Crc64();
    ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(1, data.length));
    buffer.put(data).flip();
    direct.update(buffer);

    Crc64 single = new Crc64();
    for (byte b : data) {
      single.update(b);
    }
    long expected = Crc64.of(data);
    assertThat(expected).isEqualTo(bitByBit(data));
    assertThat(array.getValue()).isEqualTo(expected);
    assertThat(direct.getValue()).isEqualTo(expected);
    assertThat(single.getValue()).isEqualTo(expected);
  }

  /** The definition, one bit at a time: reflected ISO polynomial, inverted in and out. */
  private static long bitByBit(byte[] data) {
    long c = ~0L;
    for (byte x : data) {
      c ^= x & 0xff;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ 0xD800000000000000L : c >>> 1;
      }
    }
    return ~c;
  }

  private static String hexOf(long v) {
    return String.format("%016x", v);
  }
}
