package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import dev.cairn.tar.TarEntry;
import dev.cairn.tarsplit.FileSource;
import dev.cairn.tarsplit.TarSplit;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hard link entry's header describes the file it links, as docker applies it (moby pkg/archive
 * createTarFile: Lchown, xattrs, chmod and times after os.Link, the last two not for a symlink):
 * the linked file ends with the link's owner, mode, times and xattrs, whatever the entry that made
 * the file said. GNU tar leaves the file as it was; docker is the reference.
 */
class HardLinkHeaderTest {
  @TempDir Path tmp;

  private static final boolean ROOT = Posix.geteuid() == 0;
  private static final Instant FILE_TIME = Instant.ofEpochSecond(1_600_000_000);
  private static final Instant LINK_TIME = Instant.ofEpochSecond(1_000_000_000, 500_000_000);

  /** A file "f" (0755, 1:2, an xattr of its own) and then a link "l" saying otherwise. */
  private static byte[] fileThenLink() {
    return TarBuilder.tar()
        .add(
            TarEntry.regular("f", 5).withMode(0755).withOwner(1, 2, "", "").withMtime(FILE_TIME),
            bytes("file\n"))
        .xattrs(Map.of("user.file", "own"))
        .add(linkSayingOtherwise("l", "f"))
        .bytes();
  }

  /** A hard link whose header says 04710, 7:8, a fractional time and an xattr of its own. */
  private static TarEntry linkSayingOtherwise(String name, String target) {
    return TarEntry.hardlink(name, target)
        .withMode(04710)
        .withOwner(7, 8, "", "")
        .withMtime(LINK_TIME)
        .withPax(Map.of("SCHILY.xattr.user.link", "from the link"));
  }

  @Test
  void aHardLinkGivesTheFileItLinksTheLinksModeOwnerXattrsAndTimes() throws IOException {
    Path root = Files.createDirectory(tmp.resolve("root"));
    byte[] tar = fileThenLink();
    ByteArrayOutputStream metadata = new ByteArrayOutputStream();
    Tools.requireXattrs(root, "user.probe", bytes("x"));
    ApplyResult r =
        Layer.apply(
            new ByteArrayInputStream(tar),
            root,
            ApplyOptions.defaults(),
            Layer.recordingTarSplit(metadata));
    assertThat(r.skipped()).isZero();

    FileStat f = stat(root, "f");
    assertThat(stat(root, "l").ino()).isEqualTo(f.ino());
    assertThat(f.permissions()).as("set-id bits set after the chown").isEqualTo(04710);
    if (ROOT) {
      assertThat(List.of(f.uid(), f.gid())).isEqualTo(List.of(7, 8));
    }
    assertThat(f.mtimeSeconds()).isEqualTo(1_000_000_000);
    assertThat(f.mtimeNanos()).isEqualTo(500_000_000);
    assertThat(xattr(root, "f", "user.link")).isEqualTo(bytes("from the link"));
    assertThat(xattr(root, "f", "user.file")).as("the file's own stays").isEqualTo(bytes("own"));
    assertThat(root.resolve("l")).hasContent("file");

    ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
    TarSplit.assemble(
        new ByteArrayInputStream(metadata.toByteArray()), FileSource.directory(root), rebuilt);
    assertThat(rebuilt.toByteArray()).isEqualTo(tar);
    assertThat(r.diffId()).isEqualTo(Digest.sha256(tar));
  }

  @Test
  void aHardLinkToASymlinkGivesItTheLinksOwnerButNeverTouchesWhatItPointsTo() throws IOException {
    Path root = Files.createDirectory(tmp.resolve("root"));
    byte[] tar =
        TarBuilder.tar()
            .file("f", "pointed at\n")
            .symlink("s", "f")
            .owner(1, 2)
            .add(
                TarEntry.hardlink("s2", "s")
                    .withMode(0600)
                    .withOwner(7, 8, "", "")
                    .withMtime(LINK_TIME))
            .bytes();
    Layer.apply(new ByteArrayInputStream(tar), root, ApplyOptions.defaults());

    FileStat s = stat(root, "s");
    assertThat(s.isSymlink()).isTrue();
    assertThat(stat(root, "s2").ino()).as("the symlink itself is linked").isEqualTo(s.ino());
    if (ROOT) {
      assertThat(List.of(s.uid(), s.gid())).isEqualTo(List.of(7, 8));
    }
    assertThat(s.mtimeSeconds())
        .as("docker sets no times through a linked symlink")
        .isEqualTo(FILE_TIME.getEpochSecond());
    FileStat f = stat(root, "f");
    assertThat(f.permissions()).isEqualTo(0644);
    assertThat(f.mtimeSeconds()).isEqualTo(FILE_TIME.getEpochSecond());
    assertThat(List.of(f.uid(), f.gid())).isEqualTo(List.of(0, 0));
  }

