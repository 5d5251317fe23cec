package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where {@code save -o} and {@code layer export -o} write: a regular file atomically, a device or a
 * FIFO in place, a symlink's target; never a partial file left behind.
 */
class OutputFileTest {
  @TempDir Path dir;
  Path root;
  Path out;
  String id;
  Cli cairn;

  @BeforeEach
  void importAnImage() throws IOException {
    root = dir.resolve("store");
    cairn = Cli.vfs(root);
    out = Files.createDirectory(dir.resolve("out"));
    byte[] big = new byte[4 << 20];
    new Random(1).nextBytes(big);
    Path tar = dir.resolve("rootfs.tar");
    Files.write(
        tar,
        TarBuilder.tar()
            .file("etc/motd", "hello\n")
            .add(dev.cairn.tar.TarEntry.regular("big", big.length), big)
            .bytes());
    CliResult r = cairn.run("import", tar.toString(), "app:1");
    assertThat(r.exit()).as(r.err()).isZero();
    id = r.out().strip().substring("sha256:".length());
  }

  /** Makes a character device with the numbers of one in /dev (1:3 null, 1:7 full). */
  private Path device(String name, int major, int minor) throws Exception {
    Tools.requireThat(dev.cairn.posix.Posix.geteuid() == 0, "making a device node needs root");
    Path node = out.resolve(name);
    exec("mknod", node.toString(), "c", Integer.toString(major), Integer.toString(minor));
    return node;
  }

  private static void exec(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(output).isZero();
  }

  private static void assertCharacterDevice(Path node, int major, int minor) throws IOException {
    int mode = (Integer) Files.getAttribute(node, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    long rdev = (Long) Files.getAttribute(node, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
    assertThat(mode & 0170000).as("a character device still").isEqualTo(0020000);
    assertThat(rdev).isEqualTo(((long) major << 8) | minor);
  }

  private void assertNoPartialFile() throws IOException {
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
    }
  }

  @Test
  void exportToACharacterDeviceWritesIntoItAndKeepsTheNode() throws Exception {
    Path node = device("null", 1, 3);
    CliResult r = cairn.run("layer", "export", id, "-o", node.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertCharacterDevice(node, 1, 3);
    assertNoPartialFile();
  }

  @Test
  void saveToAFullDeviceFailsSayingSoAndKeepsTheNode() throws Exception {
    Path node = device("full", 1, 7);
    for (String[] args :
        List.of(
            new String[] {"save", "-o", node.toString(), "app:1"},
            new String[] {"layer", "export", id, "-o", node.toString()})) {
      CliResult r = cairn.run(args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
      assertThat(r.err()).isEqualTo("cairn: writing " + node + ": No space left on device\n");
      assertCharacterDevice(node, 1, 7);
    }
    assertNoPartialFile();
  }

  @Test
  void saveToAFifoWritesIntoItForItsReader() throws Exception {
    Path fifo = out.resolve("fifo");
    exec("mkfifo", fifo.toString());
    CompletableFuture<byte[]> read =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    CliResult r = cairn.run("save", "-o", fifo.toString(), "app:1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(read.get(60, TimeUnit.SECONDS)).isEqualTo(cairn.run("save", "app:1").bytes());
    assertThat(Files.getAttribute(fifo, "unix:mode", LinkOption.NOFOLLOW_LINKS))
        .satisfies(m -> assertThat((Integer) m & 0170000).isEqualTo(0010000));
    assertNoPartialFile();
  }

  @Test
  void saveThroughASymlinkWritesItsTargetKeepingTheLinkAndTheTargetsMode() throws Exception {
    Path target = Files.writeString(out.resolve("target.tar"), "old");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    Path link = Files.createSymbolicLink(out.resolve("link.tar"), Path.of("target.tar"));
    CliResult r = cairn.run("save", "-o", link.toString(), "app:1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readAllBytes(target)).isEqualTo(cairn.run("save", "app:1").bytes());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
        .isEqualTo("rw-r--r--");
    assertNoPartialFile();
  }

  @Test
  void aSymlinkToNothingGetsItsTargetWritten() throws IOException {
    Path link = Files.createSymbolicLink(out.resolve("link.tar"), Path.of("new.tar"));
    CliResult r = cairn.run("layer", "export", id, "-o", link.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readAllBytes(out.resolve("new.tar")))
        .isEqualTo(cairn.run("layer", "export", id, "-o", "-").bytes());
  }

  @Test
  void aDirectoryIsRefusedAndLeftAsItWas() throws IOException {
    Path empty = Files.createDirectory(out.resolve("empty"));
    CliResult r = cairn.run("save", "-o", empty.toString(), "app:1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("cairn: " + empty + " is a directory\n");
    assertThat(empty).isEmptyDirectory();
  }

  @Test
  void aFailedSaveLeavesTheOldFileAndNoPartialOne() throws IOException {
    Path file = Files.writeString(out.resolve("keep.tar"), "old");
    CliResult r = cairn.run("save", "-o", file.toString(), "app:1", "nothing:here");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(Files.readString(file)).isEqualTo("old");
    assertNoPartialFile();
  }

  @Test
  void saveToAClosedPipeEndsQuietlyWithTheSigpipeStatus() throws IOException {
    Pipe pipe = Pipe.open();
    pipe.source().close(); // the reader went away, as head does after its first byte
    try (OutputStream stdout = Channels.newOutputStream(pipe.sink())) {
      CliResult r = cairn.run(stdout, "save", "app:1");
      assertThat(r.exit()).isEqualTo(141);
      assertThat(r.err()).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"TERM", "INT"})
  void aSignalledSaveLeavesNoPartialFile(String signal) throws Exception {
    Path target = out.resolve("big.tar");
    Process child =
        new ProcessBuilder(
                Tools.childJvm(SaveChild.class, root.toString(), "app:1", target.toString()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      String line =
          new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()))
              .readLine();
      assertThat(line).isEqualTo("saved");
      try (var files = Files.list(out)) {
        Path partial =
            files.filter(p -> p.getFileName().toString().endsWith(".partial")).findFirst().get();
        assertThat(Files.size(partial)).isGreaterThan(4 << 20);
      }
      exec("kill", "-" + signal, Long.toString(child.pid()));
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(128 + (signal.equals("TERM") ? 15 : 2));
    } finally {
      child.destroyForcibly();
    }
    assertThat(target).doesNotExist();
    assertNoPartialFile();
  }
}
