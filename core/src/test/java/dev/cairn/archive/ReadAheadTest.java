package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.testing.Seeds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The decompressing helper thread: same bytes, failures in place, stopped by close. */
class ReadAheadTest {
  static LongStream seeds() {
    return Seeds.stream(ReadAheadTest.class, 6);
  }

  /** A source that yields {@code data} in odd-sized reads, then fails if {@code failure} is set. */
  private static InputStream source(byte[] data, IOException failure, AtomicBoolean closed) {
    return new InputStream() {
      int at;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (at == data.length) {
          if (failure != null) {
            throw failure;
          }
          return -1;
        }
        int n = Math.min(Math.min(len, 1 + at % 70_001), data.length - at);
        System.arraycopy(data, at, b, off, n);
        at += n;
        return n;
      }

      @Override
      public void close() {
        closed.set(true);
      }
    };
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void yieldsTheSourceBytesInOrder(long seed) throws IOException {
    Random r = new Random(seed);
    byte[] data = new byte[r.nextInt(3 << 20)];
    r.nextBytes(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ReadAhead in = new ReadAhead(source(data, null, new AtomicBoolean()), "test")) {
      byte[] buf = new byte[1 + r.nextInt(100_000)];
      for (int n; (n = in.read(buf, 0, 1 + r.nextInt(buf.length))) >= 0; ) {
        out.write(buf, 0, n);
      }
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(out.toByteArray()).as("seed %d", seed).isEqualTo(data);
  }

  @Test
  void aFailureOfTheSourceArrivesAfterTheBytesBeforeIt() throws IOException {
    byte[] data = new byte[700_000];
    new Random(3).nextBytes(data);
    IOException boom = new IOException("unexpected end of stream");
    try (ReadAhead in = new ReadAhead(source(data, boom, new AtomicBoolean()), "test")) {
      assertThat(in.readNBytes(data.length)).isEqualTo(data);
      assertThatThrownBy(in::read).isSameAs(boom);
    }
  }

  @Test
  void closeStopsTheHelperAndClosesTheSource() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return 7;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) 7);
            return len;
          }

          @Override
          public void close() {
            closed.set(true);
          }
        };
    ReadAhead in = new ReadAhead(endless, "test-endless");
    assertThat(in.read()).isEqualTo(7); // the helper is now blocked on a full queue
    in.close();
    assertThat(closed).isTrue();
    assertThat(
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("test-endless")))
        .isEmpty();
  }

  @Test
  void decompressedLayersReadTheSameThroughTheHelper() throws IOException {
    byte[] data = new byte[1 << 20];
    new Random(5).nextBytes(data);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (var out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(data);
    }
    try (InputStream in = Decompress.open(new ByteArrayInputStream(gz.toByteArray()))) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }
}
