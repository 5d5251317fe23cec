package dev.cairn.tarexport;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.TagStore;
import dev.cairn.image.ChainId;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.Reference;
import dev.cairn.image.Schema1Config;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.tar.TarEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes images as one tar that Docker's loaders of every era and skopeo's {@code docker-archive:}
 * read (ARCHITECTURE.md, Archives): {@code manifest.json}, {@code repositories} and the configs
 * first, so that a streaming loader knows every image before the layers arrive, then {@code
 * <id>/VERSION}, {@code <id>/json} and {@code <id>/layer.tar} for each node, base first, each node
 * once. Layers are rebuilt from tar-split straight into the output; nothing is staged. An image
 * whose IDs are not the ones its config gives (a schema1 pull's strong IDs, a Docker 1.9 image's)
 * is marked in manifest.json so that cairn's load keeps them ({@link LoadPlan}), with every node
 * listed where docker's {@code Layers} leaves a throwaway one out, and each node's v1Compatibility
 * beside its json; other tools pass over both.
 */
public final class Saver {
  private static final byte[] VERSION = "1.0".getBytes(StandardCharsets.US_ASCII);

  private final Graph graph;
  private final TagStore tags;

  public Saver(Graph graph, TagStore tags) {
    this.graph = graph;
    this.tags = tags;
  }

  /**
   * One image to write: its top node, the nodes base first, those whose layer its config lists (all
   * but a schema1 image's throwaway ones), its config and the tags it keeps; {@code legacyIds} when
   * its node IDs are not those its config gives (ARCHITECTURE.md, ChainID nodes), so that a load
   * must keep them ({@link LoadPlan}).
   */
  private record Image(
      String top,
      List<Node> chain,
      List<Node> layers,
      byte[] config,
      List<Reference> tags,
      boolean legacyIds) {}

  /**
   * Writes the images named by {@code names} to {@code out}, which is flushed but not closed. A
   * name is a reference ({@code alpine:3.20}: the tag is kept in the archive), or a full or short
   * image ID (written without a tag).
   *
   * @throws CairnException NOT_FOUND for a name that matches nothing; INVALID for a store whose
   *     config disagrees with its layers
   */
  public void save(List<String> names, OutputStream out) throws IOException {
    if (names.isEmpty()) {
      throw CairnException.invalid("nothing to save: name at least one image");
    }
    Map<String, List<Reference>> tops = new LinkedHashMap<>();
    for (String name : names) {
      Named n = resolve(name);
      List<Reference> refs = tops.computeIfAbsent(n.id(), k -> new ArrayList<>());
      if (n.tag() != null && !refs.contains(n.tag())) {
        refs.add(n.tag());
      }
    }
    List<String> ids = new ArrayList<>(tops.keySet());
    try (Graph.Hold hold = graph.retain(ids)) {
      List<Image> images = new ArrayList<>();
      for (Map.Entry<String, List<Reference>> e : tops.entrySet()) {
        images.add(image(e.getKey(), e.getValue()));
      }
      write(images, out);
    }
  }

  /**
   * What {@code save} writes of the image {@code id} (a node ID): its layer nodes base first (a
   * schema1 image's throwaway ones left out) and its config, the stored bytes of a config-typed
   * image or the config built from its v1 chain. A push sends the same.
   */
  public record Content(List<Node> layers, byte[] config, boolean configTyped) {}

  public Content content(String id) throws IOException {
    Image img = image(id, List.of());
    return new Content(img.layers(), img.config(), V1Forms.isConfig(id, graph.rawJSON(id)));
  }

  private record Named(String id, Reference tag) {}

  private Named resolve(String name) throws IOException {
    if (name.startsWith("sha256:") || isHex(name, 64)) {
      return new Named(graph.get(name).id(), null);
    }
    Reference ref = null;
    try {
      ref = Reference.parse(name);
    } catch (CairnException e) {
      // not a reference: perhaps a short ID
    }
    if (ref != null) {
      Optional<String> id = tags.resolve(ref);
      if (id.isPresent()) {
        return new Named(graph.get(id.get()).id(), ref.digest() == null ? ref : null);
      }
    }
    if (isHex(name, name.length()) && !name.isEmpty()) {
      return new Named(graph.get(name).id(), null);
    }
    throw CairnException.notFound("no such image: " + CairnException.quote(name));
  }

