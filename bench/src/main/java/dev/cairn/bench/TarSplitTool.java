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

/**
 * A command for bench/tarsplit.sh. {@code make DIR} writes the two synthetic layers; {@code compare
 * ...} times cairn beside the tar-split tool round by round (see {@link #compare}); {@code assemble
 * META TREE OUT [RUNS]} rebuilds a tar RUNS times in this JVM, reading the files through {@link
 * LayerFiles}, and prints each run's seconds, then the median.
 */
public final class TarSplitTool {
  /** Set {@code -Dcairn.bench.paths=true} to time the Path-based source instead of LayerFiles. */
  private static final boolean PATHS = Boolean.getBoolean("cairn.bench.paths");

  private TarSplitTool() {}

  /** Seconds to rebuild the tar described by {@code meta} from {@code tree} into {@code out}. */
  private static double assemble(Path meta, Path tree, String out) throws IOException {
    long t0 = System.nanoTime();
    try (InputStream in = Files.newInputStream(meta);
        LayerFiles files = LayerFiles.open(tree);
        OutputStream tar = new FileOutputStream(out)) {
      FileSource source = PATHS ? FileSource.directory(tree) : files;
      TarSplit.assemble(in, source, tar);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * {@code compare TOOL_META META TREE OUT RUNS}: rounds of {@code tar-split asm} (a child process,
   * its time net of starting a process) then cairn (in this JVM) on the same tree, so that both
   * meet the same load; two warm-up rounds first. Prints the tool's and cairn's median seconds and
   * the median of the per-round speed-ups (tool / cairn).
   */
  private static void compare(String[] args) throws IOException {
    Path toolMeta = Path.of(args[1]);
    Path meta = Path.of(args[2]);
    Path tree = Path.of(args[3]);
    String out = args[4];
    int runs = Integer.parseInt(args[5]);
    double[] tool = new double[runs];
    double[] cairn = new double[runs];
    double[] speedup = new double[runs];
    for (int i = -2; i < runs; i++) {
      double t =
          run(
                  "tar-split",
                  "asm",
                  "--input",
                  toolMeta.toString(),
                  "--path",
                  tree.toString(),
                  "--output",
                  out + ".tool")
              - run("true");
      double c = assemble(meta, tree, out + ".cairn");
      if (i >= 0) {
        tool[i] = t;
        cairn[i] = c;
        speedup[i] = t / c;
      }
    }
    System.out.printf(
        "%.3f %.3f %.2f%n",
        ApplyTiming.median(tool), ApplyTiming.median(cairn), ApplyTiming.median(speedup));
  }

  private static double run(String... command) throws IOException {
    long t0 = System.nanoTime();
    try {
      int rc =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD) // the tool logs every run
              .start()
              .waitFor();
      if (rc != 0) {
        throw new IOException(command[0] + " exited with " + rc);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

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
          seconds[i] = assemble(Path.of(args[1]), Path.of(args[2]), args[3]);
          System.out.printf("run %d: %.3f s%n", i + 1, seconds[i]);
        }
        System.out.printf("median %.3f%n", ApplyTiming.median(seconds));
      }
      case "compare" -> compare(args);
      default ->
          throw new IllegalArgumentException(
              "usage: make DIR | assemble META TREE OUT [RUNS]"
                  + " | compare TOOL_META META TREE OUT RUNS");
    }
  }
}
