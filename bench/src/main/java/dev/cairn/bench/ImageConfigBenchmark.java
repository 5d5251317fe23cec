package dev.cairn.bench;

import dev.cairn.digest.Digest;
import dev.cairn.image.ImageConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * imageConfig plus SHA-256 of a typical v1Compatibility (the published Docker 1.9 cases: post1.9 is
 * hashed as written, pre1.9 takes the re-encoding fallback). Throughput on one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ImageConfigBenchmark {

  /** The two published cases, and post1.9 grown with labels to a typical 2 KiB. */
  @Param({"post1.9", "pre1.9", "post1.9-2KiB"})
  public String vector;

  private byte[] v1;
  private Digest layer;
  private Digest parent;

  @Setup
  public void load() throws IOException {
    v1 = resource("v1compatibility");
    if (vector.endsWith("-2KiB")) {
      String text = new String(v1, java.nio.charset.StandardCharsets.UTF_8);
      StringBuilder labels = new StringBuilder();
      for (int i = 0; text.length() + labels.length() < 2048; i++) {
        labels
            .append(i == 0 ? "" : ",")
            .append("\"org.example.label")
            .append(i)
            .append("\":\"value ")
            .append(i)
            .append('"');
      }
      text = text.replace("\"Labels\":null}", "\"Labels\":{" + labels + "}}");
      v1 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    layer = Digest.parse(new String(resource("layer_id")).strip());
    parent = Digest.parse(new String(resource("parent_id")).strip());
  }

  private byte[] resource(String file) throws IOException {
    String dir = vector.replace("-2KiB", "");
    try (InputStream in = getClass().getResourceAsStream("/strongid/" + dir + "/" + file)) {
      return in.readAllBytes();
    }
  }

  @Benchmark
  public Digest strongId() {
    return ImageConfig.strongId(v1, layer, parent);
  }
}
