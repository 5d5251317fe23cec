package dev.cairn.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.archive.ApplyOptions;
import dev.cairn.archive.ApplyResult;
import dev.cairn.archive.IdMap;
import dev.cairn.archive.Layer;
import dev.cairn.digest.Digest;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.Tool;
import dev.cairn.tarsplit.FileSource;
import dev.cairn.tarsplit.TarSplit;
import dev.cairn.testing.GnuTar;
import dev.cairn.testing.RandomLayers;
import dev.cairn.testing.Seeds;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Trees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every storage driver must do, run once per driver by a subclass: layers on parents,
 * whiteouts and opaque directories, get/put, remove, diffs that rebuild the layer, diff sizes,
 * files for byte-exact reassembly, ID maps. Expected trees come from GNU tar with the test's own
 * whiteout step ({@link GnuTar#layers}), not from cairn's extractor.
 */
abstract class DriverConformanceTest {
  @TempDir Path tmp;

  private Driver driver;

  /** Opens the driver under test on {@code root}. */
  abstract Driver open(Path root, DriverOptions options) throws IOException;

  Driver driver() throws IOException {
    if (driver == null) {
      driver = open(tmp.resolve("store"), DriverOptions.defaults());
    }
    return driver;
  }

  Driver reopen(DriverOptions options) throws IOException {
    if (driver != null) {
      driver.close();
    }
    driver = open(tmp.resolve("store"), options);
    return driver;
  }

  @AfterEach
  void closeDriver() throws IOException {
    if (driver != null) {
      driver.close();
    }
  }

  static String id(String name) {
    return Digest.sha256(name.getBytes(StandardCharsets.UTF_8)).hex();
  }

  static ApplyResult layer(Driver d, String id, String parent, byte[] tar) throws IOException {
    d.create(id, parent);
    return d.applyDiff(id, parent, new ByteArrayInputStream(tar), Layer.READER);
  }

  /**
   * The tree docker's apply makes of {@code tars}, made independently of cairn: GNU tar plus the
   * test's own whiteout step ({@link GnuTar#layers}).
   */
  Map<String, String> expected(byte[]... tars) throws IOException, InterruptedException {
    return Trees.snapshot(GnuTar.layers(tmp, tars));
  }

  /**
   * The tree {@link Layer#apply} makes of {@code tars} in a plain directory: for layers GNU tar
   * cannot be the reference for (links through symlinks that leave the root, which GNU tar follows
   * on the host), the driver must at least agree with the extractor, whose confinement {@code
   * HostileLayerTest} checks.
   */
  Map<String, String> applied(byte[]... tars) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "applied");
    for (byte[] tar : tars) {
      Layer.apply(new ByteArrayInputStream(tar), dir, ApplyOptions.defaults());
    }
    return Trees.snapshot(dir);
  }

  Map<String, String> seen(Driver d, String id) throws IOException {
    Path p = d.get(id);
    try {
      return Trees.snapshot(p);
    } finally {
      d.put(id);
    }
  }

  static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  static LongStream seeds() {
    return Seeds.stream(DriverConformanceTest.class, 12);
  }

  /** The directory that holds the driver's layers in {@code tmp/store}. */
  abstract Path layers();

  @Test
  void removingALayerClearsWhatACutShortCreateOfItLeft() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "x").bytes());
    Path cut = Files.createDirectories(layers().resolve(".tmp-" + id("cut")).resolve("sub"));
    Files.writeString(cut.resolve("half"), "half");
    d.remove(id("cut")); // as the graph does for a register it finds cut short
    assertThat(cut.getParent()).doesNotExist();
    assertThat(d.exists(id("cut"))).isFalse();
    assertThat(seen(d, id("base"))).containsKey("f");
  }

  @Test
  void creatingALayerAgainClearsWhatACutShortRemoveOfItLeft() throws IOException {
    Driver d = driver();
    Path cut = Files.createDirectories(layers().resolve(".tmp-" + id("again")));
    Files.writeString(cut.resolve("stale"), "from before");
    layer(d, id("again"), null, TarBuilder.tar().file("f", "new").bytes());
    assertThat(cut).doesNotExist();
    assertThat(seen(d, id("again"))).containsKey("f").doesNotContainKey("stale");
  }

  @Test
  void aLayerOnAParentShowsTheParentsFiles() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().dir("etc/").file("etc/hosts", "localhost").bytes());
    d.create(id("child"), id("base"));
    Path child = d.get(id("child"));
    try {
      assertThat(child.resolve("etc/hosts")).hasContent("localhost");
    } finally {
      d.put(id("child"));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void layersLookAsGnuTarAndDockersWhiteoutsMakeThem(long seed) throws Exception {
    RandomLayers.Pair tars = RandomLayers.generate(seed, 3000);
    Driver d = driver();
    layer(d, id("base"), null, tars.base());
    layer(d, id("child"), id("base"), tars.change());
    assertThat(seen(d, id("child"))).isEqualTo(expected(tars.base(), tars.change()));
    assertThat(seen(d, id("base"))).isEqualTo(expected(tars.base()));
  }

  @Test
  void whiteoutsAndOpaqueDirectoriesHideLowerContent() throws Exception {
    Driver d = driver();
    byte[] base =
        TarBuilder.tar()
            .dir("./")
            .dir("a/")
            .file("a/gone", "1")
            .file("a/kept", "2")
            .symlink("a/link", "/etc/passwd")
            .dir("o/")
            .file("o/old", "3")
            .dir("o/sub/")
            .bytes();
    byte[] change =
        TarBuilder.tar()
            .dir("./")
            .dir("a/")
            .whiteout("a", "gone")
            .whiteout("a", "link")
            .dir("o/")
            .file("o/new", "4")
            .opaque("o")
            .bytes();
    layer(d, id("base"), null, base);
    layer(d, id("child"), id("base"), change);
    Map<String, String> tree = seen(d, id("child"));
    assertThat(tree).containsKeys("a/kept", "o/new").doesNotContainKeys("a/gone", "a/link");
    assertThat(tree.keySet().stream().filter(k -> k.startsWith("o/"))).containsExactly("o/new");
    assertThat(tree).isEqualTo(expected(base, change));
  }

  @Test
  void layersListsEveryLayerAndNoWorkInProgress() throws IOException {
    Driver d = driver();
    assertThat(d.layers()).isEmpty();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "x").bytes());
    layer(d, id("child"), id("base"), TarBuilder.tar().file("g", "y").bytes());
    Path home = tmp.resolve("store").resolve(d.name());
    Path layers = d.name().equals("vfs") ? home.resolve("dir") : home;
    Files.createDirectory(layers.resolve(".tmp-" + id("half") + "-x")); // a copy cut short
    assertThat(d.layers()).containsExactlyInAnyOrder(id("base"), id("child"));
    d.remove(id("child"));
    assertThat(d.layers()).containsExactly(id("base"));
  }

  @Test
  void removeDeletesTheLayerAndExistsSaysSo() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "x").bytes());
    assertThat(d.exists(id("base"))).isTrue();
    assertThat(d.exists(id("other"))).isFalse();
    d.remove(id("base"));
    assertThat(d.exists(id("base"))).isFalse();
    d.remove(id("base")); // absent: not an error
    assertThatThrownBy(() -> d.get(id("base")))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
  }

  @Test
  void aRemovedLayerLeavesNothingBehindAndItsIdCanBeUsedAgain() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "x").bytes());
    layer(d, id("child"), id("base"), TarBuilder.tar().file("g", "y").bytes());
    d.get(id("child"));
    d.remove(id("child")); // even while held
    layer(d, id("child"), id("base"), TarBuilder.tar().file("h", "z").bytes());
    assertThat(seen(d, id("child"))).containsKeys("f", "h").doesNotContainKey("g");
  }

  @Test
  void creatingAnExistingLayerIsAConflictAndBadIdsAreRefused() throws IOException {
    Driver d = driver();
    d.create(id("base"), null);
    assertThatThrownBy(() -> d.create(id("base"), null))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.CONFLICT));
    assertThatThrownBy(() -> d.create("../../etc", null)).isInstanceOf(CairnException.class);
    assertThatThrownBy(() -> d.create(id("x"), id("missing")))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
    assertThat(d.exists(id("x"))).isFalse();
  }

  @Test
  void everyGetIsMatchedByOnePut() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "x").bytes());
    layer(d, id("child"), id("base"), TarBuilder.tar().file("g", "y").bytes());
    Path first = d.get(id("child"));
    Path second = d.get(id("child"));
    assertThat(second).isEqualTo(first);
    d.put(id("child"));
    assertThat(first.resolve("f")).hasContent("x"); // still held once
    d.put(id("child"));
    assertThatThrownBy(() -> d.put(id("child")))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.CONFLICT));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aDiffAppliedOnTheParentRebuildsTheLayer(long seed) throws IOException {
    RandomLayers.Pair tars = RandomLayers.generate(seed, 3000);
    Driver d = driver();
    layer(d, id("base"), null, tars.base());
    layer(d, id("child"), id("base"), tars.change());
    byte[] diff = readAll(d.diff(id("child"), id("base")));
    layer(d, id("copy"), id("base"), diff);
    assertThat(seen(d, id("copy"))).isEqualTo(seen(d, id("child")));
    byte[] baseDiff = readAll(d.diff(id("base"), null));
    layer(d, id("base-copy"), null, baseDiff);
    assertThat(seen(d, id("base-copy"))).isEqualTo(seen(d, id("base")));
  }

  @Test
  void aDiffAgainstNoParentHoldsTheWholeTree() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "x").bytes());
    layer(d, id("child"), id("base"), TarBuilder.tar().file("g", "y").bytes());
    byte[] flat = readAll(d.diff(id("child"), null));
    layer(d, id("flat"), null, flat);
    assertThat(seen(d, id("flat"))).isEqualTo(seen(d, id("child")));
  }

  @Test
  void diffSizeCountsTheBytesOfChangedFiles() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "1234567890").file("g", "ab").bytes());
    layer(
        d,
        id("child"),
        id("base"),
        TarBuilder.tar().file("new", "12345").file("g", "abc").whiteout("", "f").bytes());
    assertThat(d.diffSize(id("base"), null)).isEqualTo(12);
    assertThat(d.diffSize(id("child"), id("base"))).isEqualTo(8);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void filesServeTheLayersOwnFilesForByteExactReassembly(long seed) throws IOException {
    RandomLayers.Pair tars = RandomLayers.generate(seed, 3000);
    Driver d = driver();
    for (String name : new String[] {"base", "child"}) {
      byte[] tar = name.equals("base") ? tars.base() : tars.change();
      String parent = name.equals("base") ? null : id("base");
      ByteArrayOutputStream meta = new ByteArrayOutputStream();
      d.create(id(name), parent);
      d.applyDiff(id(name), parent, new ByteArrayInputStream(tar), Layer.recordingTarSplit(meta));
      ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
      TarSplit.assemble(new ByteArrayInputStream(meta.toByteArray()), d.files(id(name)), rebuilt);
      assertThat(rebuilt.toByteArray()).as(name).isEqualTo(tar);
    }
  }

  /** A base whose files a layer above hard-links: one deep, with owner, set-id mode and xattr. */
  static final byte[] LINKED_BASE =
      TarBuilder.tar()
          .dir("./", 0755)
          .dir("usr/", 0751)
          .owner(7, 8)
          .dir("usr/bin/", 0711)
          .add(
              TarEntry.regular("usr/bin/tool", 5)
                  .withMode(04750)
                  .withMtime(Instant.ofEpochSecond(1_500_000_000, 123_000_000)),
              "tool\n".getBytes(StandardCharsets.UTF_8))
          .owner(1000, 1001)
          .xattrs(Map.of("user.origin", "base"))
          .file("a", "first layer\n")
          .symlink("s", "a")
          .bytes();

  /**
   * Links to the base's files whose headers say other owners, modes and times: docker applies them
   * to the linked file (its copy-up on overlay), GNU tar does not ({@link GnuTar} adds docker's
   * rule).
   */
  static final byte[] LINKING_CHANGE =
      TarBuilder.tar()
          .dir("./", 0755)
          .dir("sbin/")
          .add(
              TarEntry.hardlink("sbin/tool", "usr/bin/tool")
                  .withMode(02710)
                  .withOwner(3, 4, "", "")
                  .withMtime(Instant.ofEpochSecond(1_400_000_000, 250_000_000)))
          .hardlink("b", "a")
          .hardlink("s2", "s")
          .owner(5, 6)
          .bytes();

  @Test
  void aHardLinkToAFileOfTheLayerBelowGivesWhatGnuTarGivesAndTheLayersRebuildExactly()
      throws Exception {
    Driver d = driver();
    Map<String, byte[]> tars = Map.of("base", LINKED_BASE, "child", LINKING_CHANGE);
    for (String name : List.of("base", "child")) {
      String parent = name.equals("base") ? null : id("base");
      ByteArrayOutputStream meta = new ByteArrayOutputStream();
      d.create(id(name), parent);
      ApplyResult applied =
          d.applyDiff(
              id(name),
              parent,
              new ByteArrayInputStream(tars.get(name)),
              Layer.recordingTarSplit(meta));
      ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
      TarSplit.assemble(new ByteArrayInputStream(meta.toByteArray()), d.files(id(name)), rebuilt);
      assertThat(Digest.sha256(rebuilt.toByteArray())).as(name).isEqualTo(applied.diffId());
    }
    Map<String, String> tree = seen(d, id("child"));
    assertThat(tree.get("b")).contains("linked=a");
    // The link's header, over the file copied up with its xattr; a linked symlink keeps its time.
    assertThat(tree.get("sbin/tool"))
        .startsWith("102710 3:4 mtime=1400000000.250000000")
        .contains("user.origin");
    assertThat(tree.get("s")).isEqualTo("120777 5:6 mtime=1600000000.0 -> a");
    assertThat(tree)
        .isEqualTo(Trees.snapshot(GnuTar.extract(tmp, List.of(), LINKED_BASE, LINKING_CHANGE)));
    assertThat(seen(d, id("base")))
        .isEqualTo(Trees.snapshot(GnuTar.extract(tmp, List.of(), LINKED_BASE)));
  }

  @Test
  void hardLinksToFilesBelowResolveThroughTheirSymlinksInsideTheRoot() throws IOException {
    byte[] base =
        TarBuilder.tar()
            .dir("./")
            .dir("usr/")
            .dir("usr/lib/")
            .file("usr/lib/x", "x")
            .symlink("lib", "usr/lib")
            .dir("etc/")
            .file("etc/passwd", "inside")
            .symlink("esc", "../../../../etc")
            .bytes();
    byte[] change =
        TarBuilder.tar().dir("./").hardlink("b", "lib/x").hardlink("c", "esc/passwd").bytes();
    Driver d = driver();
    layer(d, id("base"), null, base);
    layer(d, id("child"), id("base"), change);
    Map<String, String> tree = seen(d, id("child"));
    assertThat(tree.get("b")).contains("linked=b");
    assertThat(tree.get("usr/lib/x")).contains("linked=b");
    assertThat(tree.get("c")).contains("linked=c");
    assertThat(tree).isEqualTo(applied(base, change));
  }

  @Test
  void anOpaqueMarkerAfterALinkHidesTheTargetBelowButKeepsTheLink() throws Exception {
    byte[] base =
        TarBuilder.tar().dir("./").dir("o/").file("o/f", "below").file("o/g", "g").bytes();
    byte[] change =
        TarBuilder.tar().dir("./").hardlink("keep", "o/f").dir("o/").opaque("o").bytes();
    Driver d = driver();
    layer(d, id("base"), null, base);
    layer(d, id("child"), id("base"), change);
    Path dir = d.get(id("child"));
    try {
      Map<String, String> tree = Trees.snapshot(dir, false);
      assertThat(tree).containsKey("keep").doesNotContainKeys("o/f", "o/g");
      assertThat(tree).isEqualTo(Trees.snapshot(GnuTar.layers(tmp, base, change), false));
    } finally {
      d.put(id("child"));
    }
  }

  @Test
  void aHardLinkToAFileTheLayerRemovedBeforeIsRefused() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("gone", "x").bytes());
    byte[] change = TarBuilder.tar().whiteout("", "gone").hardlink("b", "gone").bytes();
    assertThatThrownBy(() -> layer(d, id("child"), id("base"), change))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("hard link target \"gone\" does not exist");
  }

  /** A layer made by {@code tar -c} then {@code tar -r} (GNU tar), which names a path again. */
  record Appended(String name, String script, List<String> gnuTarOptions) {
    Appended(String name, String script) {
      this(name, script, List.of());
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Appended> appended() {
    String c = "tar -cf ../layer.tar ";
    String r = "tar -rf ../layer.tar ";
    return List.of(
        new Appended("file over file", "echo one > a && " + c + "a && echo two > a && " + r + "a"),
        new Appended(
            "file over file over file, the first large",
            "head -c 2500000 /dev/urandom > a && "
                + c
                + "a && head -c 10 /dev/urandom > a && "
                + r
                + "a && echo last > a && "
                + r
                + "a"),
        // GNU tar replaces a directory that is not empty only when told to; docker always does.
        new Appended(
            "file over directory",
            "mkdir d && echo x > d/x && " + c + "d && rm -r d && echo D > d && " + r + "d",
            List.of("--recursive-unlink")),
        new Appended(
            "directory over file",
            "echo A > a && " + c + "a && rm a && mkdir a && echo x > a/x && " + r + "a"),
        new Appended(
            "directory over directory",
            "mkdir d && chmod 700 d && touch -d @1500000000 d && "
                + c
                + "d && chmod 755 d && echo n > d/new && "
                + r
                + "d"),
        new Appended(
            "symlink over file", "echo A > a && " + c + "a && rm a && ln -s b a && " + r + "a"),
        new Appended(
            "hard link over file",
            "echo A > a && echo B > b && " + c + "a b && rm b && ln a b && " + r + "a b"),
        new Appended(
            "file over the target of a hard link",
            "echo A > a && ln a b && " + c + "a b && rm a && echo A2 > a && " + r + "a"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("appended")
  void aPathAppendedAgainReplacesTheEarlierEntryAndTheLayerStillRebuildsByteForByte(Appended c)
      throws Exception {
    Path src = Files.createDirectories(tmp.resolve("work/src"));
    Tool.run(src, null, null, "sh", "-c", c.script());
    byte[] tar = Files.readAllBytes(src.resolveSibling("layer.tar"));
    Driver d = driver();
    d.create(id("layer"), null);
    Path meta = Files.createDirectories(tmp.resolve("node")).resolve("tar-data.json.gz");
    ApplyResult applied =
        d.applyDiff(
            id("layer"), null, new ByteArrayInputStream(tar), Layer.recordingTarSplit(meta));
    assertThat(applied.diffId()).isEqualTo(Digest.sha256(tar));
    try (Stream<Path> node = Files.list(meta.getParent())) {
      assertThat(node).containsExactly(meta); // nothing kept aside any more
    }
    ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
    try (InputStream in = Files.newInputStream(meta);
        FileSource files = d.files(id("layer"))) {
      TarSplit.assemble(in, files, rebuilt);
    }
    assertThat(rebuilt.toByteArray()).isEqualTo(tar);

    Path dir = d.get(id("layer"));
    try {
      // The reference tools agree: tar-split's own assembler, and GNU tar -x for the tree.
      Path theirs = tmp.resolve("tar-split.tar");
      Tool.run(
          tmp,
          null,
          null,
          "tar-split",
          "asm",
          "--input",
          meta.toString(),
          "--path",
          dir.toString(),
          "--output",
          theirs.toString());
      assertThat(Files.readAllBytes(theirs)).isEqualTo(tar);
      Map<String, String> ours = new java.util.TreeMap<>(Trees.snapshot(dir));
      Map<String, String> gnu =
          new java.util.TreeMap<>(Trees.snapshot(GnuTar.extract(tmp, c.gnuTarOptions(), tar)));
      ours.remove("."); // the tars have no root entry
      gnu.remove(".");
      assertThat(ours).isEqualTo(gnu);
    } finally {
      d.put(id("layer"));
    }
  }

  @Test
  void idMapsShiftOwnersAndTheStoreBelongsToTheMappedRoot() throws IOException {
    IdMap map = IdMap.parse("0:100000:65536");
    DriverOptions options = DriverOptions.defaults().withIdMaps(map, map);
    Driver d = reopen(options);
    byte[] base = TarBuilder.tar().dir("home/").file("home/f", "x").owner(1000, 1001).bytes();
    layer(d, id("base"), null, base);
    layer(d, id("child"), id("base"), TarBuilder.tar().file("g", "y").owner(7, 8).bytes());
    Path root = d.get(id("child"));
    try {
      assertThat(Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(100000);
      assertThat(Files.getAttribute(root.resolve("home/f"), "unix:uid")).isEqualTo(101000);
      assertThat(Files.getAttribute(root.resolve("home/f"), "unix:gid")).isEqualTo(101001);
      assertThat(Files.getAttribute(root.resolve("g"), "unix:uid")).isEqualTo(100007);
    } finally {
      d.put(id("child"));
    }
    // The diff speaks the image's IDs again: applied without maps it gives the original owners.
    byte[] diff = readAll(d.diff(id("child"), null));
    Path plain = Files.createTempDirectory(tmp, "plain");
    Layer.apply(new ByteArrayInputStream(diff), plain, ApplyOptions.defaults());
    assertThat(Files.getAttribute(plain.resolve("home/f"), "unix:uid")).isEqualTo(1000);
    assertThat(Files.getAttribute(plain.resolve("g"), "unix:gid")).isEqualTo(8);
    assertThatThrownBy(
            () ->
                layer(
                    d,
                    id("bad"),
                    id("base"),
                    TarBuilder.tar().file("x", "x").owner(70000, 0).bytes()))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("outside the ID map");
  }

  @Test
  void statusNamesTheDriver() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "x").bytes());
    assertThat(d.status()).containsEntry("Driver", d.name()).containsEntry("Layers", "1");
  }
}
