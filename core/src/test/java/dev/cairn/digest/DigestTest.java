package dev.cairn.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.testing.Seeds;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DigestTest {
  private static final String EMPTY_SHA256 =
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void sha256OfBytesMatchesTheKnownValue() {
    assertThat(Digest.sha256(new byte[0])).hasToString(EMPTY_SHA256);
    assertThat(Digest.parse(EMPTY_SHA256)).isEqualTo(Digest.sha256(new byte[0]));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "no colon",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "expected algorithm:hex"),
        Arguments.of(
            "unknown algorithm",
            "md5:d41d8cd98f00b204e9800998ecf8427e",
            "unsupported algorithm \"md5\""),
        Arguments.of("uppercase algorithm", "SHA256:" + "a".repeat(64), "unsupported algorithm"),
        Arguments.of("uppercase hex", "sha256:" + "A".repeat(64), "only lowercase hex"),
        Arguments.of("too short", "sha256:" + "a".repeat(63), "expected 64 hex digits"),
        Arguments.of("too long", "sha256:" + "a".repeat(65), "expected 64 hex digits"),
        Arguments.of("sha512 length for sha256", "sha256:" + "a".repeat(128), "expected 64"),
        Arguments.of("sha256 length for sha512", "sha512:" + "a".repeat(64), "expected 128"),
        Arguments.of("empty hex", "sha256:", "missing hex digits"),
        Arguments.of("non-hex", "sha256:" + "g".repeat(64), "character 1"),
        Arguments.of("control character", "sha256:" + "a".repeat(63) + "\n", "\\x0a"),
        Arguments.of("empty", "", "expected algorithm:hex"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidDigestsAreRejectedWithAReason(String name, String text, String reason) {
    assertThatThrownBy(() -> Digest.parse(text))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining(reason)
        .satisfies(
            e -> assertThat(((CairnException) e).kind()).isEqualTo(CairnException.Kind.INVALID));
    assertThat(Digest.isValid(text)).isFalse();
  }

  /** Property: every well-formed digest parses, prints back identically and agrees with isValid. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void wellFormedDigestsRoundTrip(long seed) {
    Random r = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      Digest.Algorithm a = r.nextBoolean() ? Digest.Algorithm.SHA256 : Digest.Algorithm.SHA512;
      byte[] raw = new byte[a.hexLength() / 2];
      r.nextBytes(raw);
      String text = a.prefix() + ":" + HexFormat.of().formatHex(raw);
      assertThat(Digest.parse(text)).hasToString(text);
      assertThat(Digest.isValid(text)).isTrue();
    }
  }

  /** Property: a single-character change anywhere makes parse and isValid agree on rejecting. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void mutatedDigestsAreRejectedConsistently(long seed) {
    Random r = new Random(seed);
    String alphabet = "0123456789abcdefABCDEFxyz:-_ \u00e9";
    for (int i = 0; i < 2_000; i++) {
      byte[] raw = new byte[32];
      r.nextBytes(raw);
      StringBuilder text = new StringBuilder("sha256:" + HexFormat.of().formatHex(raw));
      int at = r.nextInt(text.length() + 1);
      switch (r.nextInt(3)) {
        case 0 -> text.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
        case 1 -> {
          if (at < text.length()) {
            text.deleteCharAt(at);
          }
        }
        default -> {
          if (at < text.length()) {
            text.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
          }
        }
      }
      String s = text.toString();
      boolean valid = Digest.isValid(s);
      if (valid) {
        assertThat(Digest.parse(s)).hasToString(s);
      } else {
        assertThatThrownBy(() -> Digest.parse(s)).isInstanceOf(CairnException.class);
      }
    }
  }

  static Stream<Long> seeds() {
    return Seeds.stream(DigestTest.class, 3).boxed();
  }

  @Test
  void verifyingStreamAcceptsMatchingContent() throws IOException {
    byte[] data = "layer bytes".getBytes(StandardCharsets.UTF_8);
    try (VerifyingInputStream in =
        new VerifyingInputStream(
            new ByteArrayInputStream(data), Digest.sha256(data), data.length, "blob x")) {
      assertThat(in.readAllBytes()).isEqualTo(data);
      assertThat(in.verified()).isTrue();
    }
  }

  @Test
  void verifyingStreamRejectsADigestMismatchAtTheEnd() {
    byte[] data = "layer bytes".getBytes(StandardCharsets.UTF_8);
    Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(
            () ->
                drain(
                    new VerifyingInputStream(new ByteArrayInputStream(data), other, -1, "blob x")))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining(
            "blob x: digest mismatch: expected " + other + ", got " + Digest.sha256(data));
  }

  @Test
  void verifyingStreamRejectsShortAndLongContent() {
    byte[] data = "layer bytes".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256(data);
    assertThatThrownBy(
            () ->
                drain(
                    new VerifyingInputStream(
                        new ByteArrayInputStream(data), d, data.length + 1, "blob x")))
        .hasMessageContaining("size mismatch: expected 12 bytes, got 11");
    assertThatThrownBy(
            () ->
                drain(
                    new VerifyingInputStream(
                        new ByteArrayInputStream(data), d, data.length - 1, "blob x")))
        .hasMessageContaining("more than the expected 10 bytes");
  }

  @Test
  void singleByteReadsAreDigestedToo() throws IOException {
    byte[] data = "abc".getBytes(StandardCharsets.UTF_8);
    try (VerifyingInputStream in =
        new VerifyingInputStream(new ByteArrayInputStream(data), Digest.sha256(data), 3, "x")) {
      while (in.read() >= 0) {}
      assertThat(in.verified()).isTrue();
    }
  }

  private static void drain(InputStream in) throws IOException {
    try (in) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }
}
