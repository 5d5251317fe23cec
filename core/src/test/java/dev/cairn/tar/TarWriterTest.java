package dev.cairn.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The writer's rules: a ustar header (POSIX) for each entry, a PAX extended header before it only
 * for a value that header cannot hold, GNU base-256 for large device numbers, two zero blocks at
 * the end; every entry read back by Go's archive/tar as written.
 */
class TarWriterTest {
  private static final long MAX_7_DIGITS = 07777777L;
  private static final long MAX_11_DIGITS = 077777777777L;

  static Stream<Arguments> limits() {
    TarEntry f = TarEntry.regular("f", 0);
    return Stream.of(
        Arguments.of("a name of 100 bytes", TarEntry.regular("n".repeat(100), 0), false),
        Arguments.of("a name of 101 bytes", TarEntry.regular("n".repeat(101), 0), true),
        Arguments.of("a link of 100 bytes", TarEntry.symlink("l", "t".repeat(100)), false),
        Arguments.of("a link of 101 bytes", TarEntry.symlink("l", "t".repeat(101)), true),
        Arguments.of("a short link", TarEntry.hardlink("h", "target"), false),
        Arguments.of("uid 7777777", f.withOwner(MAX_7_DIGITS, 1, "", ""), false),
        Arguments.of("uid 10000000", f.withOwner(MAX_7_DIGITS + 1, 1, "", ""), true),
        Arguments.of("gid 7777777", f.withOwner(1, MAX_7_DIGITS, "", ""), false),
        Arguments.of("gid 10000000", f.withOwner(1, MAX_7_DIGITS + 1, "", ""), true),
        Arguments.of("a user name of 32 bytes", f.withOwner(0, 0, "u".repeat(32), "g"), false),
        Arguments.of("a user name of 33 bytes", f.withOwner(0, 0, "u".repeat(33), "g"), true),
        Arguments.of("a group name of 32 bytes", f.withOwner(0, 0, "u", "g".repeat(32)), false),
        Arguments.of("a group name of 33 bytes", f.withOwner(0, 0, "u", "g".repeat(33)), true),
        Arguments.of("mtime 0", f.withMtime(Instant.EPOCH), false),
        Arguments.of("mtime 1700000000", f.withMtime(Instant.ofEpochSecond(1_700_000_000)), false),
        Arguments.of("mtime -1", f.withMtime(Instant.ofEpochSecond(-1)), true),
        Arguments.of("mtime 77777777777", f.withMtime(Instant.ofEpochSecond(MAX_11_DIGITS)), false),
        Arguments.of(
            "mtime 100000000000", f.withMtime(Instant.ofEpochSecond(MAX_11_DIGITS + 1)), true),
        Arguments.of("mtime 1.5", f.withMtime(Instant.ofEpochSecond(1, 500_000_000)), true),
        Arguments.of("a size of 77777777777", link(MAX_11_DIGITS), false),
        Arguments.of("a size of 100000000000", link(MAX_11_DIGITS + 1), true),
        Arguments.of("device 7777777,0", TarEntry.device("d", (byte) '3', MAX_7_DIGITS, 0), false),
        Arguments.of(
            "device 10000000,2^50", TarEntry.device("d", (byte) '4', 1 << 21, 1L << 50), false));
  }

