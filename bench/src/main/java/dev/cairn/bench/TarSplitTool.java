package dev.cairn.bench;

import dev.cairn.archive.LayerFiles;
import dev.cairn.tarsplit.FileSource;
import dev.cairn.tarsplit.TarSplit;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A command for bench/tarsplit.sh. {@code make DIR} writes the two synthetic layers; {@code
 * assemble META TREE OUT [RUNS]} rebuilds a tar RUNS times in this JVM, reading the files through
 * {@link LayerFiles}, and prints each run's seconds, then the median.
 */
public final class TarSplitTool {
  /** Set {@code -Dcairn.bench.paths=true} to time the Path-based source instead of LayerFiles. */
  private static final boolean PATHS = Boolean.getBoolean("cairn.bench.paths");

  private TarSplitTool() {}

  public static void main(String[] args) throws IOException {
    switch (args[0]) {
      case "make" -> {
        Path dir = Path.of(args[1]);
        Layer.make(dir, "big", true);
        Layer.make(dir, "small-files", false);
      }
      case "assemble" -> {
        int runs = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
          long t0 = System.nanoTime();
          try (InputStream meta = Files.newInputStream(Path.of(args[1]));
              LayerFiles files = LayerFiles.open(Path.of(args[2]));
              OutputStream out = new FileOutputStream(args[3])) {
            FileSource source = PATHS ? FileSource.directory(Path.of(args[2])) : files;
            TarSplit.assemble(meta, source, out);
          }
          seconds[i] = (System.nanoTime() - t0) / 1e9;
          System.out.printf("run %d: %.3f s%n", i + 1, seconds[i]);
        }
        Arrays.sort(seconds);
        System.out.printf("median %.3f%n", seconds[runs / 2]);
      }
      default ->
          throw new IllegalArgumentException("usage: make DIR | assemble META TREE OUT [RUNS]");
    }
  }
}
