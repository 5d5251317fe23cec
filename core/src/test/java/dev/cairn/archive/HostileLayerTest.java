package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.posix.Posix;
import dev.cairn.tar.TarEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every tar case of HOSTILE.md: each layer is applied into {@code dest/} beside a {@code victim/}
 * directory, and nothing outside {@code dest/} may change (content, mode, owner, size, times, new
 * files), whether the layer is refused or applied.
 */
class HostileLayerTest {
  @TempDir Path work;
  Path dest;
  Path victim;
  Map<String, String> before;

  @BeforeEach
  void setUp() throws IOException {
    dest = Files.createDirectory(work.resolve("dest"));
    victim = Files.createDirectory(work.resolve("victim"));
    Files.writeString(victim.resolve("secret"), "do not touch");
    Files.setPosixFilePermissions(
        victim.resolve("secret"), PosixFilePermissions.fromString("rw-------"));
    Files.setLastModifiedTime(victim.resolve("secret"), FileTime.fromMillis(1_000_000));
    Files.createDirectory(work.resolve("root-evil"));
    Files.createDirectories(work.resolve("etc"));
    Files.writeString(work.resolve("etc/passwd"), "root:x:0:0");
    Files.writeString(work.resolve("x"), "outside");
    before = snapshot();
  }

  @AfterEach
  void nothingOutsideDestChanged() throws IOException {
    assertThat(snapshot()).isEqualTo(before);
  }

