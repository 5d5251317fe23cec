package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.posix.Posix;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Tools;
import dev.cairn.testing.Trees;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that only read the store neither mount nor write, so they work where nothing can be
 * written; {@code rmi} works on a full file system, to free space.
 */
class ReadOnlyCommandsTest {
  private static final long MS_RDONLY = 1;
  private static final long MS_REMOUNT = 32;
  private static final long MS_BIND = 4096;

  @TempDir Path dir;
  private final List<Path> mounts = new ArrayList<>();

  @AfterEach
  void unmount() throws IOException {
    for (Path p : mounts.reversed()) {
      Posix.umount2(p.toString(), Posix.MNT_DETACH);
    }
  }

  private static String ok(Path root, String... args) {
    CliResult r = new Cli(root, null).run(args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isZero();
    return r.out();
  }

  /** Imports a one-file layer of {@code bytes} random bytes; returns the image ID's hex. */
  private String importImage(Path root, int bytes, String... name) throws IOException {
    byte[] content = new byte[bytes];
    new Random(bytes).nextBytes(content);
    Path tar = Files.createTempFile(dir, "layer", ".tar");
    Files.write(
        tar,
        TarBuilder.tar()
            .add(dev.cairn.tar.TarEntry.regular("data", content.length), content)
            .bytes());
    List<String> args = new ArrayList<>(List.of("import", tar.toString()));
    args.addAll(List.of(name));
    return ok(root, args.toArray(String[]::new)).strip().substring("sha256:".length());
  }

  private void mount(String source, Path target, String type, long flags, String data)
      throws IOException {
    Posix.mount(source, target.toString(), type, flags, data);
    mounts.add(target);
  }

  private static List<String> mountTable() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/mountinfo"));
  }

  private static String[][] readingCommands(Path out) {
    return new String[][] {
      {"images"},
      {"images", "-a"},
      {"inspect", "app:1"},
      {"history", "app:1"},
      {"save", "-o", out.toString(), "app:1"}
    };
  }

  @Test
  void readingCommandsLeaveAWritableStoreAsItWas() throws IOException {
    Path root = dir.resolve("store");
    importImage(root, 1000, "app:1");
    // The first listing writes the graph index (derived from graph/, ARCHITECTURE.md, The graph
    // index); from then on reading commands write nothing at all.
    ok(root, "images");
    Map<String, String> before = Trees.snapshot(root); // directory times included
    List<String> mountsBefore = mountTable();
    for (String[] command : readingCommands(dir.resolve("out.tar"))) {
      ok(root, command);
    }
    assertThat(Trees.snapshot(root)).isEqualTo(before);
    assertThat(mountTable()).isEqualTo(mountsBefore);
  }

  @Test
  void aStoreOnAReadOnlyFileSystemStillAnswersImagesInspectHistoryAndSave() throws IOException {
    Tools.requireThat(Posix.geteuid() == 0, "making a read-only bind mount needs root");
    Path root = dir.resolve("store");
    String id = importImage(root, 1000, "app:1");
    Path saved = dir.resolve("writable.tar");
    ok(root, "save", "-o", saved.toString(), "app:1");
    // As an older cairn left it: the modes that opening would set again cannot be set here.
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path view = Files.createDirectory(dir.resolve("read-only"));
    mount(root.toString(), view, null, MS_BIND, null);
    Posix.mount(null, view.toString(), null, MS_REMOUNT | MS_BIND | MS_RDONLY, null);
    Map<String, String> before = Trees.snapshot(root);
    List<String> mountsBefore = mountTable();

    assertThat(ok(view, "images")).contains("app          1         " + id.substring(0, 12));
    assertThat(ok(view, "inspect", "app:1")).contains("\"Id\": \"sha256:" + id + "\"");
    assertThat(ok(view, "history", "app:1")).contains(id.substring(0, 12));
    Path out = dir.resolve("read-only.tar");
    ok(view, "save", "-o", out.toString(), "app:1");
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(saved));

    assertThat(Trees.snapshot(root)).isEqualTo(before);
    assertThat(mountTable()).isEqualTo(mountsBefore);
  }

  @Test
  void rmiFreesSpaceOnAFullFileSystem() throws IOException {
    Tools.requireThat(Posix.geteuid() == 0, "mounting a small tmpfs needs root");
    Path small = Files.createDirectory(dir.resolve("small"));
    mount("tmpfs", small, "tmpfs", 0, "size=4m");
    Path root = small.resolve("store");
    String dangling = importImage(root, 1 << 20);
    importImage(root, 1 << 19, "app:1");
    try (OutputStream fill = Files.newOutputStream(small.resolve("fill"))) {
      byte[] block = new byte[4096];
      while (true) {
        fill.write(block);
      }
    } catch (IOException full) {
      assertThat(full).hasMessageContaining("No space left on device");
    }
    FileStore fs = Files.getFileStore(small);
    assertThat(fs.getUsableSpace()).isZero();

    assertThat(ok(root, "rmi", dangling)).contains("Deleted: sha256:" + dangling);
    assertThat(fs.getUsableSpace()).isGreaterThanOrEqualTo(1 << 20);
    // Untagging writes a new tags file, which needs the room the first rmi made (as docker's
    // repositories.json does): on a file system full to the last byte only an ID frees space.
    assertThat(ok(root, "rmi", "app:1")).contains("Untagged: app:1");
    assertThat(ok(root, "images", "-a").lines()).hasSize(1);
  }
}
