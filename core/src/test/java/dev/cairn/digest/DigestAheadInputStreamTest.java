package dev.cairn.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.testing.Seeds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestAheadInputStreamTest {
  private static final int CHUNK = 1 << 20;
  private static final long SEED = Seeds.of(DigestAheadInputStreamTest.class);

  /** A source that answers in uneven short reads, as a decompressor does. */
  private static InputStream trickling(byte[] data) {
    return new ByteArrayInputStream(data) {
      private final Random random = new Random(SEED);

      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1 + random.nextInt(70_000)));
      }
    };
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, 511, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 12345})
  void passesEveryByteThroughAndDigestsExactlyThem(int size) throws IOException {
    byte[] data = new byte[size];
    new Random(SEED + size).nextBytes(data);
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    try (DigestAheadInputStream in =
        new DigestAheadInputStream(trickling(data), Digest.Algorithm.SHA256)) {
      byte[] buf = new byte[8191];
      Random random = new Random(~SEED + size);
      while (true) {
        if (random.nextInt(10) == 0) { // mixed single-byte reads and skips
          int b = in.read();
          if (b < 0) {
            break;
          }
          seen.write(b);
          continue;
        }
        int n = in.read(buf, 0, 1 + random.nextInt(buf.length));
        if (n < 0) {
          break;
        }
        seen.write(buf, 0, n);
      }
      assertThat(seen.toByteArray()).isEqualTo(data);
      assertThat(in.digest()).isEqualTo(Digest.sha256(data));
      assertThat(in.size()).isEqualTo(size);
    }
  }

  @Test
  void skippedBytesAreDigestedToo() throws IOException {
    byte[] data = new byte[3 * CHUNK];
    new Random(3).nextBytes(data);
    try (DigestAheadInputStream in =
        new DigestAheadInputStream(new ByteArrayInputStream(data), Digest.Algorithm.SHA256)) {
      assertThat(in.skip(CHUNK + 10)).isEqualTo(CHUNK + 10);
      assertThat(in.read()).isEqualTo(data[CHUNK + 10] & 0xff);
      in.transferTo(OutputStreamSink.INSTANCE);
      assertThat(in.digest()).isEqualTo(Digest.sha256(data));
    }
  }

  @Test
  void theDigestIsRefusedBeforeTheEnd() throws IOException {
    byte[] data = new byte[2 * CHUNK];
    try (DigestAheadInputStream in =
        new DigestAheadInputStream(new ByteArrayInputStream(data), Digest.Algorithm.SHA256)) {
      in.read();
      assertThatThrownBy(in::digest).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void closingEarlyStopsTheHashingThread() throws Exception {
    byte[] data = new byte[8 * CHUNK];
    DigestAheadInputStream in =
        new DigestAheadInputStream(new ByteArrayInputStream(data), Digest.Algorithm.SHA256);
    in.read(new byte[10]);
    long before =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("cairn-digest"))
            .count();
    in.close();
    for (int i = 0; i < 200 && countHashers() >= before && before > 0; i++) {
      Thread.sleep(10);
    }
    assertThat(countHashers()).isLessThan(before);
  }

  private static long countHashers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("cairn-digest") && t.isAlive())
        .count();
  }

  private static final class OutputStreamSink extends java.io.OutputStream {
    static final OutputStreamSink INSTANCE = new OutputStreamSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