  /** Everything under the work directory except dest/, described by type, metadata and content. */
  Map<String, String> snapshot() throws IOException {
    Map<String, String> s = new TreeMap<>();
    try (Stream<Path> all = Files.walk(work)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (p.startsWith(dest)) {
          continue; // the layer root itself may change, like everything in it
        }
        Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        String content =
            Files.isSymbolicLink(p)
                ? "-> " + Files.readSymbolicLink(p)
                : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                    ? Digest.sha256(Files.readAllBytes(p)).toString()
                    : "";
        s.put(
            work.relativize(p).toString(),
            String.format(
                "mode=%o uid=%s gid=%s size=%s mtime=%s %s",
                a.get("mode"),
                a.get("uid"),
                a.get("gid"),
                a.get("size"),
                a.get("lastModifiedTime"),
                content));
      }
    }
    return s;
  }

  ApplyResult apply(TestLayer layer) throws IOException {
    return Layer.apply(layer.stream(), dest, ApplyOptions.defaults());
  }

  void refused(TestLayer layer, String message) {
    assertThatThrownBy(() -> apply(layer))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining(message);
  }

  @Test
  void aSymlinkTargetOfPathMaxBytesIsRefusedAndOneByteShorterKept() throws IOException {
    refused(
        TestLayer.of().symlink("s", "t".repeat(4096)),
        "entry \"s\": symbolic link target of 4096 bytes is longer than 4095");
    apply(TestLayer.of().symlink("s", "t".repeat(4095)));
    assertThat(Files.readSymbolicLink(dest.resolve("s")).toString()).isEqualTo("t".repeat(4095));
  }

  // Found by LayerFuzzTest: symlink(2) with an empty target fails with ENOENT, as in docker's
  // apply.
  @Test
  void aSymlinkWithAnEmptyTargetIsRefusedAsBadInput() {
    refused(
        TestLayer.of().symlink("/a/.", ""), "entry \"/a/.\": symbolic link with an empty target");
  }

  // --- names that leave the root

  @Test
  void dotDotNamesAreRefused() {
    refused(TestLayer.of().file("../x", "evil"), "entry \"../x\": the name leaves the layer root");
    refused(TestLayer.of().file("/../x", "evil"), "leaves the layer root");
    refused(TestLayer.of().file("a/../../x", "evil"), "leaves the layer root");
    refused(TestLayer.of().dir(".."), "leaves the layer root");
  }

  @Test
  void absoluteNamesAreInsideTheRoot() throws IOException {
    apply(TestLayer.of().file("/etc/passwd", "inside"));
    assertThat(dest.resolve("etc/passwd")).hasContent("inside");
  }

  @Test
  void backslashesAreOrdinaryCharacters() throws IOException {
    apply(TestLayer.of().file("..\\x", "b").file("a\\..\\..\\y", "c"));
    assertThat(dest.resolve("..\\x")).hasContent("b");
    assertThat(dest.resolve("a\\..\\..\\y")).hasContent("c");
  }

  // --- links that leave it

  @Test
  void symlinkToParentsIsReRootedForLaterWrites() throws IOException {
    apply(
        TestLayer.of()
            .symlink("l", "../../etc")
            .file("l/passwd", "inside")
            .symlink("v", "../victim")
            .file("v/secret", "inside too"));
    assertThat(dest.resolve("etc/passwd")).hasContent("inside");
    assertThat(dest.resolve("victim/secret")).hasContent("inside too");
    assertThat(Files.readSymbolicLink(dest.resolve("l"))).hasToString("../../etc");
  }

  @Test
  void symlinkToSlashLandsInTheLayersOwnTmp() throws IOException {
    String unique = "cairn-escape-" + UUID.randomUUID();
    apply(TestLayer.of().symlink("l", "/").file("l/tmp/" + unique, "x"));
    assertThat(dest.resolve("tmp/" + unique)).hasContent("x");
    assertThat(Path.of("/tmp", unique)).doesNotExist();
  }

  @Test
  void twoHopSymlinkChainsStayInside() throws IOException {
    apply(
        TestLayer.of()
            .dir("in")
            .symlink("in/up", "..")
            .symlink("in/up/esc", "../victim")
            .file("in/up/esc/f", "x"));
    assertThat(dest.resolve("esc")).isSymbolicLink();
    assertThat(dest.resolve("victim/f")).hasContent("x");
  }

  @Test
  void symlinkLoopsAreAnError() {
    refused(TestLayer.of().symlink("a", "b").symlink("b", "a").file("a/f", "x"), "too many levels");
  }

  @Test
  void hardlinksThatLeaveTheRootAreRefused() {
    refused(TestLayer.of().hardlink("h", "../x"), "the link target \"../x\" leaves the layer root");
    refused(TestLayer.of().hardlink("h", "../root-evil/x"), "leaves the layer root");
  }

  @Test
  void absoluteHardlinkTargetsResolveInsideTheRoot() throws IOException {
    apply(TestLayer.of().file("etc/passwd", "inside").hardlink("h", "/etc/passwd"));
    assertThat(dest.resolve("h")).hasContent("inside");
    assertThat(Posix.lstatat(Posix.AT_FDCWD, Posix.bytes(dest.resolve("h").toString())).nlink())
        .isEqualTo(2);
  }

  @Test
  void hardlinkThroughAnEscapingSymlinkFindsNothing() {
    refused(
        TestLayer.of().symlink("v", "../victim").hardlink("h", "v/secret"),
        "hard link target \"v/secret\" does not exist");
  }

  // Found by LayerFuzzTest: after the layer's own symlinks moved what the names mean, link(2)
  // refused the link with EPERM, which surfaced as an I/O error. Docker's apply fails here too.
  @Test
  void aHardlinkThatLinkRefusesAfterTheLayersOwnSymlinksIsRefusedAsBadInput() {
    refused(
        TestLayer.of()
            .symlink("a/b", "..")
            .dir("a/b/a/b/a")
            .symlink("a/b/a", "/x")
            .file("a/b/a/b/a/b/c/f", "")
            .hardlink("a/b/a/b/a/b", "a/b/a/b/a"),
        "entry \"a/b/a/b/a/b\": cannot hard link to \"a/b/a/b/a\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"LONG", "LONG/f", "d/LONG", "d/LONG/f"})
  void aNameWithAComponentLongerThanTheFileSystemAllowsIsRefusedAsBadInput(String name) {
    String n = name.replace("LONG", "x".repeat(256));
    refused(
        TestLayer.of().dir("d").file(n, "x"),
        "the name has a component of 256 bytes, longer than 255");
  }

  // Found by LayerFuzzTest: replacing the link's name removed its target, and the link then failed
  // with a NullPointerException.
  @Test
  void aHardlinkWhoseTargetLiesUnderTheNameItReplacesIsRefused() {
    refused(
        TestLayer.of().dir("d").file("d/x", "1").hardlink("d", "d/x"),
        "entry \"d\": hard link target \"d/x\" was removed with what the link replaces");
  }

  @Test
  void hardlinkToASymlinkLinksTheSymlinkItself() throws IOException {
    apply(TestLayer.of().symlink("s", "/etc/passwd").hardlink("h", "s"));
    assertThat(dest.resolve("h")).isSymbolicLink();
    assertThat(Files.readSymbolicLink(dest.resolve("h"))).hasToString("/etc/passwd");
  }

  @Test
  void metadataIsNeverSetThroughASymlink() throws IOException {
    apply(
        TestLayer.of()
            .symlink("s", "../victim/secret", e -> e.withMtime(java.time.Instant.ofEpochSecond(7)))
            .dir("d", 0777)
            .symlink("d", "../victim/secret") // replaces the directory whose mode is pending
            .symlink("root-link", "../victim", e -> e.withOwner(123, 456, "", "")));
    assertThat(Files.getLastModifiedTime(dest.resolve("s"), LinkOption.NOFOLLOW_LINKS).toMillis())
        .isEqualTo(7000);
    assertThat(dest.resolve("d")).isSymbolicLink();
  }

  @Test
  void aRootEntryThatIsNotADirectoryIsRefused() {
    refused(TestLayer.of().file(".", "x"), "entry \".\": the layer root must be a directory");
    refused(TestLayer.of().symlink("/", "/etc"), "the layer root must be a directory");
    refused(TestLayer.of().hardlink("./", "x"), "the layer root must be a directory");
  }

  @Test
  void aRootDirectoryEntryIsFine() throws IOException {
    apply(TestLayer.of().dir("./", 0711).file("./a", "x"));
    assertThat(Posix.lstatat(Posix.AT_FDCWD, Posix.bytes(dest.toString())).permissions())
        .isEqualTo(0711);
  }

  // --- must still work

  @Test
  void aLowerLayersSymlinkToAnAbsoluteDirectoryIsFollowedInsideTheRoot() throws IOException {
    apply(TestLayer.of().dir("var").dir("run").symlink("var/run", "/run"));
    apply(TestLayer.of().file("var/run/a/b", "pid"));
    assertThat(dest.resolve("run/a/b")).hasContent("pid");
    apply(TestLayer.of().dir("usr/lib").symlink("lib", "usr/lib").file("lib/x/y", "so"));
    assertThat(dest.resolve("usr/lib/x/y")).hasContent("so");
  }

  @Test
  void namesThatMerelyStartWithDotsAreFine() throws IOException {
    apply(TestLayer.of().file("..foo", "a").file("d/...", "b"));
    assertThat(dest.resolve("..foo")).hasContent("a");
    assertThat(dest.resolve("d/...")).hasContent("b");
  }

  @Test
  void impliedParentDirectoriesAre0755() throws IOException {
    apply(TestLayer.of().file("p/q/r", "x"));
    for (String d : new String[] {"p", "p/q"}) {
      assertThat(
              Posix.lstatat(Posix.AT_FDCWD, Posix.bytes(dest.resolve(d).toString())).permissions())
          .isEqualTo(0755);
    }
  }

  // --- whiteouts

  @Test
  void invalidWhiteoutsAreRefused() {
    refused(TestLayer.of().file(".wh..", ""), "names no file");
    refused(TestLayer.of().file(".wh...", ""), "names no file");
    refused(TestLayer.of().file(".wh.", ""), "names no file");
    refused(TestLayer.of().file("x/.wh..", ""), "names no file");
  }

  @Test
  void aWhiteoutRemovesASymlinkNotItsTarget() throws IOException {
    apply(TestLayer.of().file("t", "target").symlink("s", "t").symlink("v", "../victim/secret"));
    apply(TestLayer.of().file(".wh.s", "").file(".wh.v", ""));
    assertThat(dest.resolve("s")).doesNotExist();
    assertThat(Files.exists(dest.resolve("v"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(dest.resolve("t")).hasContent("target");
  }

  @Test
  void aWhiteoutRemovesADirectoryWithItsContent() throws IOException {
    apply(TestLayer.of().file("d/e/f", "x").symlink("d/l", "../../victim"));
    ApplyResult r = apply(TestLayer.of().file(".wh.d", "").file(".wh.missing", ""));
    assertThat(dest.resolve("d")).doesNotExist();
    assertThat(r.whiteouts()).isEqualTo(2);
  }

  @Test
  void onlyTheBasenamePrefixMakesAWhiteout() throws IOException {
    apply(TestLayer.of().file(".wh.etc/file", "ordinary"));
    assertThat(dest.resolve(".wh.etc/file")).hasContent("ordinary");
  }

  @Test
  void opaqueRemovesLowerEntriesButKeepsThisLayersEvenBeforeTheMarker() throws IOException {
    apply(TestLayer.of().file("d/lower", "1").file("d/sub/lower2", "2").file("d/both/lower3", "3"));
    apply(
        TestLayer.of()
            .dir("d")
            .file("d/before", "b")
            .dir("d/both")
            .file("d/both/new", "n")
            .file("d/.wh..wh..opq", "")
            .file("d/after", "a"));
    try (Stream<Path> files = Files.walk(dest.resolve("d"))) {
      assertThat(files.map(p -> dest.resolve("d").relativize(p).toString()))
          .containsExactlyInAnyOrder("", "before", "both", "both/new", "after");
    }
  }

  // --- type changes

  @Test
  void aFileIsNotAnImpliedParent() throws IOException {
    apply(TestLayer.of().file("x", "file"));
    refused(TestLayer.of().file("x/y", "z"), "entry \"x/y\": \"x\" is not a directory");
  }

  @Test
  void typeChangesReplaceWhatWasThere() throws IOException {
    apply(TestLayer.of().file("x", "file").file("d/inner", "i").dir("m", 0700).file("m/keep", "k"));
    apply(TestLayer.of().dir("x").file("x/y", "now a dir").file("d", "now a file").dir("m", 0751));
    assertThat(dest.resolve("x/y")).hasContent("now a dir");
    assertThat(dest.resolve("d")).hasContent("now a file");
    assertThat(dest.resolve("m/keep")).hasContent("k");
    assertThat(
            Posix.lstatat(Posix.AT_FDCWD, Posix.bytes(dest.resolve("m").toString())).permissions())
        .isEqualTo(0751);
  }

  @Test
  void directoryTimesAreSetLast() throws IOException {
    apply(TestLayer.of().dirAt("t", 1000).file("t/f", "x").dirAt("t/u", 2000).file("t/u/g", "y"));
    assertThat(Files.getLastModifiedTime(dest.resolve("t")).toMillis()).isEqualTo(1_000_000);
    assertThat(Files.getLastModifiedTime(dest.resolve("t/u")).toMillis()).isEqualTo(2_000_000);
  }

  @Test
  void deviceNumbersOutOfRangeAreRefusedBeforeMknod() {
    refused(TestLayer.of().device("dev/big", '3', 4096, 0), "device number 4096:0 is out of range");
    refused(TestLayer.of().device("dev/big", '4', 0, 1 << 20), "out of range");
    assertThat(dest.resolve("dev/big")).doesNotExist();
  }

  // --- limits

  @Test
  void decompressedSizeIsCapped() throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(TestLayer.of().entry(TarEntry.regular("big", 1 << 20), new byte[1 << 20]).tar());
    }
    assertThatThrownBy(
            () ->
                Layer.apply(
                    new ByteArrayInputStream(gz.toByteArray()),
                    dest,
                    ApplyOptions.defaults().withMaxUncompressedBytes(64 * 1024)))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("larger than the limit of 65536 bytes");
  }

  @Test
  void junkAfterTheEndIsReadAndCountsInTheDiffId() throws IOException {
    byte[] tar = TestLayer.of().file("a", "x").tar();
    byte[] junk = new byte[3 * 1024 * 1024 + 17];
    java.util.Arrays.fill(junk, (byte) 'j');
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(tar);
    all.write(junk);
    ByteArrayInputStream blob = new ByteArrayInputStream(all.toByteArray());
    ApplyResult r = Layer.apply(blob, dest, ApplyOptions.defaults());
    assertThat(blob.available()).isZero();
    assertThat(r.diffId()).isEqualTo(Digest.sha256(all.toByteArray()));
    assertThat(r.tarSize()).isEqualTo(all.size());
  }

  @Test
  void hugeExtensionHeadersAreRefused() {
    String longName = "n/".repeat(600_000);
    refused(TestLayer.of().file(longName + "f", "x"), "");
  }
}
