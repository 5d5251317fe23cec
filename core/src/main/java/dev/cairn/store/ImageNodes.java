package dev.cairn.store;

import dev.cairn.CairnException;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.TagStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which nodes of the graph are images, as docker tells images from layers (ARCHITECTURE.md, Holds,
 * mounts and unfinished nodes): a node is an image when a name points at it, or when it is not
 * marked unfinished and no image config sits above it. The nodes below an image config are its
 * layers (its ChainID nodes, or what a load placed as such); a Docker 1.9-style chain (schema1
 * pulls, Docker 1.9 graphs and archives, imports) has no config and is images all the way down.
 * Made from memory: the graph's index (with its unfinished marks) and the tags.
 */
final class ImageNodes {
  private final Graph graph;
  private final Map<String, Node> nodes;
  private final Set<String> named;
  private final Set<String> layers = new HashSet<>();

  /** The nodes as they are now: the tags are read first, as a node commits before its name. */
  static ImageNodes of(Graph graph, TagStore tags) throws IOException {
    return of(graph, tags.byNode().keySet());
  }

  /** The nodes as they are now, {@code named} being every node a reference of the tags names. */
  static ImageNodes of(Graph graph, Set<String> named) throws IOException {
    graph.refresh();
    return new ImageNodes(graph, named);
  }

  private ImageNodes(Graph graph, Set<String> named) {
    this.graph = graph;
    this.nodes = graph.map();
    this.named = named;
    for (Node n : nodes.values()) {
      if (n.imageConfig()) {
        // Walk down until a node already seen: shared bases are walked once.
        for (String p = n.parent(); p != null && layers.add(p); ) {
          Node below = nodes.get(p);
          p = below == null ? null : below.parent();
        }
      }
    }
  }

  /** Whether the node {@code id} (full, known to the graph) is an image. */
  boolean isImage(String id) {
    return nodes.containsKey(id)
        && (named.contains(id) || !layers.contains(id) && !graph.isUnfinished(id));
  }

  /**
   * The images to list: with {@code all}, every image; else those named and those without children
   * (docker's dangling images), leaving out the images below others.
   */
  List<String> listed(boolean all) {
    Collection<String> candidates = nodes.keySet(); // a named node the graph lacks is no image
    if (!all) {
      // The nodes no other node stands on, from a set of parents: cheaper than the graph's
      // children, which a listing does not need.
      Set<String> parents = HashSet.newHashSet(nodes.size());
      for (Node n : nodes.values()) {
        if (n.parent() != null) {
          parents.add(n.parent());
        }
      }
      Set<String> some = new HashSet<>(named);
      for (String id : nodes.keySet()) {
        if (!parents.contains(id)) {
          some.add(id);
        }
      }
      candidates = some;
    }
    List<String> out = new ArrayList<>();
    for (String id : candidates) {
      if (isImage(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * The image a full or short ID (lowercase hex, without {@code sha256:}) names: only images count,
   * so a layer's ID is no image's, and a prefix that a layer shares still names its one image.
   *
   * @throws CairnException INVALID for a prefix that several images share
   */
  Optional<String> byId(String hex) {
    if (hex.length() == 64) {
      return isImage(hex) ? Optional.of(hex) : Optional.empty();
    }
    List<String> matches = new ArrayList<>();
    for (String id : nodes.keySet()) {
      if (id.startsWith(hex) && isImage(id)) {
        matches.add(id);
      }
    }
    if (matches.size() > 1) {
      throw CairnException.invalid(
          "ambiguous ID prefix " + hex + ": matches " + matches.size() + " images");
    }
    return matches.stream().findFirst();
  }
}
