package dev.cairn.digest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.Seeds;
import dev.cairn.testing.Tools;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** libcrypto's SHA-256 agrees with the JDK's, whatever the sizes and splits of the updates. */
class NativeSha256Test {
  static LongStream seeds() {
    return Seeds.stream(NativeSha256Test.class, 12);
  }

  static void requireLibrary() {
    Tools.requireThat(NativeSha256.available(), "libcrypto (Debian: openssl) does not load");
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void splitUpdatesMatchTheJdk(long seed) throws Exception {
    requireLibrary();
    Random r = new Random(seed);
    // Sizes around the block (64), the chunk (1 MiB) and empty input.
    int size =
        switch (r.nextInt(4)) {
          case 0 -> r.nextInt(130);
          case 1 -> (1 << 20) - 70 + r.nextInt(140);
          case 2 -> 0;
          default -> r.nextInt(3 << 20);
        };
    byte[] data = new byte[size + 20];
    r.nextBytes(data);
    int start = r.nextInt(20);
    NativeSha256 sha = new NativeSha256();
    MessageDigest jdk = MessageDigest.getInstance("SHA-256");
    for (int at = start; at < start + size; ) {
      int n = Math.min(start + size - at, r.nextInt(r.nextBoolean() ? 100 : 1 << 21) + 1);
      sha.update(data, at, n);
      at += n;
    }
    jdk.update(data, start, size);
    assertThat(sha.digest()).as("seed %d, %d bytes", seed, size).isEqualTo(jdk.digest());
    // starts over after digest()
    sha.update(data, 0, 3);
    assertThat(sha.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(slice(data)));
  }

  private static byte[] slice(byte[] data) {
    return java.util.Arrays.copyOf(data, 3);
  }

  @Test
  void digesterGivesTheSameDigestFromArraysHeapAndDirectBuffers() throws Exception {
    byte[] data = new byte[3 << 20];
    new Random(7).nextBytes(data);
    Digest expected =
        Digest.fromBytes(
            Digest.Algorithm.SHA256, MessageDigest.getInstance("SHA-256").digest(data));
    Digester arrays = Digester.sha256();
    arrays.update(data, 0, 100);
    arrays.update(data, 100, data.length - 100);
    Digester heap = Digester.sha256();
    heap.update(ByteBuffer.wrap(data, 0, 5));
    heap.update(ByteBuffer.wrap(data, 5, data.length - 5));
    Digester direct = Digester.sha256();
    ByteBuffer d = ByteBuffer.allocateDirect(data.length).put(data).flip();
    direct.update(d);
    assertThat(d.hasRemaining()).isFalse();
    assertThat(List.of(arrays.size(), heap.size(), direct.size())).containsOnly((long) data.length);
    assertThat(List.of(arrays.digest(), heap.digest(), direct.digest())).containsOnly(expected);
  }
}
