package dev.cairn.bench;

import dev.cairn.archive.ApplyOptions;
import dev.cairn.archive.Layer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Times cairn's layer apply in-process: {@code ApplyTiming TAR SCRATCH_DIR RUNS} extracts TAR into
 * a fresh directory under SCRATCH_DIR RUNS times after two warm-up runs and prints the median
 * milliseconds. Used by bench/apply.sh beside GNU tar.
 */
public final class ApplyTiming {
  private ApplyTiming() {}

  public static void main(String[] args) throws Exception {
    Path tar = Path.of(args[0]);
    Path scratch = Path.of(args[1]);
    int runs = Integer.parseInt(args[2]);
    long[] ms = new long[runs];
    for (int i = -2; i < runs; i++) {
      Path dest = Files.createDirectories(scratch.resolve("cairn-" + (i + 2)));
      long start = System.nanoTime();
      try (InputStream in = Files.newInputStream(tar)) {
        Layer.apply(in, dest, ApplyOptions.defaults());
      }
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      if (i >= 0) {
        ms[i] = elapsed;
      }
      remove(dest);
    }
    Arrays.sort(ms);
    System.out.println(ms[runs / 2]);
  }

  static void remove(Path dir) throws IOException, InterruptedException {
    new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start().waitFor();
  }
}
