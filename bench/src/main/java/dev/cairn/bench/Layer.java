package dev.cairn.bench;

import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarWriter;
import dev.cairn.tarsplit.TarSplit;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Synthetic layers for the tar-split benchmarks: one big file, or many small ones. */
final class Layer {
  private Layer() {}

  /** Writes {@code name}.tar, its extracted tree {@code name}/ and {@code name}.json.gz. */
  static void make(Path dir, String name, boolean big) throws IOException {
    Path tar = dir.resolve(name + ".tar");
    Path tree = Files.createDirectories(dir.resolve(name));
    SplittableRandom random = new SplittableRandom(42);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar), 1 << 20);
        TarWriter w = new TarWriter(out)) {
      if (big) {
        byte[] data = new byte[64 << 20];
        random.nextBytes(data);
        add(w, tree, "big.bin", data);
      } else {
        for (int d = 0; d < 100; d++) {
          String sub = "dir" + d + "/";
          w.add(TarEntry.directory(sub));
          Files.createDirectories(tree.resolve(sub));
          for (int f = 0; f < 300; f++) {
            byte[] data = new byte[random.nextInt(4096)];
            random.nextBytes(data);
            add(w, tree, sub + "file" + f, data);
          }
        }
      }
    }
    try (InputStream in = Files.newInputStream(tar);
        OutputStream meta = Files.newOutputStream(dir.resolve(name + ".json.gz"))) {
      TarSplit.disassemble(in, meta, (e, p) -> {});
    }
  }

  private static void add(TarWriter w, Path tree, String name, byte[] data) throws IOException {
    w.add(TarEntry.regular(name, data.length), new ByteArrayInputStream(data));
    Files.write(tree.resolve(name), data);
  }

  /** tmpfs when there is one, so that disk speed stays out of the figures. */
  static Path scratch() throws IOException {
    Path shm = Path.of("/dev/shm");
    return Files.isDirectory(shm) && Files.isWritable(shm)
        ? Files.createTempDirectory(shm, "cairn-bench")
        : Files.createTempDirectory("cairn-bench");
  }

  static void delete(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
