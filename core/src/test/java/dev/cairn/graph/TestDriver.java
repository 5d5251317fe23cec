package dev.cairn.graph;

import dev.cairn.archive.ApplyOptions;
import dev.cairn.archive.ApplyResult;
import dev.cairn.archive.Layer;
import dev.cairn.driver.Driver;
import dev.cairn.tarsplit.FileSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A small copy-on-create driver for the graph's tests ({@code ROOT/testvfs/dir/<id>}, each layer a
 * full copy of its parent), standing in until the real vfs driver is merged. Diffs are supported
 * for base layers only, through GNU tar, which is all these tests ask of it.
 */
final class TestDriver implements Driver {
  private final Path dirs;

  TestDriver(Path root) throws IOException {
    this.dirs = root.resolve("testvfs").resolve("dir");
    Files.createDirectories(dirs);
  }

  Path dir(String id) {
    return dirs.resolve(id);
  }

  @Override
  public String name() {
    return "testvfs";
  }

  @Override
  public void create(String id, String parent) throws IOException {
    Path d = dir(id);
    Files.createDirectory(d);
    if (parent != null) {
      run("cp", "-a", dir(parent) + "/.", d + "/");
    }
  }

  @Override
  public void remove(String id) throws IOException {
    if (Files.exists(dir(id), LinkOption.NOFOLLOW_LINKS)) {
      run("rm", "-rf", dir(id).toString());
    }
  }

  @Override
  public boolean exists(String id) {
    return Files.isDirectory(dir(id), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public Path get(String id) {
    return dir(id);
  }

  @Override
  public void put(String id) {}

  @Override
  public ApplyResult applyDiff(String id, String parent, InputStream diff, Layer.TarDriver tar)
      throws IOException {
    return Layer.apply(diff, dir(id), ApplyOptions.defaults(), tar);
  }

  @Override
  public InputStream diff(String id, String parent) throws IOException {
    if (parent != null) {
      throw new UnsupportedOperationException("the test driver diffs base layers only");
    }
    Process p =
        new ProcessBuilder(
                "tar", "-C", dir(id).toString(), "--sort=name", "--numeric-owner", "-cf", "-", ".")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    return p.getInputStream();
  }

  @Override
  public long diffSize(String id, String parent) throws IOException {
    return size(dir(id)) - (parent == null ? 0 : size(dir(parent)));
  }

  private static long size(Path d) throws IOException {
    try (Stream<Path> files = Files.walk(d)) {
      long total = 0;
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
          total += Files.size(f);
        }
      }
      return total;
    }
  }

  @Override
  public FileSource files(String id) {
    return FileSource.directory(dir(id));
  }

  @Override
  public Map<String, String> status() {
    return Map.of("Backing Filesystem", "test copy");
  }

  @Override
  public void close() {}

  private static void run(String... command) throws IOException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + ": " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
