package dev.cairn.distribution;

import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.V1Chain;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.Reference;
import dev.cairn.image.Schema1Writer;
import dev.cairn.image.TrustKey;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.registry.BlobSource;
import dev.cairn.registry.Registry;
import dev.cairn.registry.UploadListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The signed schema1 manifest of a push with {@code --format v2s1}, once the layers are in. A v1
 * chain (an image pulled as schema1, or one of a Docker 1.9 graph or archive) gets one step per
 * node as Docker 1.9 pushed it: the node's v1Compatibility ({@link V1Chain}) and the blob its layer
 * went as, so that when those are the blobs it was pulled from, a pull of the push gives the same
 * strong IDs. An image with a config gets the steps Docker 1.10 made of the config ({@link
 * Schema1Writer}). Signed with the store's key ({@code ROOT/trust/key.json}, made on first use).
 */
final class Schema1Push {
  private Schema1Push() {}

  /**
   * The manifest of {@code image} for {@code ref}, its layers having gone as {@code blobs}; the
   * blobs of steps without a layer that the repository lacks are uploaded first. No config blob is
   * sent: schema1 has none.
   */
  static byte[] manifest(
      Graph graph, Registry registry, Reference ref, PushImage image, PushManifest.Blob[] blobs)
      throws IOException {
    String repo = ref.path();
    List<Schema1Writer.Entry> entries =
        image.v1Chain() ? chain(graph, registry, repo, image, blobs) : null;
    if (entries == null) {
      List<Digest> layers = new ArrayList<>(blobs.length);
      for (PushManifest.Blob b : blobs) {
        layers.add(b.digest());
      }
      entries = Schema1Writer.fromConfig(image.config(), layers);
    }
    if (entries.stream().anyMatch(e -> e.blobSum().equals(Schema1Writer.EMPTY_LAYER))
        && registry.blobSize(repo, Schema1Writer.EMPTY_LAYER).isEmpty()) {
      registry.uploadBlob(repo, BlobSource.of(Schema1Writer.emptyLayer()), UploadListener.NONE);
    }
    String architecture = ImageConfigFile.parse(image.config()).architecture();
    byte[] payload = Schema1Writer.payload(repo, ref.tag(), architecture, entries);
    TrustKey key = TrustKey.loadOrCreate(graph.root().resolve("trust").resolve("key.json"));
    return key.sign(payload, Instant.now());
  }

  /**
   * One step per node of the chain, base first; null when two nodes have one v1 ID (nodes shared
   * between images pulled from manifests that disagree), which no pull would take as a chain.
   */
  private static List<Schema1Writer.Entry> chain(
      Graph graph, Registry registry, String repo, PushImage image, PushManifest.Blob[] blobs)
      throws IOException {
    List<Node> nodes = new ArrayList<>();
    for (Node n = graph.get(image.topNodeId());
        n != null;
        n = n.parent() == null ? null : graph.get(n.parent())) {
      nodes.add(n);
    }
    nodes = nodes.reversed();
    Map<String, Integer> layerAt = new HashMap<>();
    for (int i = 0; i < image.layers().size(); i++) {
      layerAt.put(image.layers().get(i).id(), i);
    }
    List<byte[]> v1s = V1Chain.of(graph, nodes);
    Set<String> ids = new HashSet<>();
    List<Schema1Writer.Entry> out = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (!(Json.parseObject(v1s.get(i), "v1Compatibility").get("id") instanceof JsonString id)
          || !ids.add(id.value())) {
        return null;
      }
      Integer at = layerAt.get(n.id());
      Digest blob = at != null ? blobs[at].digest() : throwaway(graph, registry, repo, n);
      out.add(new Schema1Writer.Entry(blob, new String(v1s.get(i), StandardCharsets.UTF_8)));
    }
    return out;
  }

  /**
   * The blob of a node docker keeps no layer of (a throwaway step): the one it was pulled from when
   * the repository has it or a pull kept it, else the gzipped empty tar, which is what such a step
   * holds.
   */
  private static Digest throwaway(Graph graph, Registry registry, String repo, Node n)
      throws IOException {
    Digest d = n.layerDigest();
    if (d == null || d.equals(Schema1Writer.EMPTY_LAYER)) {
      return Schema1Writer.EMPTY_LAYER;
    }
    if (registry.blobSize(repo, d).isPresent()) {
      return d;
    }
    Optional<Path> kept = graph.blobs().path(d);
    if (kept.isPresent()) {
      registry.uploadBlob(repo, BlobSource.of(kept.get(), d), UploadListener.NONE);
      return d;
    }
    return Schema1Writer.EMPTY_LAYER;
  }
}
