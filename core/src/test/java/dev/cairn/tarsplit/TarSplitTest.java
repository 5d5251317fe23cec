package dev.cairn.tarsplit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.Tool;
import dev.cairn.testing.Seeds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TarSplitTest {
  @TempDir Path tmp;

  static List<Corpus.Case> corpus() {
    return Corpus.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void reassemblesTheGoldenCorpusByteForByte(Corpus.Case c) throws IOException {
    byte[] tar = c.tar().get();
    Layers.Split split = Layers.split(tar, tmp);
    byte[] rebuilt = Layers.assemble(split.metadata(), split.source());
    assertThat(Layers.sha256(rebuilt)).isEqualTo(Layers.sha256(tar));
  }

  static java.util.stream.LongStream seeds() {
    return Seeds.stream(TarSplitTest.class, 30);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void reassemblesRandomTars(long seed) throws IOException {
    byte[] tar = randomTar(new java.util.Random(seed));
    Path dir = Files.createTempDirectory("prop");
    try {
      Layers.Split split = Layers.split(tar, dir);
      assertThat(Layers.assemble(split.metadata(), split.source())).isEqualTo(tar);
    } finally {
      try (var s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  /** Up to 12 entries with distinct names (files, symlinks, directories), then junk. */
  static byte[] randomTar(java.util.Random r) {
    String alphabet = "ab/.\u00e9-";
    List<TarEntry> entries = new java.util.ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    int n = r.nextInt(13);
    for (int i = 0; i < n; i++) {
      StringBuilder name = new StringBuilder();
      int len = 1 + r.nextInt(r.nextInt(10) == 0 ? 160 : 20);
      for (int k = 0; k < len; k++) {
        name.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      String nm = name.toString();
      TarEntry e =
          switch (r.nextInt(3)) {
            case 0 -> TarEntry.symlink(nm, "target");
            case 1 -> TarEntry.directory(nm);
            default -> TarEntry.regular(nm, r.nextInt(5001));
          };
      if (seen.add(TarSplit.clean(e.rawName()))) {
        entries.add(e);
      }
    }
    byte[] junk = new byte[r.nextInt(3001)];
    r.nextBytes(junk);
    return Corpus.concat(Corpus.write(entries.toArray(TarEntry[]::new)), junk);
  }

  @ParameterizedTest(name = "--format={0}")
  @ValueSource(strings = {"gnu", "pax", "ustar", "v7"})
  void reassemblesGnuTarArchivesFromTheExtractedDirectory(String format) throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    boolean longNames = !format.equals("ustar") && !format.equals("v7");
    String deep = longNames ? "d/" + "long".repeat(40) : "d/s";
    Files.createDirectories(src.resolve(deep));
    Files.writeString(src.resolve(deep + "/f.txt"), "content\n");
    Files.write(src.resolve("d/blob"), new byte[100_000]);
    Files.writeString(src.resolve("d/empty"), "");
    Files.createSymbolicLink(src.resolve("d/sym"), Path.of("blob"));
    Files.createLink(src.resolve("d/hard"), src.resolve("d/blob"));
    Path tarFile = tmp.resolve("in.tar");
    Tool.run(src, null, null, "tar", "--format=" + format, "-cf", tarFile.toString(), "d");
    Path layer = Files.createDirectories(tmp.resolve("layer"));
    Tool.run(layer, tarFile, null, "tar", "-xf", "-");
    byte[] tar = Files.readAllBytes(tarFile);

    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    TarSplit.disassemble(new ByteArrayInputStream(tar), meta, (e, p) -> {});
    byte[] rebuilt = Layers.assemble(meta.toByteArray(), FileSource.directory(layer));
    assertThat(Layers.sha256(rebuilt)).isEqualTo(Layers.sha256(tar));
  }

  @Test
  void aFileChangedOnDiskIsAnErrorNamingIt() throws IOException {
    byte[] tar = Corpus.write(TarEntry.regular("dir/file", 1000));
    Layers.Split split = Layers.split(tar, tmp);
    Path f = split.files().values().iterator().next();
    byte[] content = Files.readAllBytes(f);
    content[500] ^= 1;
    Files.write(f, content);
    assertThatThrownBy(() -> Layers.assemble(split.metadata(), split.source()))
        .isInstanceOf(CairnException.class)
        .hasMessage("file \"dir/file\" changed on disk: CRC64 mismatch");
  }

  @Test
  void assemblesLargeFilesStraightIntoAFileAndStillChecksThem() throws IOException {
    byte[] tar = Corpus.write(TarEntry.regular("big", 9 << 20), TarEntry.regular("small", 10));
    Layers.Split split = Layers.split(tar, tmp);
    Path out = tmp.resolve("out.tar");
    try (var meta = new ByteArrayInputStream(split.metadata());
        var file = new java.io.FileOutputStream(out.toFile())) {
      TarSplit.assemble(meta, split.source(), file);
    }
    assertThat(Layers.sha256(out)).isEqualTo(Layers.sha256(tar));

    Path big =
        split
            .files()
            .get(java.util.HexFormat.of().formatHex("big".getBytes(StandardCharsets.UTF_8)));
    try (var ch = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), 5 << 20);
    }
    assertThatThrownBy(
            () -> {
              try (var meta = new ByteArrayInputStream(split.metadata());
                  var file = new java.io.FileOutputStream(out.toFile())) {
                TarSplit.assemble(meta, split.source(), file);
              }
            })
        .isInstanceOf(CairnException.class)
        .hasMessage("file \"big\" changed on disk: CRC64 mismatch");
  }

  @Test
  void aFileWithAnotherSizeOnDiskIsAnError() throws IOException {
    byte[] tar = Corpus.write(TarEntry.regular("f", 1000));
    Layers.Split split = Layers.split(tar, tmp);
    Files.write(split.files().values().iterator().next(), new byte[999]);
    assertThatThrownBy(() -> Layers.assemble(split.metadata(), split.source()))
        .isInstanceOf(CairnException.class)
        .hasMessage("file \"f\" changed on disk: size is 999 bytes, the layer had 1000");
  }

  // Found by TarSplitFuzzTest: a byte that is neither JSON nor a separator stopped the skipping
  // of an unknown key's value from advancing, and assembly never ended.
  @ParameterizedTest
  @ValueSource(strings = {"{\"x\":\u0002}\n", "{\"x\":{\"y\":\u0002}}\n", "{\"x\":[1,\u00ff]}\n"})
  void aValueWithAControlOrNonAsciiByteIsRefused(String line) throws IOException {
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (var out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(line.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    assertThatThrownBy(() -> Layers.assemble(gz.toByteArray(), FileSource.directory(tmp)))
        .isInstanceOf(CairnException.class)
        .hasMessageStartingWith("tar-split metadata line 1: ");
  }

  @Test
  void aMissingFileIsAnError() throws IOException {
    byte[] tar = Corpus.write(TarEntry.regular("gone", 10));
    Layers.Split split = Layers.split(tar, tmp);
    assertThatThrownBy(() -> Layers.assemble(split.metadata(), FileSource.directory(tmp)))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void aPathNamedTwiceIsRecordedOnceWithTheReplacedPayloadInTheMetadata() throws IOException {
    byte[] tar =
        Corpus.write(
            TarEntry.directory("a/"),
            TarEntry.regular("a/b", 3_000_000),
            TarEntry.directory("a"),
            TarEntry.regular("./a//b", 2),
            TarEntry.regular("c", 5));
    Path replaced = tmp.resolve("replaced");
    Path meta = tmp.resolve("tar-data.json.gz");
    Map<String, byte[]> onDisk = new HashMap<>();
    Map<String, Long> writtenBy = new HashMap<>();
    java.util.concurrent.atomic.AtomicLong ordinals = new java.util.concurrent.atomic.AtomicLong();
    long n =
        TarSplit.disassemble(
            new ByteArrayInputStream(tar),
            meta,
            (e, p) -> {
              // As an extractor does: the file an entry replaces is kept under its writer's
              // ordinal.
              String key = TarSplit.clean(e.rawName());
              byte[] earlier = onDisk.put(key, p.readAllBytes());
              Long by = writtenBy.put(key, ordinals.getAndIncrement());
              if (earlier != null && earlier.length > 0) {
                Files.createDirectories(replaced);
                Files.write(replaced.resolve(Long.toString(by)), earlier);
              }
            },
            replaced);
    assertThat(n).isEqualTo(tar.length);
    assertThat(replaced).doesNotExist();
    FileSource files = name -> new SeekableInMemoryByteChannel(onDisk.get(TarSplit.clean(name)));
    assertThat(Layers.assemble(Files.readAllBytes(meta), files)).isEqualTo(tar);
    String lines = text(Layers.gunzip(Files.readAllBytes(meta)));
    assertThat(lines.lines().filter(l -> l.startsWith("{\"type\":1")))
        .extracting(l -> l.replaceAll(".*\"name\":\"([^\"]*)\".*", "$1"))
        .containsExactly("a", "./a//b", "c");
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void theHandlerSeesEveryEntryAndAPayloadItNeedNotRead() throws IOException {
    byte[] tar = Corpus.write(TarEntry.directory("d/"), TarEntry.regular("d/f", 70_000));
    List<String> seen = new ArrayList<>();
    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    long n =
        TarSplit.disassemble(
            new ByteArrayInputStream(tar),
            meta,
            (e, p) -> {
              seen.add(e.name() + ":" + p.read());
            });
    assertThat(n).isEqualTo(tar.length);
    assertThat(seen).containsExactly("d/:-1", "d/f:" + (70_000 & 0xff));
    // The CRC covers the bytes the handler skipped too.
    Layers.Split split = Layers.split(tar, tmp);
    assertThat(Layers.gunzip(meta.toByteArray())).isEqualTo(Layers.gunzip(split.metadata()));
  }

  @Test
  void directorySourceResolvesLinksInsideTheLayerRoot() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "inside\n");
    Files.createSymbolicLink(root.resolve("l"), Path.of("/etc"));
    Files.createSymbolicLink(root.resolve("up"), Path.of("../../.."));
    byte[] content = "inside\n".getBytes(StandardCharsets.UTF_8);
    for (String name : List.of("l/passwd", "up/etc/passwd", "../../etc/passwd", "/etc/passwd")) {
      byte[] tar = Corpus.write(TarEntry.regular(name, content.length));
      // The corpus fills payloads with a pattern; put the same bytes in the layer.
      byte[] payload =
          Layers.split(tar, Files.createTempDirectory(tmp, "x")).files().values().stream()
              .findFirst()
              .map(
                  p -> {
                    try {
                      return Files.readAllBytes(p);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .orElseThrow();
      Files.write(root.resolve("etc/passwd"), payload);
      ByteArrayOutputStream meta = new ByteArrayOutputStream();
      TarSplit.disassemble(new ByteArrayInputStream(tar), meta, (e, p) -> {});
      assertThat(Layers.assemble(meta.toByteArray(), FileSource.directory(root)))
          .as(name)
          .isEqualTo(tar);
    }
  }

  @Test
  void directorySourceRefusesNamesThatAreNotUtf8() throws IOException {
    byte[] tar = Corpus.write(TarEntry.regular("x", 3).withName(Corpus.LATIN1));
    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    TarSplit.disassemble(new ByteArrayInputStream(tar), meta, (e, p) -> {});
    assertThatThrownBy(() -> Layers.assemble(meta.toByteArray(), FileSource.directory(tmp)))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("is not valid UTF-8");
  }

  @Test
  void writesEntriesAsGoEncodingJsonDoes() throws IOException {
    byte[] tar =
        Corpus.write(
            TarEntry.regular("a<&>\u2028\u0001\"\\\u00e9", 0),
            TarEntry.regular("b", 0).withName(Corpus.LATIN1));
    byte[] lines = Layers.gunzip(Layers.split(tar, tmp).metadata());
    String text = new String(lines, StandardCharsets.UTF_8);
    assertThat(text.lines().toList())
        .element(1)
        .isEqualTo(
            "{\"type\":1,\"name\":\"a\\u003c\\u0026\\u003e\\u2028\\u0001\\\"\\\\\u00e9\","
                + "\"payload\":null,\"position\":1}");
    assertThat(text.lines().toList())
        .element(3)
        .isEqualTo("{\"type\":1,\"name_raw\":\"Y2Fm6Q==\",\"payload\":null,\"position\":3}");
    assertThat(text.lines().toList())
        .last()
        .isEqualTo("{\"type\":2,\"payload\":\"\",\"position\":5}");
  }

  @Test
  void readsMetadataTheWayGoDecodesIt() throws IOException {
    String lines =
        "{\"TYPE\":2,\"payload\":\"aGk=\",\"position\":0,\"extra\":{\"a\":[1,2]}}\n"
            + "{\"type\":1,\"name\":\"\\u0066\",\"size\":2,\"payload\":\"AAAAAAAAAAA=\",\"position\":1}\n"
            + "{\"type\":2,\"payload\":null,\"position\":2}\n"
            + "{\"type\":2,\"payl";
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(lines.getBytes(StandardCharsets.UTF_8));
    }
    MetadataReader r =
        new MetadataReader(
            new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz.toByteArray())));
    assertThat(r.next()).isEqualTo(Entry.segment("hi".getBytes(StandardCharsets.UTF_8), 0));
    assertThat(r.next()).isEqualTo(new Entry(1, new byte[] {'f'}, 2, new byte[8], 1));
    assertThat(r.next()).isEqualTo(new Entry(2, new byte[0], 0, null, 2));
    assertThat(r.next()).isNull();
  }

  @Test
  void namesInMetadataDecodeWithGoRules() throws IOException {
    byte[] lines =
        concat(
            line("\\ud800x"), // a lone surrogate becomes U+FFFD
            line("\\ud83d\\ude00"), // a surrogate pair is one character
            line("caf\\u00e9 \\\" \\/"),
            line("a"));
    // A raw byte that is not UTF-8 becomes U+FFFD.
    byte[] invalidUtf8 =
        "{\"type\":1,\"name\":\"a\u00ffb\",\"position\":0}\n".getBytes(StandardCharsets.ISO_8859_1);
    MetadataReader r = new MetadataReader(new ByteArrayInputStream(concat(lines, invalidUtf8)));
    assertThat(r.next().name()).isEqualTo("\ufffdx".getBytes(StandardCharsets.UTF_8));
    assertThat(r.next().name()).isEqualTo("\ud83d\ude00".getBytes(StandardCharsets.UTF_8));
    assertThat(r.next().name()).isEqualTo("caf\u00e9 \" /".getBytes(StandardCharsets.UTF_8));
    assertThat(r.next().name()).isEqualTo("a".getBytes(StandardCharsets.UTF_8));
    assertThat(r.next().name()).isEqualTo("a\ufffdb".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void refusesStringsGoWouldRefuse() {
    for (String bad : new String[] {"a\u0001b", "bad \\x escape", "short \\u12"}) {
      MetadataReader r =
          new MetadataReader(new ByteArrayInputStream(concat(line(bad), line("ok"))));
      assertThatThrownBy(r::next).as(bad).isInstanceOf(CairnException.class);
    }
  }

  private static byte[] line(String jsonStringContent) {
    return ("{\"type\":1,\"name\":\"" + jsonStringContent + "\",\"position\":0}\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static java.util.stream.LongStream fiveSeeds() {
    return seeds().limit(5);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("fiveSeeds")
  void cleanTakesItsShortcutOnlyWhereTheGeneralWayAgrees(long seed) {
    java.util.Random r = new java.util.Random(seed);
    String[] parts = {"a", "bc", ".", "..", "", "/", "./", "../", ".a", "a.", "..b", "/."};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder name = new StringBuilder();
      for (int n = r.nextInt(6); n > 0; n--) {
        name.append(parts[r.nextInt(parts.length)]);
        if (r.nextBoolean()) {
          name.append('/');
        }
      }
      byte[] raw = name.toString().getBytes(StandardCharsets.UTF_8);
      assertThat(TarSplit.clean(raw)).as(name.toString()).isEqualTo(TarSplit.cleanSlowly(raw));
    }
  }

  @Test
  void cleanMatchesGoFilepathClean() {
    for (String[] c :
        new String[][] {
          {"", "."},
          {"./", "."},
          {"a/", "a"},
          {"./a//b/", "a/b"},
          {"/../x", "/x"},
          {"../a/../..", "../.."},
          {"a/b/../c", "a/c"},
          {"/", "/"}
        }) {
      assertThat(TarSplit.clean(c[0].getBytes(StandardCharsets.UTF_8))).as(c[0]).isEqualTo(c[1]);
    }
  }

  @Test
  void refusesMetadataWithAFileWithoutChecksum() throws IOException {
    String line = "{\"type\":1,\"name\":\"f\",\"size\":3,\"payload\":null,\"position\":0}\n";
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(line.getBytes(StandardCharsets.UTF_8));
    }
    assertThatThrownBy(() -> Layers.assemble(gz.toByteArray(), FileSource.directory(tmp)))
        .isInstanceOf(CairnException.class)
        .hasMessage("tar-split metadata: file \"f\" has no CRC64 checksum");
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void namesSurviveTheJsonLineCodec(long seed) throws IOException {
    java.util.Random random = new java.util.Random(seed);
    List<String> names = new java.util.ArrayList<>();
    for (int i = random.nextInt(41); i > 0; i--) {
      StringBuilder b = new StringBuilder();
      for (int k = 1 + random.nextInt(30); k > 0; k--) {
        int cp = random.nextInt(4) == 0 ? random.nextInt(0x10000) : 0x20 + random.nextInt(0x5f);
        b.appendCodePoint(Character.isSurrogate((char) cp) ? 'x' : cp);
      }
      names.add(b.toString());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MetadataWriter w = new MetadataWriter(out);
    for (String n : names) {
      w.file(n.getBytes(StandardCharsets.UTF_8), 0, null);
    }
    MetadataReader r = new MetadataReader(new ByteArrayInputStream(out.toByteArray()));
    for (String n : names) {
      Entry e = r.next();
      assertThat(new String(e.name(), StandardCharsets.UTF_8))
          .isEqualTo(
              n.isEmpty()
                  ? ""
                  : new String(n.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }
    assertThat(r.next()).isNull();
  }
}
