package dev.cairn.bench;

import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

/** The layers the apply benchmarks extract, written as plain tars. */
final class SampleLayers {
  private SampleLayers() {}

  static final Instant TIME = Instant.ofEpochSecond(1_700_000_000L);

  /** One 64 MiB file of random bytes. */
  static Path bigFile(Path dir) throws IOException {
    Path tar = dir.resolve("big-file.tar");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar), 1 << 20);
        TarWriter w = new TarWriter(out)) {
      long size = 64L << 20;
      w.add(TarEntry.directory("data/").withMtime(TIME));
      w.add(TarEntry.regular("data/blob", size).withMtime(TIME));
      byte[] chunk = new byte[1 << 20];
      Random random = new Random(1);
      for (long left = size; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        w.write(chunk, 0, chunk.length);
      }
      w.finish();
    }
    return tar;
  }

  /** 30,000 small files (0 to 4 KiB) in 300 directories of 100, like a package tree. */
  static Path smallFiles(Path dir) throws IOException {
    Path tar = dir.resolve("small-files.tar");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar), 1 << 20);
        TarWriter w = new TarWriter(out)) {
      Random random = new Random(2);
      byte[] content = new byte[4096];
      for (int d = 0; d < 300; d++) {
        String parent = "usr/lib/pkg" + (d / 30) + "/mod" + d + "/";
        if (d % 30 == 0) {
          w.add(TarEntry.directory("usr/lib/pkg" + (d / 30) + "/").withMtime(TIME));
        }
        w.add(TarEntry.directory(parent).withMtime(TIME));
        for (int f = 0; f < 100; f++) {
          int size = random.nextInt(content.length + 1);
          random.nextBytes(content);
          w.add(TarEntry.regular(parent + "file" + f + ".py", size).withMtime(TIME));
          w.write(content, 0, size);
        }
      }
      w.finish();
    }
    return tar;
  }
}
