package dev.cairn.tar;

import static dev.cairn.tar.TarReaderTest.bytes;
import static dev.cairn.tar.TarReaderTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad tar input: each refusal is INVALID and names the offset of the header at fault. */
class HostileTarTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "zero        | tar header at offset 1024: a header follows a zero block (corrupt archive)",
        "cut         | tar header at offset 512: unexpected end of stream inside a header block",
        "cutPax      | tar header at offset 1024: unexpected end of stream inside a header or its"
            + " padding",
      })
  void namesTheOffsetOfWhatIsWrong(String what, String message) {
    byte[] tar =
        switch (what) {
          case "zero" -> new Blocks().header("f", '0', 0).zeroBlocks(1).header("g", '0', 0).bytes();
          case "cut" ->
              Arrays.copyOf(new Blocks().header("f", '0', 0).header("g", '0', 0).bytes(), 800);
          default -> {
            byte[] records = TarWriter.records(Map.of("comment", new byte[600]));
            yield Arrays.copyOf(
                new Blocks()
                    .header("PaxHeaders.0/f", 'x', records.length)
                    .data(records, true)
                    .bytes(),
                1024);
          }
        };
    assertThatThrownBy(() -> read(tar)).isInstanceOf(CairnException.class).hasMessage(message);
  }

  @Test
  void refusesAPaxHeaderOverOneMebibyte() {
    byte[] tar = new Blocks().header("PaxHeaders/x", 'x', TarReader.MAX_EXTENSION_SIZE + 1).bytes();
    assertInvalid(tar, "PAX header of 1048577 bytes exceeds the limit");
  }

  @Test
  void refusesAGnuLongNameOverOneMebibyte() {
    byte[] tar =
        new Blocks().header("././@LongLink", 'L', TarReader.MAX_EXTENSION_SIZE + 1).bytes();
    assertInvalid(tar, "GNU long name of 1048577 bytes exceeds the limit");
  }

  @Test
  void refusesANegativeSize() {
    byte[] tar =
        new Blocks().header("f", '0', 0, h -> Arrays.fill(h, 124, 136, (byte) 0xff)).bytes();
    assertInvalid(tar, "size field is negative");
  }

  @Test
  void refusesASizeBeyondSixtyFourBits() {
    byte[] tar =
        new Blocks()
            .header(
                "f",
                '0',
                0,
                h -> {
                  h[124] = (byte) 0x80;
                  Arrays.fill(h, 125, 136, (byte) 0x7f);
                })
            .bytes();
    assertInvalid(tar, "size field overflows 64 bits");
  }

  @Test
  void refusesANonOctalSize() {
    byte[] tar = new Blocks().header("f", '0', 0, h -> Blocks.put(h, 124, "12x")).bytes();
    assertInvalid(tar, "size field is not octal");
  }

  @Test
  void refusesANegativePaxSize() {
    byte[] records = TarWriter.records(Map.of("size", bytes("-1")));
    byte[] tar =
        new Blocks()
            .header("PaxHeaders/x", 'x', records.length)
            .data(records, true)
            .header("x", '0', 0)
            .bytes();
    assertInvalid(tar, "PAX size is negative");
  }

  @Test
  void refusesMalformedPaxRecords() {
    byte[] records = bytes("99 path=x\n");
    byte[] tar =
        new Blocks().header("PaxHeaders/x", 'x', records.length).data(records, true).bytes();
    assertInvalid(tar, "malformed PAX record");
  }

  @Test
  void refusesABadHeaderChecksum() {
    byte[] tar = new Blocks().header("f", '0', 0).header("g", '0', 0).zeroBlocks(2).bytes();
    tar[512] = 'h';
    assertInvalid(tar, "header checksum mismatch");
  }

  @Test
  void aStreamWhoseFirstBlockIsNoHeaderIsNotATarArchiveAndItsBytesAreEscaped() {
    byte[] junk = new byte[1024];
    new Random(9).nextBytes(junk); // any junk: the checksum field below is what is read
    System.arraycopy(new byte[] {'1', 0x1b, '[', '2', 'J', (byte) 0x9b, 0, '7'}, 0, junk, 148, 8);
    assertThatThrownBy(() -> read(junk))
        .isInstanceOf(CairnException.class)
        .hasMessage(
            "not a tar archive: tar header at offset 0: checksum field is not octal:"
                + " \"1\\x1b[2J\\x9b\\x007\"");
  }

  @Test
  void refusesGnuSparseEntries() {
    byte[] tar = new Blocks().header("sparse", 'S', 0).zeroBlocks(2).bytes();
    assertInvalid(tar, "GNU sparse entries are not supported");
  }

  @Test
  void refusesPaxSparseEntries() {
    byte[] records = TarWriter.records(Map.of("GNU.sparse.major", bytes("1")));
    byte[] tar =
        new Blocks()
            .header("PaxHeaders/x", 'x', records.length)
            .data(records, true)
            .header("x", '0', 0)
            .zeroBlocks(2)
            .bytes();
    assertInvalid(tar, "PAX sparse entries (\"GNU.sparse.major\") are not supported");
  }

  @Test
  void refusesATruncatedPayload() throws IOException {
    byte[] tar = new Blocks().header("f", '0', 100).data(new byte[10], false).bytes();
    TarReader r = new TarReader(new ByteArrayInputStream(tar));
    r.next();
    assertThatThrownBy(() -> r.payload().readAllBytes())
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("unexpected end of stream inside an entry's payload");
  }

  @Test
  void refusesATruncatedHeader() {
    byte[] tar = Arrays.copyOf(new Blocks().header("f", '0', 0).bytes(), 300);
    assertInvalid(tar, "unexpected end of stream inside a header block");
  }

  @Test
  void refusesAHeaderAfterAZeroBlock() {
    byte[] tar = new Blocks().zeroBlocks(1).header("f", '0', 0).bytes();
    assertInvalid(tar, "a header follows a zero block");
  }

  private static void assertInvalid(byte[] tar, String message) {
    assertThatThrownBy(() -> read(tar))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessageStartingWith("tar header at offset ")
        .hasMessageContaining(message);
  }
}
