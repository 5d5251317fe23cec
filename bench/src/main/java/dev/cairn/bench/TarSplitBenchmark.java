package dev.cairn.bench;

import dev.cairn.archive.LayerFiles;
import dev.cairn.tarsplit.TarSplit;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

/** tar-split assemble and disassemble of a 64 MiB one-file layer and a 30,000-file layer. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TarSplitBenchmark {
  @Param({"big", "small-files"})
  public String layer;

  private Path dir;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Layer.scratch();
    Layer.make(dir, layer, layer.equals("big"));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    Layer.delete(dir);
  }

  @Benchmark
  public long assemble() throws IOException {
    try (InputStream meta = Files.newInputStream(dir.resolve(layer + ".json.gz"));
        LayerFiles files = LayerFiles.open(dir.resolve(layer))) {
      return TarSplit.assemble(meta, files, OutputStream.nullOutputStream());
    }
  }

  @Benchmark
  public long disassemble() throws IOException {
    try (InputStream tar =
        new BufferedInputStream(Files.newInputStream(dir.resolve(layer + ".tar")), 1 << 16)) {
      return TarSplit.disassemble(
          tar,
          OutputStream.nullOutputStream(),
          (e, p) -> p.transferTo(OutputStream.nullOutputStream()));
    }
  }
}
