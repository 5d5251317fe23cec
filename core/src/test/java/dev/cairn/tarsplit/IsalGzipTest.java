package dev.cairn.tarsplit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.Seeds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the metadata compressor writes, the JDK reads back exactly, whatever the write pattern. */
class IsalGzipTest {
  static LongStream seeds() {
    return Seeds.stream(IsalGzipTest.class, 30);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theJdkReadsBackWhatWasWritten(long seed) throws IOException {
    // Without ISA-L, zlib does the work; on CI the library must serve.
    if ("true".equals(System.getenv("CI"))) {
      assertThat(IsalGzip.loaded()).as("ISA-L (Debian: libisal2) loads").isTrue();
    }
    Random r = new Random(seed);
    byte[] data = new byte[r.nextInt(4) == 0 ? r.nextInt(10) : r.nextInt(3 << 20)];
    if (r.nextBoolean()) {
      r.nextBytes(data); // incompressible: stored blocks
    } else {
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) "{\"name\":\"usr/lib/x\",\"size\":12}\n".charAt(r.nextInt(31));
      }
    }
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    OutputStream gz = IsalGzip.open(sink);
    for (int off = 0; off < data.length; ) {
      int n = Math.min(data.length - off, r.nextBoolean() ? 1 + r.nextInt(20) : r.nextInt(200_000));
      if (n == 1 && r.nextBoolean()) {
        gz.write(data[off]);
      } else {
        gz.write(data, off, n);
      }
      off += n;
    }
    gz.close();
    sink.write("after".getBytes()); // the sink stays open
    byte[] written = sink.toByteArray();
    try (InputStream in =
        new GZIPInputStream(new ByteArrayInputStream(written, 0, written.length - 5))) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }
}
