package dev.cairn.bench;

import dev.cairn.archive.ApplyOptions;
import dev.cairn.archive.Layer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Times cairn's layer apply beside GNU tar: {@code ApplyTiming TAR SCRATCH_DIR RUNS} extracts TAR
 * into fresh directories under SCRATCH_DIR, alternating {@code tar -x} (a child process) and cairn
 * (in this JVM), so that both meet the same machine load; two warm-up rounds come first. The cost
 * of starting a child process (timed with {@code true} in each round) is taken off tar's time, so
 * the comparison errs in tar's favour. Prints the median milliseconds of each and the median of the
 * per-round ratios cairn / tar.
 */
public final class ApplyTiming {
  private ApplyTiming() {}

  public static void main(String[] args) throws Exception {
    Path tar = Path.of(args[0]);
    Path scratch = Path.of(args[1]);
    int runs = Integer.parseInt(args[2]);
    double[] tarMs = new double[runs];
    double[] cairnMs = new double[runs];
    double[] ratios = new double[runs];
    for (int i = -2; i < runs; i++) {
      double t = timeTar(tar, scratch.resolve("tar-" + (i + 2))) - timeSpawn();
      double c = timeCairn(tar, scratch.resolve("cairn-" + (i + 2)));
      if (i >= 0) {
        tarMs[i] = t;
        cairnMs[i] = c;
        ratios[i] = c / t;
      }
    }
    System.out.printf("%.0f %.0f %.2f%n", median(tarMs), median(cairnMs), median(ratios));
  }

  private static double timeTar(Path tar, Path dest) throws IOException, InterruptedException {
    Files.createDirectories(dest);
    long start = System.nanoTime();
    int rc =
        new ProcessBuilder("tar", "-x", "-f", tar.toString(), "-C", dest.toString())
            .inheritIO()
            .start()
            .waitFor();
    long elapsed = System.nanoTime() - start;
    if (rc != 0) {
      throw new IOException("tar -x exited with " + rc);
    }
    remove(dest);
    return elapsed / 1e6;
  }

  private static double timeSpawn() throws IOException, InterruptedException {
    long start = System.nanoTime();
    new ProcessBuilder("true").inheritIO().start().waitFor();
    return (System.nanoTime() - start) / 1e6;
  }

  private static double timeCairn(Path tar, Path dest) throws IOException, InterruptedException {
    Files.createDirectories(dest);
    long start = System.nanoTime();
    try (InputStream in = Files.newInputStream(tar)) {
      Layer.apply(in, dest, ApplyOptions.defaults());
    }
    long elapsed = System.nanoTime() - start;
    remove(dest);
    return elapsed / 1e6;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static void remove(Path dir) throws IOException, InterruptedException {
    new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start().waitFor();
  }
}