  private Image image(String top, List<Reference> refs) throws IOException {
    List<Node> chain = new ArrayList<>();
    for (String id = top; id != null; ) {
      Node n = graph.get(id);
      chain.add(n);
      id = n.parent();
    }
    chain = chain.reversed();
    List<Digest> diffIds = new ArrayList<>(chain.size());
    for (Node n : chain) {
      diffIds.add(graph.diffId(n.id()));
    }
    String what = "image " + top;
    byte[] topJson = graph.rawJSON(top);
    byte[] config;
    List<Node> layers = chain;
    if (V1Forms.isConfig(top, topJson)) {
      ImageConfigFile parsed;
      try {
        parsed = ImageConfigFile.parse(topJson);
      } catch (CairnException e) {
        throw e.in(what);
      }
      if (!parsed.diffIds().equals(diffIds)) {
        throw CairnException.invalid(
            what
                + ": its config lists "
                + parsed.diffIds().size()
                + " DiffIDs that differ from the "
                + diffIds.size()
                + " layers in the store");
      }
      config = topJson;
    } else {
      // The config docker makes when it pulls the image as schema1 (ARCHITECTURE.md, Archives).
      List<byte[]> v1s = new ArrayList<>(chain.size());
      layers = new ArrayList<>(chain.size());
      for (Node n : chain) {
        byte[] v1 = v1(n.id());
        v1s.add(v1);
        if (!LegacyNodes.throwaway(v1, what + ": layer " + n.id())) {
          layers.add(n);
        }
      }
      try {
        config = Schema1Config.of(v1s, diffIds);
      } catch (CairnException e) {
        throw e.in(what);
      }
    }
    return new Image(
        top,
        List.copyOf(chain),
        List.copyOf(layers),
        config,
        List.copyOf(refs),
        !configIds(chain, diffIds, config));
  }

  /**
   * Whether the nodes are those ARCHITECTURE.md, ChainID nodes gives the config: ChainIDs, the
   * config digest on top.
   */
  private static boolean configIds(List<Node> chain, List<Digest> diffIds, byte[] config) {
    List<Digest> chainIds = ChainId.of(diffIds);
    int top = chain.size() - 1;
    for (int i = 0; i < top; i++) {
      if (!chain.get(i).id().equals(chainIds.get(i).hex())) {
        return false;
      }
    }
    return chain.get(top).id().equals(Digest.sha256(config).hex());
  }

  private byte[] v1(String id) throws IOException {
    Optional<byte[]> stored = graph.v1Compatibility(id);
    return stored.isPresent() ? stored.get() : graph.rawJSON(id);
  }

  private void write(List<Image> images, OutputStream out) throws IOException {
    ArchiveWriter tar = new ArchiveWriter(out);
    file(tar, "manifest.json", manifest(images), Instant.EPOCH);
    byte[] repositories = repositories(images);
    if (repositories != null) {
      file(tar, "repositories", repositories, Instant.EPOCH);
    }
    Set<String> configs = new HashSet<>();
    for (Image img : images) {
      String name = Digest.sha256(img.config()).hex() + ".json";
      if (configs.add(name)) {
        file(tar, name, img.config(), Instant.EPOCH);
      }
    }
    Set<String> legacy = new HashSet<>();
    for (Image img : images) {
      if (img.legacyIds()) {
        img.chain().forEach(n -> legacy.add(n.id()));
      }
    }
    Set<String> written = new HashSet<>();
    for (Image img : images) {
      for (Node n : img.chain()) {
        if (written.add(n.id())) {
          node(tar, n, legacy.contains(n.id()));
        }
      }
    }
    tar.finish();
  }

