package dev.cairn.store;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.TagStore;
import dev.cairn.image.EngineImage;
import dev.cairn.image.GoTime;
import dev.cairn.image.Reference;
import dev.cairn.image.Schema1Config;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The views docker gives of an image (inspect, history, the images listing), made from the graph as
 * Docker 20.10 makes them from its image store: what a user sees never names a node that is only a
 * layer.
 */
final class ImageViews {
  private static final Comparator<Reference> DOCKER_ORDER =
      Comparator.comparing(Reference::toString); // docker sorts references by full name

  private final Store store;
  private final Graph graph;
  private final TagStore tags;
  // Whether each node is a throwaway v1 image, read once for all the views made here: a listing
  // meets each node of a Docker 1.9 chain once for every image above it.
  private final Map<String, Boolean> throwaways = new HashMap<>();
  // The node files these views read (json, v1Compatibility), for tests.
  int nodeFileReads;

  ImageViews(Store store, Graph graph, TagStore tags) {
    this.store = store;
    this.graph = graph;
    this.tags = tags;
  }

  ImageInspect inspect(Image img) throws IOException {
    EngineImage json = decode(img);
    boolean[] throwaway = throwaway(img.chain(), json.hasRootFs(), false);
    List<Digest> layers = new ArrayList<>();
    List<Digest> diffIds = store.diffIds(img);
    for (int i = 0; i < diffIds.size(); i++) {
      if (!throwaway[i]) {
        layers.add(diffIds.get(i));
      }
    }
    String comment = json.comment();
    if (comment.isEmpty() && !json.history().isEmpty()) {
      comment = json.history().getLast().comment(); // as docker: the last step's, when unset
    }
    return new ImageInspect(
        img.id(),
        sorted(img.tags()),
        sorted(img.digests()),
        parent(img, json),
        comment,
        json.created(),
        json.container(),
        json.containerConfig(),
        json.dockerVersion(),
        json.author(),
        json.config(),
        json.architecture(),
        json.variant(),
        json.os().isEmpty() ? "linux" : json.os(), // docker's own OS stands in for none
        json.osVersion(),
        size(img.chain(), throwaway),
        layers);
  }

  /**
   * The listing's view of the image made of {@code chain} (base first): from the nodes in memory
   * (created, parent, sizes, as the graph read them from the same JSON), the image's JSON read only
   * for its {@code labels} when asked.
   */
  ImageSummary summary(List<Node> chain, List<Reference> references, boolean labels)
      throws IOException {
    Node top = chain.getLast();
    Map<String, String> labelMap = null;
    if (labels) {
      EngineImage json = decode(top.id(), graph.rawJSON(top.id()));
      labelMap = json.config() == null ? null : json.config().labels();
    }
    return new ImageSummary(
        Digest.sha256Hex(top.id()),
        top.imageConfig() || top.parent() == null ? null : Digest.sha256Hex(top.parent()),
        sorted(references.stream().filter(r -> r.digest() == null).toList()),
        sorted(references.stream().filter(r -> r.digest() != null).toList()),
        top.created() == null ? GoTime.ZERO.toInstant() : top.created(),
        size(chain, throwaway(chain, top.imageConfig(), true)),
        labelMap);
  }

  /**
   * docker history: an image made by docker 1.10 or later lists the steps of its config's history,
   * and only the newest row names an image (the one asked about: the layers below are not images);
   * an image as Docker 1.9 kept it lists its chain, every row an image of its own.
   */
  List<HistoryEntry> history(Image img) throws IOException {
    EngineImage json = decode(img);
    if (!json.hasRootFs()) {
      return chainHistory(img, json);
    }
    List<HistoryEntry> out = new ArrayList<>();
    int layer = 0;
    for (EngineImage.History h : json.history()) {
      long size = 0;
      if (!h.emptyLayer()) {
        if (layer >= img.chain().size()) {
          throw CairnException.invalid(
              "image "
                  + img.top().id()
                  + ": its history has more steps that made a layer than the image has layers");
        }
        size = Math.max(0, img.chain().get(layer++).size());
      }
      out.addFirst(
          new HistoryEntry(
              null, h.created().toInstant(), h.createdBy(), List.of(), size, h.comment()));
    }
    if (!out.isEmpty()) {
      HistoryEntry newest = out.getFirst();
      out.set(
          0,
          new HistoryEntry(
              img.id(),
              newest.created(),
              newest.createdBy(),
              sorted(img.tags()),
              newest.size(),
              newest.comment()));
    }
    return out;
  }