  /** A hard link whose header states {@code size}: it has no payload, whatever the size. */
  private static TarEntry link(long size) {
    return new TarEntry(
        bytes("h"),
        (byte) '1',
        0644,
        0,
        0,
        "",
        "",
        size,
        Instant.EPOCH,
        bytes("t"),
        0,
        0,
        Map.of());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("limits")
  void writesAPaxHeaderOnlyForAValueTheUstarHeaderCannotHold(
      String what, TarEntry entry, boolean pax) throws Exception {
    byte[] tar = TarReaderTest.write(List.of(entry), List.of(new byte[0]));
    assertThat(tar).as("blocks").hasSize((pax ? 2 : 0) * 512 + 512 + 1024);
    assertUstarHeaders(tar);
    // The entry header's own size field holds the size when it fits, else 0 (the PAX record).
    byte[] header = Arrays.copyOfRange(tar, tar.length - 1536, tar.length - 1024);
    long sizeField = Long.parseLong(ascii(header, 124, 11), 8);
    assertThat(sizeField).isEqualTo(entry.size() > MAX_11_DIGITS ? 0 : entry.size());
    String go = GoTarOracle.go(List.of(tar)).getFirst();
    assertThat(withoutRecords(go)).isEqualTo(withoutRecords(GoTarOracle.line(entry, new byte[0])));
  }

  /** The PAX records column, which holds what the writer had to add. */
  private static String withoutRecords(String line) {
    String[] f = line.strip().split(" ", -1);
    f[12] = "";
    return String.join(" ", f);
  }

  static Stream<Arguments> paxHeaderNames() {
    return Stream.of(
        Arguments.of("n".repeat(101), "PaxHeaders.0/" + "n".repeat(87)),
        Arguments.of("dir/sub/" + "n".repeat(100), "dir/sub/PaxHeaders.0/" + "n".repeat(79)),
        Arguments.of("d/" + "s".repeat(100) + "/", "d/PaxHeaders.0/" + "s".repeat(85)),
        Arguments.of("/" + "a".repeat(100), "/PaxHeaders.0/" + "a".repeat(86)),
        Arguments.of("/".repeat(101), "PaxHeaders.0/" + "/".repeat(87)),
        Arguments.of("", "PaxHeaders.0/"));
  }

  /** GNU tar and Go name the extended header after the entry: "dir/PaxHeaders.N/base". */
  @ParameterizedTest
  @MethodSource("paxHeaderNames")
  void namesThePaxHeaderAfterTheEntry(String name, String paxName) throws Exception {
    TarEntry e = TarEntry.regular(name, 0).withOwner(MAX_7_DIGITS + 1, 0, "", "");
    byte[] tar = TarReaderTest.write(List.of(e), List.of(new byte[0]));
    assertThat(ascii(tar, 0, 100)).isEqualTo(paxName);
    assertThat(tar[156]).isEqualTo((byte) 'x');
    assertUstarHeaders(tar);
    assertThat(TarReaderTest.read(tar).entries().getFirst().rawName()).isEqualTo(bytes(name));
  }

  @Test
  void aGlobalHeaderKeepsItsNameAndRecords() throws Exception {
    byte[] tar =
        TarReaderTest.write(
            List.of(
                TarEntry.globalHeader("pax_global_header", Map.of("comment", "hi")),
                TarEntry.regular("f", 1)),
            List.of(new byte[0], bytes("x")));
    assertUstarHeaders(tar);
    assertThat(GoTarOracle.go(List.of(tar)).getFirst()).isEqualTo(GoTarOracle.cairn(tar));
    List<TarEntry> read = TarReaderTest.read(tar).entries();
    assertThat(read.getFirst().type()).isEqualTo(TarEntry.Type.GLOBAL_HEADER);
    assertThat(read.getFirst().name()).isEqualTo("pax_global_header");
    assertThat(read.getFirst().pax()).isEqualTo(Map.of("comment", "hi"));
    assertThat(read.get(1).name()).isEqualTo("f");
  }

  @Test
  void endsTheArchiveWithTwoZeroBlocksOnceAndFlushesWithoutClosing() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    boolean[] closed = {false};
    java.io.BufferedOutputStream out =
        new java.io.BufferedOutputStream(sink, 1 << 16) {
          @Override
          public void close() throws IOException {
            closed[0] = true;
            super.close();
          }
        };
    TarWriter w = new TarWriter(out);
    w.add(TarEntry.regular("f", 3), new ByteArrayInputStream(bytes("abc")));
    w.finish();
    assertThat(closed[0]).isFalse();
    byte[] tar = sink.toByteArray();
    assertThat(tar).hasSize(512 + 512 + 1024);
    assertThat(Arrays.copyOfRange(tar, 512, 515)).isEqualTo(bytes("abc"));
    assertThat(Arrays.copyOfRange(tar, 515, tar.length)).containsOnly(0);
    w.finish();
    w.close();
    assertThat(closed[0]).isTrue();
    assertThat(sink.toByteArray()).hasSize(tar.length);
  }