  @Test
  void aUserXattrOfAHardLinkToASymlinkIsSkippedAsDockerSkipsIt() throws IOException {
    Tools.requireRoot("setting owners needs root");
    Path root = Files.createDirectory(tmp.resolve("root"));
    byte[] tar =
        TarBuilder.tar()
            .symlink("s", "nowhere")
            .add(TarEntry.hardlink("s2", "s").withOwner(7, 8, "", ""))
            .xattrs(Map.of("user.link", "symlinks take none")) // Linux: EPERM on a symlink
            .bytes();
    ApplyResult r = Layer.apply(new ByteArrayInputStream(tar), root, ApplyOptions.defaults());

    assertThat(r.skipped()).isEqualTo(1);
    FileStat s = stat(root, "s2");
    assertThat(s.isSymlink()).isTrue();
    assertThat(List.of(s.uid(), s.gid())).isEqualTo(List.of(7, 8));
  }

  @Test
  void aHardLinkToTheFileItAlreadyNamesStillGivesItTheHeader() throws IOException {
    Path root = Files.createDirectory(tmp.resolve("root"));
    byte[] base = TarBuilder.tar().file("a", "a\n").hardlink("b", "a").bytes();
    byte[] again =
        TarBuilder.tar()
            .add(TarEntry.hardlink("b", "a").withMode(0600).withMtime(LINK_TIME))
            .bytes();
    Layer.apply(new ByteArrayInputStream(base), root, ApplyOptions.defaults());
    long ino = stat(root, "a").ino();
    Layer.apply(new ByteArrayInputStream(again), root, ApplyOptions.defaults());

    FileStat a = stat(root, "a");
    assertThat(stat(root, "b").ino()).isEqualTo(a.ino()).isEqualTo(ino);
    assertThat(a.permissions()).isEqualTo(0600);
    assertThat(a.mtimeSeconds()).isEqualTo(LINK_TIME.getEpochSecond());
  }

  @Test
  void aHardLinkToAFileBelowAnOverlayUpperGivesTheCopiedUpFileTheHeaderAndLeavesTheLowerAlone()
      throws IOException {
    Tools.requireRoot("overlay whiteouts are written as root");
    Path lower = Files.createDirectory(tmp.resolve("lower"));
    Path upper = Files.createDirectory(tmp.resolve("upper"));
    byte[] base =
        TarBuilder.tar()
            .dir("bin")
            .add(
                TarEntry.regular("bin/tool", 5)
                    .withMode(0755)
                    .withOwner(1, 2, "", "")
                    .withMtime(FILE_TIME),
                bytes("tool\n"))
            .xattrs(Map.of("user.file", "own"))
            .bytes();
    // The link comes first in its layer: its target is only in the layer below.
    byte[] linking =
        TarBuilder.tar().add(linkSayingOtherwise("tool2", "bin/tool")).file("x", "x\n").bytes();
    Tools.requireXattrs(lower, "user.probe", bytes("x"));
    ApplyResult b = Layer.apply(new ByteArrayInputStream(base), lower, ApplyOptions.defaults());
    assertThat(b.skipped()).isZero();
    ByteArrayOutputStream metadata = new ByteArrayOutputStream();
    Layer.apply(
        new ByteArrayInputStream(linking),
        upper,
        ApplyOptions.defaults().withWhiteouts(WhiteoutFormat.OVERLAY),
        Layer.recordingTarSplit(metadata),
        () -> lower);

    FileStat copied = stat(upper, "bin/tool");
    assertThat(stat(upper, "tool2").ino()).isEqualTo(copied.ino());
    assertThat(copied.permissions()).isEqualTo(04710);
    assertThat(List.of(copied.uid(), copied.gid())).isEqualTo(List.of(7, 8));
    assertThat(copied.mtimeSeconds()).isEqualTo(1_000_000_000);
    assertThat(copied.mtimeNanos()).isEqualTo(500_000_000);
    assertThat(xattr(upper, "bin/tool", "user.link")).isEqualTo(bytes("from the link"));
    assertThat(xattr(upper, "bin/tool", "user.file")).as("copied up").isEqualTo(bytes("own"));
    assertThat(upper.resolve("tool2")).hasContent("tool");

    FileStat below = stat(lower, "bin/tool");
    assertThat(below.ino()).isNotEqualTo(copied.ino());
    assertThat(below.permissions()).isEqualTo(0755);
    assertThat(List.of(below.uid(), below.gid())).isEqualTo(List.of(1, 2));
    assertThat(below.mtimeSeconds()).isEqualTo(FILE_TIME.getEpochSecond());
    assertThat(xattr(lower, "bin/tool", "user.link")).isNull();

    ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
    TarSplit.assemble(
        new ByteArrayInputStream(metadata.toByteArray()), FileSource.directory(upper), rebuilt);
    assertThat(rebuilt.toByteArray()).isEqualTo(linking);
  }

  private static FileStat stat(Path root, String name) throws IOException {
    return Posix.lstatat(Posix.AT_FDCWD, Posix.bytes(root.resolve(name).toString()));
  }

  private static byte[] xattr(Path root, String name, String attr) throws IOException {
    return Posix.lgetxattr(Posix.AT_FDCWD, Posix.bytes(root.resolve(name).toString()), attr);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