  /**
   * Docker 1.9's history: each image of the chain, newest first, its command as the step; a
   * throwaway v1 image made no layer, as docker shows it.
   */
  private List<HistoryEntry> chainHistory(Image img, EngineImage top) throws IOException {
    boolean[] throwaway = throwaway(img.chain(), top.hasRootFs(), false);
    List<HistoryEntry> out = new ArrayList<>();
    for (int i = img.chain().size() - 1; i >= 0; i--) {
      Node n = img.chain().get(i);
      EngineImage json = n == img.top() ? top : decode(n.id(), graph.rawJSON(n.id()));
      List<String> cmd = json.containerConfig().cmd();
      out.add(
          new HistoryEntry(
              Digest.sha256Hex(n.id()),
              json.created().toInstant(),
              cmd == null ? "" : String.join(" ", cmd),
              sorted(tags.references(n.id()).stream().filter(r -> r.digest() == null).toList()),
              throwaway[i] ? 0 : Math.max(0, n.size()),
              json.comment()));
    }
    return out;
  }

  /**
   * Which nodes of the image are throwaway v1 images (a schema1 manifest's {@code "throwaway":
   * true}), whose layers docker leaves out of the image (ARCHITECTURE.md, Archives): only an image
   * as Docker 1.9 kept it has any, each known from its v1Compatibility, else from its JSON.
   *
   * @param forSize only the nodes that can change the image's size count: an empty layer adds
   *     nothing whether throwaway or not, and is left unread (false)
   */
  private boolean[] throwaway(List<Node> chain, boolean imageConfig, boolean forSize)
      throws IOException {
    boolean[] out = new boolean[chain.size()];
    if (imageConfig) {
      return out;
    }
    for (int i = 0; i < out.length; i++) {
      Node n = chain.get(i);
      if (!forSize || n.size() > 0) {
        out[i] = throwaway(n.id());
      }
    }
    return out;
  }

  private boolean throwaway(String id) throws IOException {
    Boolean known = throwaways.get(id);
    if (known == null) {
      Optional<byte[]> v1 = graph.v1Compatibility(id);
      nodeFileReads++;
      byte[] bytes = v1.isPresent() ? v1.get() : graph.rawJSON(id);
      nodeFileReads += v1.isPresent() ? 0 : 1;
      try {
        known = Schema1Config.throwaway(bytes);
      } catch (CairnException e) {
        throw e.in("image " + id);
      }
      throwaways.put(id, known);
    }
    return known;
  }

  /** The bytes of the files of every layer docker counts, base to top. */
  private static long size(List<Node> chain, boolean[] throwaway) {
    long total = 0;
    for (int i = 0; i < throwaway.length; i++) {
      if (!throwaway[i]) {
        total += Math.max(0, chain.get(i).size());
      }
    }
    return total;
  }

  /** Only an image as Docker 1.9 kept it has a parent; a config with rootfs is docker 1.10's. */
  private static Digest parent(Image img, EngineImage json) {
    String parent = img.top().parent();
    return json.hasRootFs() || parent == null ? null : Digest.sha256Hex(parent);
  }

  private static EngineImage decode(Image img) {
    return decode(img.top().id(), img.json());
  }

  private static EngineImage decode(String id, byte[] json) {
    try {
      return EngineImage.decode(json);
    } catch (CairnException e) {
      throw e.in("image " + id);
    }
  }

  private static List<Reference> sorted(List<Reference> refs) {
    return refs.stream().sorted(DOCKER_ORDER).toList();
  }
}