  /**
   * One node's directory; {@code legacy} for a node whose ID a load keeps, which carries its
   * v1Compatibility as the store has it (ARCHITECTURE.md, Archives), so that a load gives the node
   * back whole.
   */
  private void node(ArchiveWriter tar, Node n, boolean legacy) throws IOException {
    Instant mtime = n.created() == null ? Instant.EPOCH : n.created();
    String id = n.id();
    tar.directory(TarEntry.directory(id + "/").withMtime(mtime));
    file(tar, id + "/VERSION", VERSION, mtime);
    byte[] stored = graph.rawJSON(id);
    boolean rawConfig = V1Forms.isConfig(id, stored);
    byte[] json = V1Forms.nodeJson(stored, id, n.parent(), rawConfig, "json of image " + id);
    file(tar, id + "/json", json, mtime);
    Optional<byte[]> v1 = legacy ? graph.v1Compatibility(id) : Optional.empty();
    if (v1.isPresent()) {
      file(tar, id + "/" + LoadPlan.V1_COMPATIBILITY, v1.get(), mtime);
    }
    long size = graph.tarLayerSize(id);
    tar.stream(
        TarEntry.regular(id + "/layer.tar", size).withMtime(mtime),
        layerOut -> graph.tarLayer(id, layerOut));
  }

  private static void file(ArchiveWriter tar, String name, byte[] data, Instant mtime)
      throws IOException {
    tar.file(TarEntry.regular(name, data.length).withMtime(mtime), data);
  }

  /**
   * {@code [{"Config":..,"RepoTags":[..]|null,"Layers":[..]}]} in the field order Docker uses;
   * {@code Layers} as docker's load checks them against the config's DiffIDs, and for an image
   * whose IDs a load keeps, the mark and, when {@code Layers} leaves some out, every node's layer.
   */
  private static byte[] manifest(List<Image> images) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('[');
    for (int i = 0; i < images.size(); i++) {
      Image img = images.get(i);
      if (i > 0) {
        w.punct(',');
      }
      w.punct('{').name("Config").string(Digest.sha256(img.config()).hex() + ".json");
      w.punct(',').name("RepoTags");
      if (img.tags().isEmpty()) {
        w.ascii("null");
      } else {
        w.punct('[');
        for (int t = 0; t < img.tags().size(); t++) {
          if (t > 0) {
            w.punct(',');
          }
          w.string(img.tags().get(t).familiar());
        }
        w.punct(']');
      }
      w.punct(',').name("Layers");
      layers(w, img.layers());
      if (img.legacyIds()) {
        w.punct(',').name(LoadPlan.LEGACY_IDS).ascii("true");
        if (img.layers().size() != img.chain().size()) {
          w.punct(',').name(LoadPlan.ALL_LAYERS);
          layers(w, img.chain());
        }
      }
      w.punct('}');
    }
    return w.punct(']').toByteArray();
  }

  private static void layers(GoJsonWriter w, List<Node> nodes) {
    w.punct('[');
    for (int l = 0; l < nodes.size(); l++) {
      if (l > 0) {
        w.punct(',');
      }
      w.string(nodes.get(l).id() + "/layer.tar");
    }
    w.punct(']');
  }

  /**
   * {@code {"name":{"tag":"topID"}}}, keys sorted as Go sorts a map; null when nothing is tagged.
   */
  private static byte[] repositories(List<Image> images) {
    Map<String, Map<String, String>> repos = new TreeMap<>(GoJsonWriter.KEY_ORDER);
    for (Image img : images) {
      for (Reference ref : img.tags()) {
        repos
            .computeIfAbsent(familiarName(ref), k -> new TreeMap<>(GoJsonWriter.KEY_ORDER))
            .put(ref.tag(), img.top());
      }
    }
    if (repos.isEmpty()) {
      return null;
    }
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{');
    boolean firstRepo = true;
    for (Map.Entry<String, Map<String, String>> r : repos.entrySet()) {
      if (!firstRepo) {
        w.punct(',');
      }
      firstRepo = false;
      w.name(r.getKey()).punct('{');
      boolean firstTag = true;
      for (Map.Entry<String, String> t : r.getValue().entrySet()) {
        if (!firstTag) {
          w.punct(',');
        }
        firstTag = false;
        w.name(t.getKey()).string(t.getValue());
      }
      w.punct('}');
    }
    return w.punct('}').toByteArray();
  }

  /** The familiar repository name without the tag: {@code alpine}, {@code localhost:5000/x}. */
  static String familiarName(Reference ref) {
    String f = ref.familiar();
    return f.substring(0, f.length() - ref.tag().length() - 1);
  }

  static boolean isHex(String s, int length) {
    if (s.length() != length || length > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