  @Test
  void closingWritesTheEndMarkerAndClosesTheStream() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    boolean[] closed = {false};
    java.io.FilterOutputStream out =
        new java.io.FilterOutputStream(sink) {
          @Override
          public void close() throws IOException {
            closed[0] = true;
            super.close();
          }
        };
    try (TarWriter w = new TarWriter(out)) {
      w.add(TarEntry.directory("d/"));
    }
    assertThat(closed[0]).isTrue();
    assertThat(sink.toByteArray()).hasSize(512 + 1024);
  }

  @Test
  void refusesPayloadsLongerOrShorterThanTheEntrysSize() throws IOException {
    TarWriter w = new TarWriter(new ByteArrayOutputStream());
    w.add(TarEntry.regular("f", 3));
    assertThatThrownBy(() -> w.write(new byte[5], 0, 5))
        .isInstanceOf(IOException.class)
        .hasMessage("payload longer than the entry's size by 2");
    assertThatThrownBy(() -> w.add(TarEntry.regular("g", 0)))
        .isInstanceOf(IOException.class)
        .hasMessage("the previous entry is 3 payload bytes short");
    TarWriter w2 = new TarWriter(new ByteArrayOutputStream());
    assertThatThrownBy(
            () -> w2.add(TarEntry.regular("f", 10), new ByteArrayInputStream(bytes("abc"))))
        .isInstanceOf(IOException.class)
        .hasMessage("payload of \"f\" ended 7 bytes before its size");
  }

  /**
   * Every header block is a ustar header (POSIX): magic "ustar\0" and version "00", numeric fields
   * zero-filled octal digits ending in NUL, the checksum six digits, NUL and space; device numbers
   * either so or GNU base-256.
   */
  private static void assertUstarHeaders(byte[] tar) {
    List<Integer> headers = new ArrayList<>();
    int at = 0;
    while (!isZero(tar, at)) {
      headers.add(at);
      byte type = tar[at + 156];
      long size = Long.parseLong(ascii(tar, at + 124, 11), 8);
      boolean payload = !TarEntry.headerOnly(type);
      at += 512 + (payload ? (int) ((size + 511) & ~511L) : 0);
    }
    assertThat(headers).isNotEmpty();
    for (int h : headers) {
      assertThat(ascii(tar, h + 257, 6)).isEqualTo("ustar");
      assertThat(tar[h + 262]).isZero();
      assertThat(ascii(tar, h + 263, 2)).isEqualTo("00");
      for (int[] field : new int[][] {{100, 8}, {108, 8}, {116, 8}, {124, 12}, {136, 12}}) {
        assertThat(Arrays.copyOfRange(tar, h + field[0], h + field[0] + field[1]))
            .as("field at %d of the header at %d", field[0], h)
            .satisfies(f -> assertOctal(f));
      }
      assertThat(ascii(tar, h + 148, 6)).matches("[0-7]{6}");
      assertThat(tar[h + 154]).isZero();
      assertThat(tar[h + 155]).isEqualTo((byte) ' ');
      byte type = tar[h + 156];
      if (type != 'x' && type != 'g') {
        for (int off : new int[] {329, 337}) {
          byte[] f = Arrays.copyOfRange(tar, h + off, h + off + 8);
          if ((f[0] & 0x80) == 0) {
            assertOctal(f);
          }
        }
      }
    }
  }

  private static void assertOctal(byte[] field) {
    String digits = new String(field, 0, field.length - 1, StandardCharsets.ISO_8859_1);
    assertThat(digits).matches("[0-7]+");
    assertThat(field[field.length - 1]).isZero();
  }

  @Test
  void writesSmallDeviceNumbersInOctalAndLargeOnesInBase256() throws Exception {
    TarEntry small = TarEntry.device("a", (byte) '3', MAX_7_DIGITS, 0);
    TarEntry large = TarEntry.device("b", (byte) '4', MAX_7_DIGITS + 1, 1L << 50);
    byte[] tar = TarReaderTest.write(List.of(small, large), List.of(new byte[0], new byte[0]));
    assertThat(ascii(tar, 329, 8)).isEqualTo("7777777");
    assertThat(ascii(tar, 337, 8)).isEqualTo("0000000");
    assertThat(Arrays.copyOfRange(tar, 512 + 329, 512 + 345))
        .isEqualTo(
            new byte[] {(byte) 0x80, 0, 0, 0, 0, 0x20, 0, 0, (byte) 0x80, 4, 0, 0, 0, 0, 0, 0});
    assertThat(GoTarOracle.go(List.of(tar)).getFirst())
        .isEqualTo(
            GoTarOracle.line(small, new byte[0])
                + "\n"
                + GoTarOracle.line(large, new byte[0])
                + "\n");
  }

  private static boolean isZero(byte[] b, int at) {
    for (int i = at; i < at + 512; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The bytes of a field up to its first NUL, as ASCII. */
  private static String ascii(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
