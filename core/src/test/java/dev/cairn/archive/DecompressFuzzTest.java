package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;

/** Any blob through gzip, bzip2, xz, zstd or none: decompressed within the cap or refused. */
class DecompressFuzzTest {
  private static final long CAP = 1 << 20;

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void anyBlobDecompressesWithinItsCapOrIsRefused(byte[] blob) throws Exception {
    ByteArrayInputStream raw = new ByteArrayInputStream(blob);
    Fuzz.rejectsCleanly(
        () -> {
          try (InputStream in = Decompress.open(raw, CAP)) {
            long n = in.transferTo(OutputStream.nullOutputStream());
            assertThat(n).isLessThanOrEqualTo(CAP);
            // The whole blob is read, so that a digest around it sees every byte.
            assertThat(raw.available()).isZero();
          }
        });
  }
}
