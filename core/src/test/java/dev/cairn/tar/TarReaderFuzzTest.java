package dev.cairn.tar;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

/** Any bytes as a tar: read to the end or refused, and every byte accounted for. */
class TarReaderFuzzTest {
  @FuzzTest(maxDuration = Fuzz.ROUND)
  void everyByteOfAnAcceptedTarIsReportedOnceInOrder(byte[] input) throws Exception {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    Fuzz.rejectsCleanly(
        () -> {
          TarReader r = new TarReader(new ByteArrayInputStream(input), seen::write);
          for (TarEntry e; (e = r.next()) != null; ) {
            byte[] payload = r.payload().readAllBytes();
            assertThat(payload.length).as("payload of %s", e.name()).isEqualTo(e.size());
            seen.write(payload);
          }
          // Raw runs interleaved with payloads are the stream: what tar-split relies on.
          assertThat(seen.toByteArray()).isEqualTo(input);
          assertThat(r.offset()).isEqualTo(input.length);
        });
  }
}
