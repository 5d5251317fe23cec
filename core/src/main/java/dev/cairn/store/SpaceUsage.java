package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.image.ChainId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts a store's disk use as dockerd 20.10 does for {@code system df}: a layer is shared when
 * more than one listed image uses it, and the total counts each layer once. Images below others
 * (intermediate images of a Docker 1.9-style chain) are not listed, but their layers count through
 * the images above them.
 */
final class SpaceUsage {
  private SpaceUsage() {}

  static DiskUsage of(Store store, Graph graph, ImageViews views) throws IOException {
    List<Image> images = store.images(false);
    List<Map<String, Long>> layersOf = new ArrayList<>();
    Map<String, Integer> users = new HashMap<>();
    Map<String, Long> sizes = new HashMap<>();
    for (Image img : images) {
      Map<String, Long> layers = layers(views.countedLayers(img));
      layersOf.add(layers);
      layers.forEach(
          (key, size) -> {
            users.merge(key, 1, Integer::sum);
            sizes.put(key, size);
          });
    }
    List<ImageUsage> out = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      long shared = 0;
      for (Map.Entry<String, Long> layer : layersOf.get(i).entrySet()) {
        if (users.get(layer.getKey()) > 1) {
          shared += layer.getValue();
        }
      }
      Image img = images.get(i);
      out.add(new ImageUsage(views.summary(img), shared, graph.mounts().count(img.top().id())));
    }
    long total = sizes.values().stream().mapToLong(Long::longValue).sum();
    // Kept blobs count with the images: SIZE holds them, and they are reclaimable unless an
    // active image's layer is theirs.
    List<Digest> kept = graph.blobs().list();
    long keptSize = 0;
    long inUse = 0;
    if (!kept.isEmpty()) {
      java.util.Set<Digest> active = new java.util.HashSet<>();
      for (int i = 0; i < images.size(); i++) {
        if (out.get(i).mounts() > 0) {
          images.get(i).chain().forEach(n -> active.add(n.layerDigest()));
        }
      }
      for (Digest d : kept) {
        long size = graph.blobs().path(d).map(SpaceUsage::size).orElse(0L);
        keptSize += size;
        inUse += active.contains(d) ? size : 0;
      }
    }
    return new DiskUsage(out, total, sizes.size(), kept.size(), keptSize, inUse);
  }

  private static long size(java.nio.file.Path p) {
    try {
      return java.nio.file.Files.size(p);
    } catch (IOException e) {
      return 0; // removed meanwhile
    }
  }

  /**
   * Each layer's size by the key docker counts it under, its ChainID: the same layers hold the same
   * files whichever node holds them (an image config's node holds its top layer, which another
   * image may hold in a ChainID node). A node whose DiffID is not recorded yet (a Docker 1.9 graph)
   * makes its image's layers count by node ID, rather than hash every layer to find out.
   */
  private static Map<String, Long> layers(List<Node> nodes) {
    Map<String, Long> out = new LinkedHashMap<>();
    List<Digest> diffIds = new ArrayList<>();
    for (Node n : nodes) {
      diffIds.add(n.diffId());
    }
    List<String> keys =
        diffIds.contains(null)
            ? nodes.stream().map(Node::id).toList()
            : ChainId.of(diffIds).stream().map(Digest::hex).toList();
    for (int i = 0; i < nodes.size(); i++) {
      out.put(keys.get(i), Math.max(0, nodes.get(i).size()));
    }
    return out;
  }
}
