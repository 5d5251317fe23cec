package dev.cairn.tarexport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.distribution.ConfigNodes;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.NodeSpec;
import dev.cairn.graph.TagStore;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.Reference;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A vfs store in a test directory, and ways to fill it as a pull would. */
final class Stores implements AutoCloseable {
  final Path root;
  final Graph graph;
  final TagStore tags;

  Stores(Path root) throws IOException {
    this.root = root;
    this.graph = Graph.open(root, Drivers.open(root, "vfs", DriverOptions.defaults()));
    this.tags = TagStore.open(graph);
  }

  /** What a test compares before and after a failed load: every node with its parent, and tags. */
  record Snapshot(Map<String, String> nodes, Map<String, String> tags, List<String> temp) {}

  Snapshot snapshot() throws IOException {
    Map<String, String> nodes = new TreeMap<>();
    for (Node n : graph.map().values()) {
      nodes.put(n.id(), String.valueOf(n.parent()));
    }
    Map<String, String> t = new TreeMap<>();
    tags.all().forEach((ref, id) -> t.put(ref.toString(), id));
    List<String> temp;
    try (Stream<Path> s = Files.list(graph.tempDirectory())) {
      temp = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
    return new Snapshot(nodes, t, temp);
  }

  /**
   * Registers an image as a schema2 pull would (ARCHITECTURE.md, ChainID nodes) and returns its
   * config.
   */
  ImageConfigFile pulled(List<byte[]> layers, String tag) throws IOException {
    StringBuilder diffIds = new StringBuilder();
    StringBuilder history = new StringBuilder();
    for (int i = 0; i < layers.size(); i++) {
      diffIds.append(i > 0 ? "," : "").append('"').append(Digest.sha256(layers.get(i))).append('"');
      history
          .append(i > 0 ? "," : "")
          .append("{\"created\":\"2024-03-0")
          .append(i + 1)
          .append("T10:00:00Z\",\"created_by\":\"step ")
          .append(i)
          .append("\"}");
    }
    byte[] config =
        ("{\"architecture\":\"amd64\",\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"]},"
                + "\"created\":\"2024-03-09T10:00:00Z\",\"os\":\"linux\","
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + diffIds
                + "]},\"history\":["
                + history
                + "]}")
            .getBytes(StandardCharsets.UTF_8);
    ImageConfigFile parsed = ImageConfigFile.parse(config);
    List<ConfigNodes.ConfigNode> nodes = ConfigNodes.plan(graph, parsed).nodes();
    for (int i = 0; i < nodes.size(); i++) {
      ConfigNodes.ConfigNode n = nodes.get(i);
      if (!n.exists()) {
        graph.register(
            NodeSpec.of(n.id(), n.parent(), n.json()), new ByteArrayInputStream(layers.get(i)));
      }
    }
    if (tag != null) {
      tags.tag(Reference.parse(tag), parsed.digest().hex(), false);
    }
    return parsed;
  }

  /** The node's layer tar, rebuilt. */
  byte[] layer(String id) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    graph.tarLayer(id, out);
    return out.toByteArray();
  }

  /** The node IDs of the image whose top is {@code top}, base first. */
  List<String> chain(String top) throws IOException {
    List<String> out = new ArrayList<>();
    for (String id = top; id != null; id = graph.get(id).parent()) {
      out.add(id);
    }
    return out.reversed();
  }

  byte[] save(String... names) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new Saver(graph, tags).save(List.of(names), out);
    return out.toByteArray();
  }

  LoadResult load(byte[] archive) throws IOException {
    return new Loader(graph, tags).load(new ByteArrayInputStream(archive));
  }

  /**
   * Loads {@code archive} through a pipe that holds back its last {@code 1024} bytes (the
   * end-of-archive marker) until the graph holds {@code nodes} nodes: a load that registers layers
   * while the archive streams in gets them, one that keeps the layers until the end fails the test.
   */
  LoadResult loadWhileStreaming(byte[] archive, int nodes) throws Exception {
    PipedOutputStream feed = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(feed, 1 << 16);
    CompletableFuture<Integer> seen = new CompletableFuture<>();
    Thread feeder =
        Thread.ofPlatform()
            .start(
                () -> {
                  try (feed) {
                    feed.write(archive, 0, archive.length - 1024);
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (graph.map().size() < nodes && System.nanoTime() < deadline) {
                      Thread.sleep(5);
                    }
                    seen.complete(graph.map().size());
                    feed.write(archive, archive.length - 1024, 1024);
                  } catch (IOException | InterruptedException e) {
                    seen.completeExceptionally(e);
                  }
                });
    try {
      LoadResult r = new Loader(graph, tags).load(in);
      assertThat(seen.get()).as("nodes in the graph before the archive ended").isEqualTo(nodes);
      return r;
    } finally {
      feeder.join();
    }
  }

  @Override
  public void close() throws IOException {
    graph.close();
    graph.driver().close();
  }
}
