package dev.cairn.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.testing.Tools;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixTest {
  @TempDir Path tmp;
  int dir;

  @BeforeEach
  void open() throws Exception {
    dir = Posix.openat(Posix.AT_FDCWD, Posix.bytes(tmp.toString()), Posix.O_PATH, 0);
  }

  @AfterEach
  void close() throws Exception {
    Posix.close(dir);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void createsWritesAndStatsAFile() throws Exception {
    int fd =
        Posix.openat(
            dir, b("f"), Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW, 0640);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocateFrom("hello", StandardCharsets.US_ASCII);
      Posix.writeFully(fd, buf, 5);
    }
    Posix.fchmod(fd, 04751);
    Posix.futimens(fd, 100, 5, 1_700_000_000L, 123_456_789);
    Posix.close(fd);

    FileStat st = Posix.lstatat(dir, b("f"));
    assertThat(st.isRegularFile()).isTrue();
    assertThat(st.permissions()).isEqualTo(04751);
    assertThat(st.size()).isEqualTo(5);
    assertThat(st.mtimeSeconds()).isEqualTo(1_700_000_000L);
    assertThat(st.mtimeNanos()).isEqualTo(123_456_789);
    assertThat(st.atimeSeconds()).isEqualTo(100);
    assertThat(Files.readString(tmp.resolve("f"))).isEqualTo("hello");
  }

  @Test
  void errorsNameTheCallTheFileAndTheErrno() {
    assertThatThrownBy(() -> Posix.lstatat(dir, b("missing")))
        .isInstanceOf(PosixException.class)
        .hasMessage("stat \"missing\": No such file or directory (errno 2)")
        .satisfies(e -> assertThat(((PosixException) e).errno()).isEqualTo(Posix.ENOENT));
    assertThat(catchErrno(() -> Posix.mkdirat(dir, b("d/e"), 0755))).isEqualTo(Posix.ENOENT);
  }

  @Test
  void symlinkCallsNeverFollowTheLink() throws Exception {
    Files.writeString(tmp.resolve("target"), "t");
    Files.setLastModifiedTime(tmp.resolve("target"), FileTime.fromMillis(5000));
    Posix.symlinkat(b("target"), dir, b("link"));
    assertThat(Posix.readlinkat(dir, b("link"))).isEqualTo(b("target"));
    assertThat(Posix.lstatat(dir, b("link")).isSymlink()).isTrue();

    Posix.utimensat(dir, b("link"), 1, 0, 2_000_000, 0, Posix.AT_SYMLINK_NOFOLLOW);
    assertThat(Posix.lstatat(dir, b("link")).mtimeSeconds()).isEqualTo(2_000_000);
    assertThat(Posix.lstatat(dir, b("target")).mtimeSeconds()).isEqualTo(5);

    // A hard link to a symlink is a second name for the symlink, not for its target.
    Posix.linkat(dir, b("link"), dir, b("hard"));
    assertThat(Posix.lstatat(dir, b("hard")).isSymlink()).isTrue();
    assertThat(Posix.lstatat(dir, b("hard")).ino()).isEqualTo(Posix.lstatat(dir, b("link")).ino());

    assertThat(catchErrno(() -> Posix.openat(dir, b("link"), Posix.O_NOFOLLOW, 0)))
        .isEqualTo(Posix.ELOOP);
  }

  @Test
  void chownOfASymlinkLeavesTheTarget() throws Exception {
    Tools.requireRoot("needs root");
    Files.writeString(tmp.resolve("target"), "t");
    Posix.symlinkat(b("target"), dir, b("link"));
    Posix.fchownat(dir, b("link"), 1234, 5678, Posix.AT_SYMLINK_NOFOLLOW);
    assertThat(Posix.lstatat(dir, b("link")).uid()).isEqualTo(1234);
    assertThat(Posix.lstatat(dir, b("link")).gid()).isEqualTo(5678);
    assertThat(Posix.lstatat(dir, b("target")).uid()).isEqualTo(0);
  }

  @Test
  void makesFifosAndDevices() throws Exception {
    Posix.mknodat(dir, b("fifo"), Posix.S_IFIFO | 0600, 0, 0);
    assertThat(Posix.lstatat(dir, b("fifo")).type()).isEqualTo(Posix.S_IFIFO);
    Tools.requireRoot("devices need root");
    Posix.mknodat(dir, b("null"), Posix.S_IFCHR | 0666, 1, 3);
    FileStat st = Posix.lstatat(dir, b("null"));
    assertThat(st.type()).isEqualTo(Posix.S_IFCHR);
    assertThat(st.rdevMajor()).isEqualTo(1);
    assertThat(st.rdevMinor()).isEqualTo(3);
    Posix.mknodat(dir, b("big"), Posix.S_IFBLK | 0600, 4095, 1048575);
    assertThat(Posix.lstatat(dir, b("big")).rdevMajor()).isEqualTo(4095);
    assertThat(Posix.lstatat(dir, b("big")).rdevMinor()).isEqualTo(1048575);
  }

  @Test
  void refusesDeviceNumbersTheKernelCannotHoldBeforeCallingMknod() {
    assertThatThrownBy(() -> Posix.mknodat(dir, b("d"), Posix.S_IFCHR | 0600, 4096, 0))
        .isInstanceOf(PosixException.class)
        .hasMessageContaining("4096:0");
    assertThatThrownBy(() -> Posix.mknodat(dir, b("d"), Posix.S_IFCHR | 0600, 1, -1))
        .isInstanceOf(PosixException.class);
    assertThat(Files.exists(tmp.resolve("d"), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void makedevMatchesGlibc() {
    assertThat(Posix.makedev(8, 1)).isEqualTo(0x801L);
    assertThat(Posix.makedev(0x12345, 0x6789a)).isEqualTo(0x0001_2000_6783_459aL);
  }

  @Test
  void namesAreBytesEvenWhenNotUtf8() throws Exception {
    byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9};
    Posix.mkdirat(dir, latin1, 0700);
    assertThat(Posix.readdir(dir))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.name()).isEqualTo(latin1);
              assertThat(e.type()).isEqualTo(Posix.DT_DIR);
            });
    Posix.unlinkat(dir, latin1, Posix.AT_REMOVEDIR);
    assertThat(Posix.readdir(dir)).isEmpty();
  }

  @Test
  void extendedAttributesOnFilesAndSymlinks() throws Exception {
    Files.writeString(tmp.resolve("f"), "x");
    Tools.requireXattrs(tmp, "user.probe", b("x"));
    Posix.lsetxattr(dir, b("f"), "user.cairn", b("v1"));
    assertThat(Posix.lgetxattr(dir, b("f"), "user.cairn")).isEqualTo(b("v1"));
    assertThat(Posix.lgetxattr(dir, b("f"), "user.other")).isNull();
    assertThat(Posix.llistxattr(dir, b("f"))).contains("user.cairn");
    int fd = Posix.openat(dir, b("f"), Posix.O_WRONLY, 0);
    Posix.fsetxattr(fd, "user.big", new byte[3000]);
    Posix.close(fd);
    assertThat(Posix.lgetxattr(dir, b("f"), "user.big")).hasSize(3000);
    if (Posix.geteuid() == 0) {
      Posix.symlinkat(b("f"), dir, b("l"));
      Posix.lsetxattr(dir, b("l"), "trusted.cairn", b("on-link"));
      assertThat(Posix.lgetxattr(dir, b("l"), "trusted.cairn")).isEqualTo(b("on-link"));
      assertThat(Posix.lgetxattr(dir, b("f"), "trusted.cairn")).isNull();
    }
  }

  @Test
  void readsBack() throws Exception {
    Files.writeString(tmp.resolve("r"), "abc");
    int fd = Posix.openat(dir, b("r"), Posix.O_RDONLY, 0);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(16);
      assertThat(Posix.read(fd, buf, 16)).isEqualTo(3);
      assertThat(buf.get(ValueLayout.JAVA_BYTE, 2)).isEqualTo((byte) 'c');
      assertThat(Posix.read(fd, buf, 16)).isZero();
    } finally {
      Posix.close(fd);
    }
  }

  @Test
  void renamesAndUnlinks() throws Exception {
    Files.writeString(tmp.resolve("a"), "x");
    Posix.renameat(dir, b("a"), dir, b("b"));
    assertThat(Posix.lstatIfExists(dir, b("a"))).isNull();
    Posix.unlinkat(dir, b("b"), 0);
    assertThat(Posix.lstatIfExists(dir, b("b"))).isNull();
    assertThat(Posix.lstatat(dir, new byte[0]).isDirectory()).isTrue();
  }

  interface Call {
    void run() throws Exception;
  }

  static int catchErrno(Call call) {
    try {
      call.run();
    } catch (PosixException e) {
      return e.errno();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no error");
  }

  @Test
  void syncfsForcesTheFileSystemOfADirectoryAndRefusesAFile() throws Exception {
    Files.writeString(tmp.resolve("f"), "data");
    Posix.syncfs(tmp.toString());
    assertThatThrownBy(() -> Posix.syncfs(tmp.resolve("f").toString()))
        .isInstanceOf(PosixException.class)
        .hasMessageContaining("f");
    assertThatThrownBy(() -> Posix.syncfs(tmp.resolve("absent").toString()))
        .isInstanceOf(PosixException.class);
  }

  @Test
  void channelLocksSurviveAnInterruptedThread() throws Exception {
    Path file = tmp.resolve("lock");
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            file,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.READ,
            java.nio.file.StandardOpenOption.WRITE)) {
      Thread.currentThread().interrupt();
      try {
        java.nio.channels.FileLock lock = ChannelLocks.lock(ch, 0, 1, false);
        ChannelLocks.write(ch, java.nio.ByteBuffer.allocate(8).putLong(0, 42), 8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8);
        ChannelLocks.read(ch, b, 8);
        assertThat(b.flip().getLong()).isEqualTo(42);
        lock.release();
        assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
      } finally {
        Thread.interrupted();
      }
      assertThat(ch.isOpen()).isTrue();
    }
  }
}
