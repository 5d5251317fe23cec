package dev.cairn.bench;

import dev.cairn.archive.ApplyOptions;
import dev.cairn.archive.ApplyResult;
import dev.cairn.archive.Layer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Layer apply of a 64 MiB single-file layer and of a 30,000-file layer, into tmpfs when {@code
 * /dev/shm} exists. Each invocation extracts into a new empty directory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ApplyBenchmark {
  @Param({"big-file", "small-files"})
  public String layer;

  Path work;
  Path tar;
  Path dest;
  int run;

  @Setup(Level.Trial)
  public void makeLayer() throws IOException {
    Path shm = Path.of("/dev/shm");
    work = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of("/tmp"), "cairn-jmh");
    tar = layer.equals("big-file") ? SampleLayers.bigFile(work) : SampleLayers.smallFiles(work);
  }

  @Setup(Level.Invocation)
  public void freshDestination() throws IOException {
    dest = Files.createDirectory(work.resolve("dest-" + run++));
  }

  @TearDown(Level.Invocation)
  public void removeDestination() throws Exception {
    ApplyTiming.remove(dest);
  }

  @TearDown(Level.Trial)
  public void removeWork() throws Exception {
    ApplyTiming.remove(work);
  }

  @Benchmark
  public ApplyResult apply() throws IOException {
    try (InputStream in = Files.newInputStream(tar)) {
      return Layer.apply(in, dest, ApplyOptions.defaults());
    }
  }
}
