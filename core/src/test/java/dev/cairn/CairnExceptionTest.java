package dev.cairn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Untrusted text and bytes in messages: quoted, and nothing a terminal would act on. */
class CairnExceptionTest {
  @Test
  void quotedTextEscapesC0AndC1ControlsQuotesAndBackslashes() {
    assertThat(CairnException.quote("a\u001b[2J\u009b\"\\\u007f\u00e9"))
        .isEqualTo("\"a\\x1b[2J\\u009b\\\"\\\\\\x7f\u00e9\"");
  }

  @Test
  void quotedBytesKeepUtf8AndEscapeEveryOtherByte() {
    byte[] name = {
      'd', '/', 0x1b, 0, (byte) 0x9b, (byte) 0xc3, (byte) 0xa9, (byte) 0xc2, (byte) 0x9b
    };
    assertThat(CairnException.quote(name)).isEqualTo("\"d/\\x1b\\x00\\x9b\u00e9\\u009b\"");
    assertThat(CairnException.quote("caf\u00e9 \u2603".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("\"caf\u00e9 \u2603\"");
    assertThat(CairnException.quote(new byte[] {(byte) 0xe2, (byte) 0x98}))
        .as("a sequence cut short")
        .isEqualTo("\"\\xe2\\x98\"");
  }

  @Test
  void quotedBytesAreCutSoThatOneNameCannotFloodATerminal() {
    byte[] name = "x".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
    assertThat(CairnException.quote(name)).isEqualTo("\"" + "x".repeat(256) + "\"…");
  }
}
