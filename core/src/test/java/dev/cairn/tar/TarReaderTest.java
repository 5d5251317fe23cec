package dev.cairn.tar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TarReaderTest {
  @TempDir Path tmp;

  /** Everything one pass over a stream saw. */
  record Read(List<TarEntry> entries, List<byte[]> payloads, List<byte[]> runs, byte[] rebuilt) {}

  static Read read(byte[] tar) throws IOException {
    ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
    List<byte[]> runs = new ArrayList<>();
    TarReader r =
        new TarReader(
            new ByteArrayInputStream(tar),
            (b, off, len) -> {
              runs.add(Arrays.copyOfRange(b, off, off + len));
              rebuilt.write(b, off, len);
            });
    List<TarEntry> entries = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    for (TarEntry e; (e = r.next()) != null; ) {
      byte[] p = r.payload().readAllBytes();
      assertThat(p).hasSize((int) e.size());
      rebuilt.writeBytes(p);
      entries.add(e);
      payloads.add(p);
    }
    assertThat(r.next()).isNull();
    assertThat(r.offset()).isEqualTo(tar.length);
    return new Read(entries, payloads, runs, rebuilt.toByteArray());
  }

  static byte[] write(List<TarEntry> entries, List<byte[]> payloads) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (int i = 0; i < entries.size(); i++) {
        w.add(entries.get(i), new ByteArrayInputStream(payloads.get(i)));
      }
    }
    return out.toByteArray();
  }

  static final byte[] LATIN1_NAME = "caf\u00e9.txt".getBytes(StandardCharsets.ISO_8859_1);

  @Test
  void writerAndReaderAgreeOnEveryField() throws IOException {
    String longName = "dir/" + "n".repeat(150) + "/file";
    byte[] longLatin1 =
        ("deep/" + "x".repeat(120) + "/\u00e9").getBytes(StandardCharsets.ISO_8859_1);
    List<TarEntry> entries =
        List.of(
            TarEntry.directory("dir/").withMtime(Instant.ofEpochSecond(1_700_000_000, 123_456_789)),
            TarEntry.regular(longName, 5).withOwner(3_000_000, 42, "someone", "staff"),
            TarEntry.regular("a", 0).withName(LATIN1_NAME),
            TarEntry.regular("b", 3).withName(longLatin1).withMode(0755),
            TarEntry.symlink("link", "t".repeat(300)),
            TarEntry.hardlink("hard", longName),
            TarEntry.device("dev/null", (byte) '3', 1, 3),
            TarEntry.device("dev/huge", (byte) '4', 1L << 40, 7),
            TarEntry.fifo("pipe"),
            TarEntry.regular("x", 1).withPax(Map.of("SCHILY.xattr.user.k", "v\u00e9")),
            TarEntry.regular("cap", 0)
                .withXattrs(Map.of("security.capability", new byte[] {1, 0, 0, 2, (byte) 0xff})));
    List<byte[]> payloads = new ArrayList<>();
    for (TarEntry e : entries) {
      byte[] p = new byte[(int) e.size()];
      Arrays.fill(p, (byte) 'z');
      payloads.add(p);
    }
    byte[] tar = write(entries, payloads);
    Read read = read(tar);

    assertThat(read.rebuilt()).isEqualTo(tar);
    assertThat(read.entries()).hasSameSizeAs(entries);
    for (int i = 0; i < entries.size(); i++) {
      TarEntry want = entries.get(i);
      TarEntry got = read.entries().get(i);
      assertThat(got.rawName()).as("name %d", i).isEqualTo(want.rawName());
      assertThat(got.rawLinkname()).as("link %d", i).isEqualTo(want.rawLinkname());
      assertThat(got.withPax(want.pax())).as("entry %d", i).isEqualTo(want);
      assertThat(got.xattrs()).as("xattrs %d", i).containsOnlyKeys(want.xattrs().keySet());
      want.xattrs().forEach((k, v) -> assertThat(got.xattrs().get(k)).as(k).isEqualTo(v));
      assertThat(read.payloads().get(i)).isEqualTo(payloads.get(i));
    }
    assertThat(read.entries().get(1).name()).isEqualTo(longName);
    assertThat(read.entries().get(2).name()).isEqualTo("caf\ufffd.txt");
  }

  @Test
  void xattrValuesAreRawBytesNotText() throws IOException {
    byte[] capability = {1, 0, 0, 2, (byte) 0xff, (byte) 0x80, 0, (byte) 0xc3};
    byte[] tar =
        write(
            List.of(
                TarEntry.regular("ping", 0)
                    .withXattrs(Map.of("security.capability", capability))
                    .withPax(Map.of("comment", "caf\u00e9"))),
            List.of(new byte[0]));
    // The PAX record holds the exact bytes.
    byte[] record = "SCHILY.xattr.security.capability=".getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(tar, record);
    assertThat(at).isPositive();
    assertThat(Arrays.copyOfRange(tar, at + record.length, at + record.length + 8))
        .isEqualTo(capability);
    assertThat(tar[at + record.length + 8]).isEqualTo((byte) '\n');

    TarEntry e = read(tar).entries().getFirst();
    assertThat(e.xattrs()).containsOnlyKeys("security.capability");
    assertThat(e.xattrs().get("security.capability")).isEqualTo(capability);
    assertThat(e.pax()).isEqualTo(Map.of("comment", "caf\u00e9"));
    e.xattrs().get("security.capability")[0] = 9; // a copy: the entry stays as read
    assertThat(e.xattrs().get("security.capability")).isEqualTo(capability);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @ParameterizedTest(name = "--format={0}")
  @ValueSource(strings = {"gnu", "oldgnu", "pax", "ustar", "v7"})
  void readsWhatGnuTarWrites(String format) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    boolean longNames = format.equals("gnu") || format.equals("pax") || format.equals("oldgnu");
    String deep = longNames ? "d/" + "long".repeat(40) : "d/short";
    Files.createDirectories(root.resolve(deep));
    Files.writeString(root.resolve(deep + "/file.txt"), "content\n");
    Files.write(root.resolve("d/blob"), new byte[70_000]);
    Files.writeString(root.resolve("d/empty"), "");
    Files.createSymbolicLink(root.resolve("d/sym"), Path.of("blob"));
    Files.createLink(root.resolve("d/hard"), root.resolve("d/blob"));
    Path tarFile = tmp.resolve("out.tar");
    Tool.run(
        root,
        null,
        null,
        "tar",
        "--format=" + format,
        "--sort=name",
        "--owner=0",
        "--group=0",
        "-cf",
        tarFile.toString(),
        "d");
    byte[] tar = Files.readAllBytes(tarFile);
    Read read = read(tar);

    assertThat(read.rebuilt()).isEqualTo(tar);
    List<String> names = read.entries().stream().map(TarEntry::name).toList();
    assertThat(names)
        .contains("d/", "d/blob", "d/empty", "d/sym", "d/hard", deep + "/", deep + "/file.txt");
    TarEntry blob = read.entries().get(names.indexOf("d/blob"));
    assertThat(blob.type()).isEqualTo(TarEntry.Type.REGULAR);
    assertThat(read.payloads().get(names.indexOf("d/blob"))).isEqualTo(new byte[70_000]);
    TarEntry hard = read.entries().get(names.indexOf("d/hard"));
    assertThat(hard.type()).isEqualTo(TarEntry.Type.HARDLINK);
    assertThat(hard.linkname()).isEqualTo("d/blob");
    assertThat(hard.size()).isZero();
    TarEntry sym = read.entries().get(names.indexOf("d/sym"));
    assertThat(sym.type()).isEqualTo(TarEntry.Type.SYMLINK);
    assertThat(sym.linkname()).isEqualTo("blob");
    assertThat(read.entries().get(names.indexOf("d/")).type()).isEqualTo(TarEntry.Type.DIRECTORY);
    assertThat(read.payloads().get(names.indexOf(deep + "/file.txt")))
        .isEqualTo("content\n".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void reportsJunkAfterTheEndMarkerInBoundedChunks() throws IOException {
    byte[] junk = new byte[TarReader.TRAILER_CHUNK + 1000];
    Arrays.fill(junk, (byte) 'j');
    byte[] tar = concat(new Blocks().header("f", '0', 3).data("abc").zeroBlocks(2).bytes(), junk);
    Read read = read(tar);

    assertThat(read.rebuilt()).isEqualTo(tar);
    List<Integer> sizes = read.runs().stream().map(r -> r.length).toList();
    assertThat(sizes).containsExactly(512, 509 + 1024, TarReader.TRAILER_CHUNK, 1000, 0);
  }

  @Test
  void anExactlyEndedArchiveReportsOneEmptyTrailingChunk() throws IOException {
    byte[] tar = new Blocks().header("f", '0', 512).data(new byte[512], true).bytes();
    Read read = read(tar);
    assertThat(read.runs().stream().map(r -> r.length).toList()).containsExactly(512, 0);
  }

  @Test
  void acceptsMissingOrSingleEndBlocks() throws IOException {
    byte[] none = new Blocks().header("f", '0', 1).data("x").bytes();
    byte[] one = new Blocks().header("f", '0', 1).data("x").zeroBlocks(1).bytes();
    byte[] many = new Blocks().header("f", '0', 1).data("x").zeroBlocks(7).bytes();
    for (byte[] tar : List.of(none, one, many)) {
      Read read = read(tar);
      assertThat(read.entries()).hasSize(1);
      assertThat(read.rebuilt()).isEqualTo(tar);
    }
  }

  @Test
  void appliesGnuLongNamesAndLinks() throws IOException {
    String name = "n".repeat(300);
    String link = "l".repeat(200);
    byte[] tar =
        new Blocks()
            .header("././@LongLink", 'L', name.length() + 1)
            .data(name + "\0")
            .header("././@LongLink", 'K', link.length())
            .data(link)
            .header("short", '2', 0, h -> Blocks.put(h, 157, "shortlink"))
            .zeroBlocks(2)
            .bytes();
    Read read = read(tar);
    assertThat(read.entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.name()).isEqualTo(name);
              assertThat(e.linkname()).isEqualTo(link);
              assertThat(e.type()).isEqualTo(TarEntry.Type.SYMLINK);
            });
    assertThat(read.runs().getFirst()).hasSize(512 * 4 + 512 * 1);
  }

  @Test
  void joinsTheUstarPrefixAndParsesBase256Numbers() throws IOException {
    byte[] tar =
        new Blocks()
            .header(
                "name",
                '0',
                0,
                h -> {
                  Blocks.put(h, 345, "some/prefix");
                  h[108] = (byte) 0x80;
                  Arrays.fill(h, 109, 116, (byte) 0);
                  h[115] = 0x2a; // uid 42 in base-256
                })
            .zeroBlocks(2)
            .bytes();
    TarEntry e = read(tar).entries().getFirst();
    assertThat(e.name()).isEqualTo("some/prefix/name");
    assertThat(e.uid()).isEqualTo(42);
  }

  @Test
  void appliesPaxOverridesWithSubSecondTimes() throws IOException {
    byte[] records =
        TarWriter.records(
            Map.of(
                "path", bytes("pax/name"),
                "mtime", bytes("1700000000.5"),
                "size", bytes("4"),
                "uid", bytes("70000000")));
    byte[] tar =
        new Blocks()
            .header("PaxHeaders/x", 'x', records.length)
            .data(records, true)
            .header("x", '0', 999)
            .data("abcd")
            .zeroBlocks(2)
            .bytes();
    Read read = read(tar);
    TarEntry e = read.entries().getFirst();
    assertThat(e.name()).isEqualTo("pax/name");
    assertThat(e.size()).isEqualTo(4);
    assertThat(e.uid()).isEqualTo(70_000_000);
    assertThat(e.mtime()).isEqualTo(Instant.ofEpochSecond(1_700_000_000, 500_000_000));
    assertThat(read.payloads().getFirst()).isEqualTo(bytes("abcd"));
  }

  @Test
  void returnsAGlobalHeaderAsAnEntryWithoutApplyingIt() throws IOException {
    byte[] records = TarWriter.records(Map.of("comment", bytes("hello")));
    byte[] tar =
        new Blocks()
            .header("pax_global_header", 'g', records.length)
            .data(records, true)
            .header("f", '0', 0)
            .zeroBlocks(2)
            .bytes();
    List<TarEntry> entries = read(tar).entries();
    assertThat(entries.getFirst().type()).isEqualTo(TarEntry.Type.GLOBAL_HEADER);
    assertThat(entries.getFirst().pax()).containsEntry("comment", "hello");
    assertThat(entries.getFirst().size()).isZero();
    assertThat(entries.get(1).name()).isEqualTo("f");
  }

  @Test
  void acceptsSignedHeaderChecksumsAndOldV7Directories() throws IOException {
    byte[] h = new byte[512];
    Blocks.put(h, 0, "old/dir/\u00ff");
    h[9] = '/'; // after the 0xff, which a signed sum counts as -1
    Blocks.put(h, 100, "0000755\0");
    Blocks.put(h, 124, "00000000000\0");
    Arrays.fill(h, 148, 156, (byte) ' ');
    int signed = 0;
    for (byte b : h) {
      signed += b;
    }
    Blocks.put(h, 148, String.format("%06o\0 ", signed));
    byte[] tar = new Blocks().data(h, false).zeroBlocks(2).bytes();
    TarEntry e = read(tar).entries().getFirst();
    assertThat(e.type()).isEqualTo(TarEntry.Type.DIRECTORY);
  }

  @Test
  void nextSkipsWhatIsLeftOfAPayload() throws IOException {
    byte[] tar =
        new Blocks()
            .header("a", '0', 700)
            .data(new byte[700], true)
            .header("b", '0', 3)
            .data("xyz")
            .header("c", '0', 20_000)
            .data(new byte[20_000], true)
            .header("d", '0', 0)
            .zeroBlocks(2)
            .bytes();
    TarReader r = new TarReader(new ByteArrayInputStream(tar));
    assertThat(r.next().name()).isEqualTo("a");
    assertThat(r.payload().read()).isZero();
    assertThat(r.next().name()).isEqualTo("b");
    assertThat(r.next().name()).isEqualTo("c");
    assertThat(r.next().name()).isEqualTo("d");
    assertThat(r.next()).isNull();
    assertThat(r.next()).isNull();
    assertThat(r.offset()).isEqualTo(tar.length);
  }

  @Test
  void aPayloadReadsBySingleBytesSkipsAndCountsWhatIsLeft() throws IOException {
    byte[] tar = new Blocks().header("f", '0', 5).data("abcde").zeroBlocks(2).bytes();
    TarReader r = new TarReader(new ByteArrayInputStream(tar));
    r.next();
    java.io.InputStream p = r.payload();
    assertThat(p.available()).isEqualTo(5);
    assertThat(p.read()).isEqualTo('a');
    assertThat(p.skip(2)).isEqualTo(2);
    assertThat(r.offset()).isEqualTo(512 + 3);
    assertThat(p.available()).isEqualTo(2);
    assertThat(p.read(new byte[4], 0, 0)).isZero();
    assertThat(p.skip(10)).isEqualTo(2);
    assertThat(p.available()).isZero();
    assertThat(p.read()).isEqualTo(-1);
    assertThat(r.next()).isNull();
  }

  @Test
  void aByteAbove0x7fInAPayloadReadsAsAnUnsignedByte() throws IOException {
    byte[] tar =
        new Blocks().header("f", '0', 1).data(new byte[] {(byte) 0xff}, true).zeroBlocks(2).bytes();
    TarReader r = new TarReader(new ByteArrayInputStream(tar));
    r.next();
    assertThat(r.payload().read()).isEqualTo(0xff);
    assertThat(r.payload().read()).isEqualTo(-1);
  }

  @Test
  void entriesAreEqualOnlyWhenEveryFieldIs() {
    TarEntry base =
        TarEntry.regular("f", 1)
            .withOwner(1, 2, "u", "g")
            .withMtime(Instant.ofEpochSecond(5))
            .withPax(Map.of("comment", "c"))
            .withXattrs(Map.of("user.a", new byte[] {1}));
    TarEntry same =
        TarEntry.regular("f", 1)
            .withOwner(1, 2, "u", "g")
            .withMtime(Instant.ofEpochSecond(5))
            .withPax(Map.of("comment", "c"))
            .withXattrs(Map.of("user.a", new byte[] {1}));
    assertThat(same).isEqualTo(base).hasSameHashCodeAs(base);
    assertThat(base.hashCode()).isNotEqualTo(base.withName(bytes("g")).hashCode());
    assertThat(base.hashCode()).isNotEqualTo(TarEntry.regular("f", 2).hashCode());
    assertThat(
            List.of(
                base.withName(bytes("g")),
                TarEntry.directory("f"),
                base.withMode(0600),
                base.withOwner(9, 2, "u", "g"),
                base.withOwner(1, 9, "u", "g"),
                base.withOwner(1, 2, "v", "g"),
                base.withOwner(1, 2, "u", "h"),
                TarEntry.regular("f", 2),
                base.withMtime(Instant.ofEpochSecond(6)),
                TarEntry.symlink("f", "a"),
                TarEntry.device("f", (byte) '3', 1, 0),
                TarEntry.device("f", (byte) '3', 0, 1),
                base.withPax(Map.of("comment", "d")),
                base.withXattrs(Map.of("user.a", new byte[] {2})),
                base.withXattrs(Map.of("user.b", new byte[] {1})),
                base.withXattrs(Map.of())))
        .allSatisfy(other -> assertThat(other).isNotEqualTo(base));
    assertThat(TarEntry.symlink("f", "a")).isNotEqualTo(TarEntry.symlink("f", "b"));
    assertThat(TarEntry.device("f", (byte) '3', 1, 0))
        .isNotEqualTo(TarEntry.device("f", (byte) '3', 0, 1))
        .isNotEqualTo(TarEntry.device("f", (byte) '3', 1, 1));
    assertThat(base).isNotEqualTo("f");
  }

  @Test
  void anEntryKeepsItsOwnerNamesAndDefaultsMissingOnes() {
    TarEntry e = TarEntry.regular("f", 0).withOwner(1, 2, "alice", "staff");
    assertThat(e.uname()).isEqualTo("alice");
    assertThat(e.gname()).isEqualTo("staff");
    TarEntry none = TarEntry.regular("f", 0).withOwner(1, 2, null, null).withMtime(null);
    assertThat(none.uname()).isEmpty();
    assertThat(none.gname()).isEmpty();
    assertThat(none.mtime()).isEqualTo(Instant.EPOCH);
    assertThat(TarEntry.regular("dir/f", 12).toString())
        .isEqualTo("TarEntry[dir/f, type REGULAR, 12 bytes]");
    assertThat(TarEntry.globalHeader("g", Map.of("k", "v")).pax()).isEqualTo(Map.of("k", "v"));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
