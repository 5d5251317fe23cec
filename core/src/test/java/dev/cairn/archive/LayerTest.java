package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import dev.cairn.tar.TarEntry;
import dev.cairn.tarsplit.FileSource;
import dev.cairn.tarsplit.TarSplit;
import dev.cairn.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerTest {
  @TempDir Path root;

  FileStat stat(String name) throws PosixException {
    return Posix.lstatat(Posix.AT_FDCWD, Posix.bytes(root.resolve(name).toString()));
  }

  @Test
  void aDirectoryNamedTwiceTakesTheLaterEntrysModeAndTimes() throws IOException {
    TestLayer layer =
        TestLayer.of()
            .entry(
                TarEntry.directory("d/").withMode(0700).withMtime(Instant.ofEpochSecond(1000)),
                new byte[0])
            .file("d/f", "x")
            .entry(
                TarEntry.directory("./d").withMode(0751).withMtime(Instant.ofEpochSecond(2000)),
                new byte[0]);
    Layer.apply(layer.stream(), root, ApplyOptions.defaults());
    assertThat(stat("d").permissions()).isEqualTo(0751);
    assertThat(stat("d").mtimeSeconds()).isEqualTo(2000);
  }

  @Test
  void ownersAreShiftedThroughTheIdMaps() throws IOException {
    Tools.requireRoot("setting owners needs root");
    TestLayer layer =
        TestLayer.of()
            .file("a", "x", e -> e.withOwner(0, 0, "", ""))
            .file("b", "y", e -> e.withOwner(1000, 50, "", ""))
            .symlink("l", "a", e -> e.withOwner(7, 8, "", ""));
    ApplyOptions options =
        ApplyOptions.defaults()
            .withIdMaps(IdMap.parse("0:100000:65536"), IdMap.parse("0:200000:65536"));
    Layer.apply(layer.stream(), root, options);
    assertThat(stat("a").uid()).isEqualTo(100000);
    assertThat(stat("a").gid()).isEqualTo(200000);
    assertThat(stat("b").uid()).isEqualTo(101000);
    assertThat(stat("b").gid()).isEqualTo(200050);
    assertThat(stat("l").uid()).isEqualTo(100007);
  }

  @Test
  void anOwnerOutsideTheMapIsAnError() {
    TestLayer layer = TestLayer.of().file("big", "x", e -> e.withOwner(70000, 0, "", ""));
    ApplyOptions options =
        ApplyOptions.defaults().withIdMaps(IdMap.parse("0:100000:65536"), IdMap.IDENTITY);
    assertThatThrownBy(() -> Layer.apply(layer.stream(), root, options))
        .isInstanceOf(CairnException.class)
        .hasMessage("entry \"big\": uid 70000 is outside the ID map 0:100000:65536");
  }

  @Test
  void extendedAttributesAreRestored() throws IOException {
    TestLayer layer =
        TestLayer.of()
            .file("f", "x", e -> e.withPax(Map.of("SCHILY.xattr.user.origin", "cairn")))
            .entry(
                TarEntry.directory("d").withPax(Map.of("SCHILY.xattr.user.kind", "dir")),
                new byte[0]);
    Tools.requireXattrs(root, "user.probe", Posix.bytes("x"));
    Layer.apply(layer.stream(), root, ApplyOptions.defaults());
    byte[] v =
        Posix.lgetxattr(Posix.AT_FDCWD, Posix.bytes(root.resolve("f").toString()), "user.origin");
    assertThat(v).isEqualTo(Posix.bytes("cairn"));
    assertThat(
            Posix.lgetxattr(Posix.AT_FDCWD, Posix.bytes(root.resolve("d").toString()), "user.kind"))
        .isEqualTo(Posix.bytes("dir"));
  }

  @Test
  void binaryExtendedAttributesAreSetByteForByte() throws IOException {
    // Bytes that are not UTF-8 (0xff, 0x80) and NULs, as in a file capability.
    byte[] value = {0x01, 0x00, 0x00, 0x02, (byte) 0xff, (byte) 0x80, 0x00, (byte) 0xc3};
    TestLayer layer =
        TestLayer.of()
            .file("f", "x", e -> e.withXattrs(Map.of("user.blob", value)))
            .entry(TarEntry.directory("d").withXattrs(Map.of("user.blob", value)), new byte[0]);
    Tools.requireXattrs(root, "user.probe", value);
    ApplyResult result = Layer.apply(layer.stream(), root, ApplyOptions.defaults());
    assertThat(result.skipped()).isZero();
    byte[] f = Posix.bytes(root.resolve("f").toString());
    assertThat(Posix.lgetxattr(Posix.AT_FDCWD, f, "user.blob")).isEqualTo(value);
    byte[] d = Posix.bytes(root.resolve("d").toString());
    assertThat(Posix.lgetxattr(Posix.AT_FDCWD, d, "user.blob")).isEqualTo(value);
  }

  @Test
  void aFileCapabilityIsRestoredExactly() throws IOException {
    Tools.requireRoot("setting security.capability needs root");
    // VFS_CAP_REVISION_2 with the effective flag, permitting CAP_NET_BIND_SERVICE (bit 10).
    byte[] capability = new byte[20];
    capability[0] = 0x01;
    capability[3] = 0x02;
    capability[5] = 0x04;
    TestLayer layer =
        TestLayer.of()
            .file("ping", "x", e -> e.withXattrs(Map.of("security.capability", capability)));
    Tools.requireXattrs(root, "security.capability", capability);
    ApplyResult result = Layer.apply(layer.stream(), root, ApplyOptions.defaults());
    assertThat(result.skipped()).isZero();
    assertThat(
            Posix.lgetxattr(
                Posix.AT_FDCWD,
                Posix.bytes(root.resolve("ping").toString()),
                "security.capability"))
        .isEqualTo(capability);
  }

  @Test
  void namesThatAreNotUtf8ReachTheDiskByteForByte() throws IOException {
    byte[] name = {'c', 'a', 'f', (byte) 0xe9};
    TestLayer layer =
        TestLayer.of().entry(TarEntry.regular("x", 2).withName(name), new byte[] {'o', 'k'});
    Layer.apply(layer.stream(), root, ApplyOptions.defaults());
    int fd = Posix.openat(Posix.AT_FDCWD, Posix.bytes(root.toString()), Posix.O_PATH, 0);
    try {
      assertThat(Posix.readdir(fd))
          .singleElement()
          .satisfies(e -> assertThat(e.name()).isEqualTo(name));
      assertThat(Posix.lstatat(fd, name).size()).isEqualTo(2);
    } finally {
      Posix.close(fd);
    }
  }

  @Test
  void setIdBitsSurviveTheChown() throws IOException {
    Tools.requireRoot("setting owners needs root");
    Layer.apply(
        TestLayer.of().file("su", "x", e -> e.withMode(04755).withOwner(1, 2, "", "")).stream(),
        root,
        ApplyOptions.defaults());
    assertThat(stat("su").permissions()).isEqualTo(04755);
    assertThat(stat("su").uid()).isEqualTo(1);
  }

  @Test
  void applyAndTarSplitShareOnePassAndReassembleTheSameBytes() throws IOException {
    byte[] tar =
        TestLayer.of()
            .dir("etc")
            .file("etc/hosts", "127.0.0.1 localhost\n")
            .symlink("etc/alias", "hosts")
            .hardlink("etc/hosts2", "etc/hosts")
            .file("big", "z".repeat(70_000))
            .tar();
    ByteArrayOutputStream metadata = new ByteArrayOutputStream();
    ApplyResult r =
        Layer.apply(
            new ByteArrayInputStream(tar),
            root,
            ApplyOptions.defaults(),
            Layer.recordingTarSplit(metadata));
    assertThat(r.diffId()).isEqualTo(Digest.sha256(tar));
    assertThat(r.size())
        .isEqualTo(20 + "hosts".length() + 70_000); // the symlink counts, as in docker
    assertThat(r.entries()).isEqualTo(5);
    assertThat(root.resolve("etc/hosts2")).hasContent("127.0.0.1 localhost\n");

    ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
    TarSplit.assemble(
        new ByteArrayInputStream(metadata.toByteArray()), FileSource.directory(root), rebuilt);
    assertThat(rebuilt.toByteArray()).isEqualTo(tar);
  }

  @Test
  void devicesAreSkippedAndCountedWhenNotRoot() throws IOException {
    ApplyResult r =
        Layer.apply(
            TestLayer.of().device("null", '3', 1, 3).stream(), root, ApplyOptions.defaults());
    if (Posix.geteuid() == 0) {
      assertThat(stat("null").type()).isEqualTo(Posix.S_IFCHR);
      assertThat(r.skipped()).isZero();
    } else {
      assertThat(Files.exists(root.resolve("null"))).isFalse();
      assertThat(r.skipped()).isEqualTo(1);
    }
  }
}
