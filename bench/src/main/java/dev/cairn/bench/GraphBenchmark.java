package dev.cairn.bench;

import dev.cairn.digest.Digest;
import dev.cairn.driver.Driver;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The graph's in-memory reads on a large store: {@code nodes} nodes in chains of five (so a fifth
 * of them are heads), written straight to disk in Docker 1.9's layout and opened once. The open
 * time and the first (uncached) heads() and byParent() are printed by the setup; later calls return
 * the views cached until the next change.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GraphBenchmark {
  private static final int CHAIN = 5;

  @Param({"100000"})
  public int nodes;

  private Path root;
  private Driver driver;
  private Graph graph;
  private String[] ids;
  private String[] prefixes;
  private int next;

  @Setup(Level.Trial)
  public void populate() throws IOException {
    root = Files.createTempDirectory("cairn-graph-bench");
    Random random = new Random(1);
    HexFormat hex = HexFormat.of();
    ids = new String[nodes];
    Path graphDir = Files.createDirectories(root.resolve("graph"));
    Path layers = Files.createDirectories(root.resolve("vfs/dir"));
    for (int i = 0; i < nodes; i++) {
      byte[] b = new byte[32];
      random.nextBytes(b);
      ids[i] = hex.formatHex(b);
      String parent = i % CHAIN == 0 ? null : ids[i - 1];
      Path dir = Files.createDirectory(graphDir.resolve(ids[i]));
      Files.writeString(
          dir.resolve("json"),
          "{\"id\":\""
              + ids[i]
              + (parent == null ? "" : "\",\"parent\":\"" + parent)
              + "\",\"created\":\"2015-11-20T10:00:00Z\",\"container_config\":{}}");
      Files.writeString(dir.resolve("layersize"), Integer.toString(i));
      Files.writeString(
          dir.resolve("diffid"),
          Digest.sha256(ids[i].getBytes(StandardCharsets.US_ASCII)).toString());
      Files.createDirectory(layers.resolve(ids[i]));
    }
    driver = Drivers.open(root, "vfs", DriverOptions.defaults());
    long start = System.nanoTime();
    graph = Graph.open(root, driver);
    System.out.printf(
        "%nopened %d nodes in %d ms%n",
        graph.map().size(), (System.nanoTime() - start) / 1_000_000);
    start = System.nanoTime();
    int heads = graph.heads().size();
    long headsMicros = (System.nanoTime() - start) / 1000;
    start = System.nanoTime();
    int parents = graph.byParent().size();
    System.out.printf(
        "first heads(): %d heads in %d us; first byParent(): %d parents in %d us%n",
        heads, headsMicros, parents, (System.nanoTime() - start) / 1000);
    prefixes = new String[1024];
    for (int i = 0; i < prefixes.length; i++) {
      prefixes[i] = ids[random.nextInt(nodes)].substring(0, 12);
    }
  }

  @TearDown(Level.Trial)
  public void remove() throws IOException {
    graph.close();
    driver.close();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  public Map<String, Node> heads() {
    return graph.heads();
  }

  @Benchmark
  public Node getByPrefix() throws IOException {
    return graph.get(prefixes[next++ & (prefixes.length - 1)]);
  }

  @Benchmark
  public Map<String, List<Node>> byParent() {
    return graph.byParent();
  }
}
