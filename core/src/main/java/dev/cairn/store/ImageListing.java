package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.NodeTable;
import dev.cairn.graph.TagStore;
import dev.cairn.image.Reference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The images listing (docker images), made from the graph's {@link NodeTable} and the tags alone:
 * no node's files are read, no map is made of the nodes, and each cost is paid once (a chain's size
 * is summed once per node and shared by every image above it). Which nodes are images follows
 * {@link ImageNodes}'s rule, over node numbers. An image whose JSON the index could not decode is
 * made the long way ({@link ImageViews#summary}), which reports it as docker would.
 */
final class ImageListing {
  private final Store store;
  private final Graph graph;
  private final NodeTable table;
  private final Map<String, List<Reference>> references;
  private final boolean[] named;
  private final boolean[] layer; // below an image config
  private long[] allSizes; // every layer, base to node; -1 until summed
  private long[] keptSizes; // throwaway layers left out

  ImageListing(Store store, Graph graph, TagStore tags) throws IOException {
    this.store = store;
    this.graph = graph;
    this.references = tags.byNode(); // read before the graph: a node commits before its name
    this.table = graph.table();
    int n = table.size();
    named = new boolean[n];
    for (String id : references.keySet()) {
      int i = table.find(id);
      if (i >= 0) {
        named[i] = true;
      }
    }
    layer = new boolean[n];
    for (int i = 0; i < n; i++) {
      if (table.exists(i) && table.imageConfig(i)) {
        // Walk down until a node already marked: shared bases are walked once.
        for (int p = table.parent(i); p >= 0 && !layer[p]; p = table.parent(p)) {
          layer[p] = true;
        }
      }
    }
  }

  /** The IDs of the images to list ({@link ImageNodes#listed}), newest first. */
  List<String> listed(boolean all) {
    int[] out = numbers(all, false);
    List<String> ids = new ArrayList<>(out.length);
    for (int i : out) {
      ids.add(table.id(i));
    }
    return ids;
  }

  /**
   * The images to list, newest first; with {@code heads}, only those no other node stands on
   * (dockerd's heads, where {@code dangling=true} looks), named or not.
   */
  private int[] numbers(boolean all, boolean heads) {
    int n = table.size();
    boolean[] parent = new boolean[n];
    if (!all || heads) { // the nodes no other node stands on
      for (int i = 0; i < n; i++) {
        if (table.exists(i) && table.parent(i) >= 0) {
          parent[table.parent(i)] = true;
        }
      }
    }
    Integer[] picked = new Integer[table.nodes()];
    int count = 0;
    for (int i = 0; i < n; i++) {
      boolean listed = heads ? !parent[i] : all || named[i] || !parent[i];
      if (table.exists(i) && listed && isImage(i)) {
        picked[count++] = i;
      }
    }
    Arrays.sort(
        picked,
        0,
        count,
        (a, b) -> {
          int byTime = table.compareCreated(a, b);
          return byTime != 0 ? byTime : table.id(a).compareTo(table.id(b));
        });
    int[] out = new int[count];
    for (int k = 0; k < count; k++) {
      out[k] = picked[k];
    }
    return out;
  }

  private boolean isImage(int i) {
    return named[i] || !layer[i] && !table.unfinished(i);
  }

  /** The references that name the node, in the tags file's order. */
  List<Reference> references(String id) {
    return references.getOrDefault(id, List.of());
  }

  List<ImageSummary> summaries(boolean all) throws IOException {
    return summaries(all, false);
  }

  /** As {@link #summaries(boolean)}; with {@code heads}, of the images {@link #numbers} gives. */
  List<ImageSummary> summaries(boolean all, boolean heads) throws IOException {
    List<ImageSummary> out = new ArrayList<>();
    ImageViews views = null;
    for (int top : numbers(all, heads)) {
      String id = table.id(top);
      long size = table.hasFacts(top) ? size(top) : -1;
      if (size < 0) {
        views = views == null ? store.views() : views;
        out.add(views.summary(store.image(id)));
        continue;
      }
      List<Reference> refs = references(id);
      List<Reference> repoTags = List.of();
      List<Reference> repoDigests = List.of();
      if (refs.size() == 1) { // the common case, cheaply: one tag or one digest
        repoTags = refs.getFirst().digest() == null ? refs : List.of();
        repoDigests = refs.getFirst().digest() == null ? List.of() : refs;
      } else if (!refs.isEmpty()) {
        repoTags = ImageViews.sorted(refs.stream().filter(r -> r.digest() == null).toList());
        repoDigests = ImageViews.sorted(refs.stream().filter(r -> r.digest() != null).toList());
      }
      int parent = table.parent(top);
      out.add(
          new ImageSummary(
              Digest.sha256Hex(id),
              table.imageConfig(top) || parent < 0 ? null : Digest.sha256Hex(table.id(parent)),
              repoTags,
              repoDigests,
              table.shownCreated(top),
              size,
              table.labels(top)));
    }
    return out;
  }

  /**
   * The image's size as docker counts it: every layer below an image config; in a Docker 1.9-style
   * chain, every layer but those of throwaway images. -1 when a node's facts are unknown.
   */
  private long size(int top) throws IOException {
    if (table.imageConfig(top)) {
      allSizes = allSizes == null ? unsummed() : allSizes;
      return sum(top, allSizes, false);
    }
    keptSizes = keptSizes == null ? unsummed() : keptSizes;
    return sum(top, keptSizes, true);
  }

  private long[] unsummed() {
    long[] sums = new long[table.size()];
    Arrays.fill(sums, -1);
    return sums;
  }

  // Walks down to the first node already summed, then sums back up, remembering each node's total.
  private long sum(int top, long[] memo, boolean leaveOutThrowaway) throws IOException {
    List<Integer> path = new ArrayList<>();
    long below = 0;
    for (int n = top; n >= 0; n = table.parent(n)) {
      if (memo[n] >= 0) {
        below = memo[n];
        break;
      }
      path.add(n);
    }
    for (int n : path.reversed()) {
      long own = table.layerSize(n);
      if (own < 0) {
        own = graph.get(table.id(n)).size(); // computed once, then kept
      }
      if (leaveOutThrowaway) {
        if (!table.hasFacts(n)) {
          return -1;
        }
        own = table.throwaway(n) ? 0 : own;
      }
      below += Math.max(0, own);
      memo[n] = below;
    }
    return below;
  }
}
