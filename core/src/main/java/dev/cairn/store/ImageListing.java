package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.NodeFacts;
import dev.cairn.graph.TagStore;
import dev.cairn.image.Reference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The images listing (docker images), made from the graph index and the tags alone: no node's files
 * are read, and each cost is paid once (the references by image, a chain's size summed once per
 * node and shared by every image above it). An image whose JSON the index could not decode is made
 * the long way ({@link ImageViews#summary}), which reports it as docker would.
 */
final class ImageListing {
  private final Store store;
  private final Graph graph;
  private final Map<String, Node> nodes;
  private final ImageNodes images;
  private final Map<String, List<Reference>> references;
  private final Map<String, Long> allSizes = new HashMap<>(); // every layer, base to node
  private final Map<String, Long> keptSizes = new HashMap<>(); // throwaway layers left out

  ImageListing(Store store, Graph graph, TagStore tags) throws IOException {
    this.store = store;
    this.graph = graph;
    this.references = tags.byNode(); // read before the graph: a node commits before its name
    this.images = ImageNodes.of(graph, references.keySet());
    this.nodes = graph.map();
  }

  /** The tops of the images to list ({@link ImageNodes#listed}), newest first. */
  List<Node> listed(boolean all) {
    List<Node> out = new ArrayList<>();
    for (String id : images.listed(all)) {
      Node n = nodes.get(id);
      if (n != null) {
        out.add(n);
      }
    }
    out.sort(
        (a, b) -> {
          int byTime = compareNullable(b.created(), a.created());
          return byTime != 0 ? byTime : a.id().compareTo(b.id());
        });
    return out;
  }

  /** The references that name the node, in the tags file's order. */
  List<Reference> references(String id) {
    return references.getOrDefault(id, List.of());
  }

  List<ImageSummary> summaries(boolean all) throws IOException {
    List<ImageSummary> out = new ArrayList<>();
    ImageViews views = null;
    for (Node top : listed(all)) {
      NodeFacts facts = graph.facts(top.id()).orElse(null);
      Long size = facts == null ? null : size(top);
      if (size == null) {
        views = views == null ? store.views() : views;
        out.add(views.summary(store.image(top)));
        continue;
      }
      List<Reference> refs = references(top.id());
      List<Reference> repoTags = List.of();
      List<Reference> repoDigests = List.of();
      if (!refs.isEmpty()) { // most images of a big store have no name: no streams for them
        repoTags = ImageViews.sorted(refs.stream().filter(r -> r.digest() == null).toList());
        repoDigests = ImageViews.sorted(refs.stream().filter(r -> r.digest() != null).toList());
      }
      out.add(
          new ImageSummary(
              Digest.sha256Hex(top.id()),
              top.imageConfig() || top.parent() == null ? null : Digest.sha256Hex(top.parent()),
              repoTags,
              repoDigests,
              facts.created(),
              size,
              facts.labels()));
    }
    return out;
  }

  /**
   * The image's size as docker counts it: every layer below an image config; in a Docker 1.9-style
   * chain, every layer but those of throwaway images. Null when a node's facts are unknown.
   */
  private Long size(Node top) throws IOException {
    return top.imageConfig() ? sum(top, allSizes, false) : sum(top, keptSizes, true);
  }

  // Walks down to the first node already summed, then sums back up, remembering each node's total.
  private Long sum(Node top, Map<String, Long> memo, boolean leaveOutThrowaway) throws IOException {
    List<Node> path = new ArrayList<>();
    long below = 0;
    for (Node n = top; n != null; ) {
      Long known = memo.get(n.id());
      if (known != null) {
        below = known;
        break;
      }
      path.add(n);
      n = n.parent() == null ? null : nodes.get(n.parent());
    }
    for (Node n : path.reversed()) {
      long own = n.size() < 0 ? graph.get(n.id()).size() : n.size(); // computed once, then kept
      if (leaveOutThrowaway) {
        NodeFacts f = graph.facts(n.id()).orElse(null);
        if (f == null) {
          return null;
        }
        own = f.throwaway() ? 0 : own;
      }
      below += Math.max(0, own);
      memo.put(n.id(), below);
    }
    return below;
  }

  private static <T extends Comparable<T>> int compareNullable(T a, T b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return a.compareTo(b);
  }
}
