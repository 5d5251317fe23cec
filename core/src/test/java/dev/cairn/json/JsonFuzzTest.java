package dev.cairn.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;

/** Any bytes as JSON: parsed or refused, and a parsed document compacts to a fixed point. */
class JsonFuzzTest {
  @FuzzTest(maxDuration = Fuzz.ROUND)
  void aParsedDocumentCompactsTheSameWayTwice(byte[] input) throws Exception {
    Fuzz.rejectsCleanly(
        () -> {
          byte[] once = new GoJsonWriter().raw(Json.parse(input)).toByteArray();
          byte[] twice = new GoJsonWriter().raw(Json.parse(once)).toByteArray();
          assertThat(twice).isEqualTo(once);
        });
  }
}
