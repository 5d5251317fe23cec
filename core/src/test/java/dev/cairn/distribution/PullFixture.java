package dev.cairn.distribution;

import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.graph.Graph;
import dev.cairn.image.Reference;
import dev.cairn.registry.FaultProxy;
import dev.cairn.registry.Registry;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.registry.RetryPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store (vfs graph unless told otherwise, in-memory tags) and a puller that reaches the registry
 * through a proxy.
 */
final class PullFixture implements AutoCloseable {
  static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(20));

  final Path root;
  final Graph graph;
  final Map<Reference, String> tags = new ConcurrentHashMap<>();
  final Puller puller;

  PullFixture(Path root) throws IOException {
    this(root, options -> options);
  }

  /** A fixture whose registry options are the fast defaults changed by {@code tune}. */
  PullFixture(Path root, java.util.function.UnaryOperator<RegistryOptions> tune)
      throws IOException {
    this(root, "vfs", tune);
  }

  /** A fixture on the storage driver {@code driver}. */
  PullFixture(Path root, String driver, java.util.function.UnaryOperator<RegistryOptions> tune)
      throws IOException {
    this.root = root;
    this.graph = Graph.open(root, Drivers.open(root, driver, DriverOptions.defaults()));
    this.puller =
        new Puller(
            graph,
            (r, id, move) -> move ? !id.equals(tags.put(r, id)) : tags.putIfAbsent(r, id) == null,
            host ->
                Registry.open(
                    host,
                    tune.apply(
                        RegistryOptions.defaults()
                            .withRetry(FAST)
                            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2)))));
  }

  /** Blob GETs the proxy saw, by blob digest hex prefix. */
  static long blobGets(FaultProxy proxy, String digestHex) {
    return proxy.seen.stream()
        .filter(s -> s.method().equals("GET") && s.path().contains("/blobs/sha256:" + digestHex))
        .count();
  }

  static long allBlobGets(FaultProxy proxy, List<String> configHexes) {
    return proxy.seen.stream()
        .filter(s -> s.method().equals("GET") && s.path().contains("/blobs/"))
        .filter(s -> configHexes.stream().noneMatch(c -> s.path().endsWith(c)))
        .count();
  }

  @Override
  public void close() throws IOException {
    puller.close();
    graph.close();
    graph.driver().close();
  }
}
