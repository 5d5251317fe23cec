package dev.cairn.tarexport;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.ConfigNodes;
import dev.cairn.distribution.PullLocks;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.NodeSpec;
import dev.cairn.graph.TagStore;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.Reference;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonNull;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Loads image archives into the graph (DESIGN §2c): cairn's own, {@code docker save} of every era
 * (legacy {@code <id>/} directories with {@code repositories}; {@code manifest.json} naming {@code
 * <id>/layer.tar} or {@code blobs/sha256/…} entries) and skopeo's {@code docker-archive:}.
 *
 * <p>IDs: an image whose {@code manifest.json} layers are all legacy {@code <id>/layer.tar} entries
 * keeps those IDs, and so does every image of an archive without {@code manifest.json}; any other
 * image gets the IDs of DESIGN §2b, as a pull would. DiffIDs are checked against each config.
 *
 * <p>Streaming: the archive is read once. Metadata entries are kept in memory (bounded); a legacy
 * layer whose JSON and parent are already known is registered straight from the archive; any other
 * layer is spooled to an unlinked file in the store until the archive says what it is, as docker
 * itself unpacks a whole archive before it reads it.
 *
 * <p>All or nothing: the nodes this load registers are recorded and deleted again, newest first, if
 * anything fails, and tags are changed only once every node is in place (and restored when a later
 * tag fails). Existing nodes are reused, never replaced. Nodes commit marked unfinished and the
 * images' tops are finished after their tags, so no half-loaded chain lists as an image.
 *
 * <p>Concurrency: a node is made under the lock pulls take for it ({@link PullLocks#node}), so a
 * load beside another load or a pull of the same image waits for the other to make the node and
 * then reuses it. A load holds one such lock at a time and waits for nothing else meanwhile.
 */
public final class Loader {
  /** Largest {@code manifest.json}, {@code repositories}, {@code index.json} accepted. */
  static final int MAX_MANIFEST = 4 << 20;

  /** Largest config or legacy JSON accepted. */
  static final int MAX_CONFIG = ImageConfigFile.MAX_BYTES;

  /** Largest total of metadata kept in memory for one archive. */
  static final long MAX_METADATA = 64L << 20;

  /** Far beyond any archive tool's link chains; a longer one is hostile. */
  static final int MAX_LINK_HOPS = 16;

  private final Graph graph;
  private final TagStore tags;
  private PullLocks locks; // opened with the first node: a refused archive creates no lock file

  public Loader(Graph graph, TagStore tags) {
    this.graph = graph;
    this.tags = tags;
  }

  private PullLocks.Held lockNode(String id) throws IOException {
    if (locks == null) {
      locks = PullLocks.of(graph.root());
    }
    return locks.node(id);
  }

  /**
   * Reads the archive from {@code archive} to its end and registers and tags its images.
   *
   * @throws CairnException INVALID for a malformed, truncated or hostile archive (the store is then
   *     as it was before)
   */
  public LoadResult load(InputStream archive) throws IOException {
    Session s = new Session();
    try {
      s.read(archive);
      LoadResult result = s.finish();
      s.close();
      return result;
    } catch (IOException | RuntimeException | Error e) {
      s.rollback(e);
      if (e instanceof CairnException c) {
        throw c.in("loading image archive");
      }
      throw e;
    }
  }

  /** One node to have in the graph. {@code diffId} is null when the archive names none. */
  private record Planned(String id, String parent, byte[] json, Digest diffId, String source) {}

  /** One image: its nodes base first and its tags. {@code config} is null for legacy-only. */
  private record Image(List<Planned> nodes, List<Reference> refs, ConfigNodes config) {
    String top() {
      return nodes.getLast().id();
    }
  }

  private record AppliedTag(Reference ref, Optional<String> before) {}

  /** The state of one load. */
  private final class Session {
    private final Map<String, byte[]> small = new HashMap<>();
    private long smallTotal;
    private final Map<String, String> links = new HashMap<>();
    private final Map<String, Spool> spools = new HashMap<>();

    /** Legacy layer entries consumed from the stream, to the node that holds their content. */
    private final Map<String, String> streamed = new HashMap<>();

    private final Set<String> names = new HashSet<>();
    private final List<String> ours = new ArrayList<>();
    private final Map<String, Graph.Hold> holds = new LinkedHashMap<>();
    private final List<AppliedTag> applied = new ArrayList<>();

    // ------------------------------------------------------------ reading the stream

    void read(InputStream archive) throws IOException {
      MarkerWatch marker = new MarkerWatch();
      TarReader reader = new TarReader(archive, marker);
      for (TarEntry e; (e = reader.next()) != null; ) {
        String name = ArchiveNames.clean(e.name());
        switch (e.type()) {
          case DIRECTORY, GLOBAL_HEADER -> {}
          case SYMLINK -> link(name, ArchiveNames.symlinkTarget(name, e.linkname()));
          case HARDLINK -> link(name, ArchiveNames.clean(e.linkname()));
          case REGULAR -> regular(name, e.size(), reader.payload());
          default -> {} // fifos and devices carry no image content
        }
      }
      if (!marker.seen) {
        throw CairnException.invalid(
            "the archive ends at byte "
                + reader.offset()
                + " without its end-of-archive marker: it is truncated");
      }
    }

    private void unique(String name) {
      if (name.isEmpty()) {
        throw CairnException.invalid("an entry names the archive root itself");
      }
      if (!names.add(name)) {
        throw CairnException.invalid("entry " + CairnException.quote(name) + " appears twice");
      }
    }

    private void link(String name, String target) {
      unique(name);
      if (isTopMetadata(name)) {
        throw CairnException.invalid(name + " is a link; it must be a regular file");
      }
      links.put(name, target);
    }

    private void regular(String name, long size, InputStream payload) throws IOException {
      unique(name);
      if (isTopMetadata(name)) {
        keep(name, size, payload, MAX_MANIFEST);
        if (name.equals("manifest.json")) {
          ArchiveTags.check(small.get(name), null); // a bad name stops the load before more layers
        }
        return;
      }
      if (ArchiveNames.legacyDir(name, "json") != null
          || ArchiveNames.legacyDir(name, "VERSION") != null
          || (!name.contains("/") && name.endsWith(".json"))) {
        keep(name, size, payload, MAX_CONFIG);
        return;
      }
      String dir = ArchiveNames.legacyDir(name, "layer.tar");
      if (dir != null && registerStreamed(dir, name, payload)) {
        return;
      }
      if (name.startsWith("blobs/") && size <= MAX_CONFIG) {
        byte[] bytes = payload.readAllBytes(); // a config or a small layer: look before choosing
        if (looksLikeJson(bytes)) {
          remember(name, bytes);
        } else {
          spool(name, new ByteArrayInputStream(bytes));
        }
        return;
      }
      spool(name, payload);
    }

    private boolean isTopMetadata(String name) {
      return name.equals("manifest.json")
          || name.equals("repositories")
          || name.equals("index.json")
          || name.equals("oci-layout");
    }

    private void keep(String name, long size, InputStream payload, int max) throws IOException {
      if (size > max) {
        throw CairnException.invalid(
            "entry " + name + " is " + size + " bytes, more than the limit of " + max);
      }
      remember(name, payload.readAllBytes());
    }

    private void remember(String name, byte[] bytes) {
      smallTotal += bytes.length;
      if (smallTotal > MAX_METADATA) {
        throw CairnException.invalid(
            "the archive's metadata exceeds " + (MAX_METADATA >> 20) + " MiB");
      }
      small.put(name, bytes);
    }

    private void spool(String name, InputStream payload) throws IOException {
      spools.put(name, Spool.of(graph.tempDirectory(), payload));
    }

    /**
     * Registers legacy node {@code dir} straight from the stream when its JSON and its parent are
     * known; an existing node is skipped. False when the layer must wait (spooled).
     */
    private boolean registerStreamed(String dir, String name, InputStream payload)
        throws IOException {
      byte[] json = small.get(dir + "/json");
      if (!ArchiveNames.isId(dir) || json == null) {
        return false;
      }
      String parent = legacyParent(dir, json);
      if (parent != null && !graph.exists(parent)) {
        return false;
      }
      try (PullLocks.Held node = lockNode(dir)) {
        if (!existsNow(dir)) {
          register(NodeSpec.of(dir, parent, configNamed(dir).orElse(json)), payload);
        } else {
          hold(dir);
        }
      }
      streamed.put(name, dir);
      return true;
    }

    /** A config in the archive whose digest is {@code id}: a DESIGN §2b top node's JSON. */
    private Optional<byte[]> configNamed(String id) {
      for (String name : List.of(id + ".json", "blobs/sha256/" + id)) {
        byte[] b = small.get(name);
        if (b != null && Digest.sha256(b).hex().equals(id)) {
          return Optional.of(b);
        }
      }
      return Optional.empty();
    }

    /** Whether the node exists, including one another process committed meanwhile. */
    private boolean existsNow(String id) throws IOException {
      if (!graph.exists(id)) {
        graph.refresh();
      }
      return graph.exists(id);
    }

    private Node register(NodeSpec spec, InputStream layer) throws IOException {
      Node n = graph.register(spec.asUnfinished(), layer);
      ours.add(spec.id());
      hold(spec.id());
      return n;
    }

    private void hold(String id) throws IOException {
      if (!holds.containsKey(id)) {
        holds.put(id, graph.retain(List.of(id)));
      }
    }

    // ------------------------------------------------------------ after the stream

    LoadResult finish() throws IOException {
      List<Image> images = plan();
      Set<String> needed = new HashSet<>();
      Map<String, Planned> placed = new HashMap<>();
      for (Image img : images) {
        for (int i = 0; i < img.nodes().size(); i++) {
          Planned p = img.nodes().get(i);
          needed.add(p.id());
          place(img, i, p, placed);
        }
      }
      // Legacy layers registered from the stream that no image of the archive uses.
      for (String id : List.copyOf(ours).reversed()) {
        if (!needed.contains(id)) {
          holds.remove(id).close();
          graph.delete(id);
          ours.remove(id);
        }
      }
      List<LoadResult.LoadedImage> loaded = new ArrayList<>();
      List<LoadResult.MovedTag> moved = new ArrayList<>();
      for (Image img : images) {
        Digest top = Digest.sha256Hex(img.top());
        for (Reference ref : img.refs()) {
          Optional<String> before = tags.resolve(ref);
          applied.add(new AppliedTag(ref, before));
          tags.tag(ref, img.top(), false);
          if (before.isPresent() && !before.get().equals(img.top())) {
            moved.add(new LoadResult.MovedTag(ref, Digest.sha256Hex(before.get()), top));
          }
        }
        loaded.add(new LoadResult.LoadedImage(top, img.refs()));
      }
      for (Image img : images) {
        graph.finish(img.top()); // named now: the image lists from here on
      }
      return new LoadResult(loaded, moved);
    }

    /** Makes sure node {@code i} of {@code img} is in the graph and is the node planned. */
    private void place(Image img, int i, Planned p, Map<String, Planned> placed)
        throws IOException {
      String what = "image " + img.top() + ": layer " + i + " (" + p.id() + ")";
      Planned before = placed.putIfAbsent(p.id(), p);
      if (before != null && !Objects.equals(before.parent(), p.parent())) {
        throw CairnException.invalid(what + ": the archive gives this node two different parents");
      }
      try (PullLocks.Held node = lockNode(p.id())) {
        placeLocked(what, p);
      }
    }

    private void placeLocked(String what, Planned p) throws IOException {
      if (existsNow(p.id())) {
        Node n = graph.get(p.id());
        if (!Objects.equals(n.parent(), p.parent())) {
          throw CairnException.invalid(
              what
                  + ": the store's node has parent "
                  + (n.parent() == null ? "none" : n.parent())
                  + ", the archive puts "
                  + (p.parent() == null ? "none" : p.parent())
                  + " below it");
        }
        if (p.diffId() != null && !graph.diffId(p.id()).equals(p.diffId())) {
          throw CairnException.invalid(
              what
                  + ": its layer has DiffID "
                  + graph.diffId(p.id())
                  + ", but the config says "
                  + p.diffId()
                  + (ours.contains(p.id()) ? "" : " (the node was already in the store)"));
        }
        hold(p.id());
        return;
      }
      if (p.source() == null) {
        throw CairnException.invalid(what + ": the archive has no layer for it");
      }
      try (InputStream layer = open(p.source(), what)) {
        // The graph checks the config's DiffID before the node commits: a wrong layer never shows.
        register(new NodeSpec(p.id(), p.parent(), p.json(), null, null, p.diffId()), layer);
      } catch (CairnException e) {
        throw e.in(what);
      }
    }

    /** The content of entry {@code name}, following links inside the archive. */
    private InputStream open(String name, String what) throws IOException {
      String target = resolve(name);
      Spool s = spools.get(target);
      if (s != null) {
        return s.open();
      }
      String node = streamed.get(target);
      if (node != null) {
        // Registered from the stream already (its bytes are gone): the graph rebuilds them exactly.
        Spool copy = Spool.written(graph.tempDirectory(), out -> graph.tarLayer(node, out));
        spools.put(target, copy);
        return copy.open();
      }
      byte[] b = small.get(target);
      if (b != null) {
        return new ByteArrayInputStream(b);
      }
      throw CairnException.invalid(
          what + ": layer " + CairnException.quote(name) + " is not in the archive");
    }

    /** Follows links from {@code name} to a regular entry, bounded and cycle-free. */
    private String resolve(String name) {
      String cur = name;
      Set<String> seen = new HashSet<>();
      while (links.containsKey(cur)) {
        if (!seen.add(cur)) {
          throw CairnException.invalid(
              "link " + CairnException.quote(name) + " is part of a cycle");
        }
        if (seen.size() > MAX_LINK_HOPS) {
          throw CairnException.invalid(
              "link " + CairnException.quote(name) + " needs more than " + MAX_LINK_HOPS + " hops");
        }
        cur = links.get(cur);
      }
      return cur;
    }

    // ------------------------------------------------------------ what the archive holds

    private List<Image> plan() throws IOException {
      byte[] manifest = small.get("manifest.json");
      ArchiveTags.check(manifest, small.get("repositories")); // every name before any node placed
      return manifest != null ? planManifest(manifest) : planLegacy();
    }

    private List<Image> planManifest(byte[] manifest) throws IOException {
      JsonValue doc = Json.parse(manifest);
      if (!(doc instanceof JsonArray items)) {
        throw CairnException.invalid("manifest.json is not a JSON array");
      }
      List<Image> images = new ArrayList<>();
      for (int k = 0; k < items.items().size(); k++) {
        String where = "manifest.json entry " + k;
        if (!(items.items().get(k) instanceof JsonObject item)) {
          throw CairnException.invalid(where + " is not an object");
        }
        String configName = stringField(item, "Config", where);
        List<String> layerNames = stringList(item, "Layers", where);
        List<String> repoTags = stringList(item, "RepoTags", where);
        if (configName == null || configName.isEmpty()) {
          throw CairnException.invalid(where + " names no Config");
        }
        byte[] configBytes = small.get(resolve(ArchiveNames.clean(configName)));
        if (configBytes == null) {
          throw CairnException.invalid(
              where + ": config " + CairnException.quote(configName) + " is not in the archive");
        }
        ImageConfigFile config;
        try {
          config = ImageConfigFile.parse(configBytes);
        } catch (CairnException e) {
          throw e.in(where + ": config " + configName);
        }
        List<Digest> diffIds = config.diffIds();
        if (diffIds.size() != layerNames.size() || diffIds.isEmpty()) {
          throw CairnException.invalid(
              where
                  + ": "
                  + layerNames.size()
                  + " layers, but its config lists "
                  + diffIds.size()
                  + " DiffIDs");
        }
        List<String> sources = new ArrayList<>();
        boolean legacy = true;
        for (String l : layerNames) {
          String clean = ArchiveNames.clean(l);
          sources.add(clean);
          String dir = ArchiveNames.legacyDir(clean, "layer.tar");
          legacy &= dir != null && ArchiveNames.isId(dir) && small.containsKey(dir + "/json");
        }
        List<Reference> refs = ArchiveTags.repoTags(repoTags, where);
        List<Planned> nodes = new ArrayList<>();
        ConfigNodes ids = null;
        if (legacy) {
          String below = null;
          for (int i = 0; i < sources.size(); i++) {
            String dir = ArchiveNames.legacyDir(sources.get(i), "layer.tar");
            byte[] json = small.get(dir + "/json");
            String parent = legacyParent(dir, json);
            if (!Objects.equals(parent, below)) {
              throw CairnException.invalid(
                  where
                      + ": layer "
                      + i
                      + " ("
                      + dir
                      + ") has parent "
                      + (parent == null ? "none" : parent)
                      + ", but the layer below it is "
                      + (below == null ? "none" : below));
            }
            byte[] nodeJson = configNamed(dir).orElse(json);
            nodes.add(new Planned(dir, parent, nodeJson, diffIds.get(i), sources.get(i)));
            below = dir;
          }
        } else {
          ids = ConfigNodes.plan(graph, config);
          List<ConfigNodes.ConfigNode> planned = ids.nodes();
          for (int i = 0; i < planned.size(); i++) {
            ConfigNodes.ConfigNode n = planned.get(i);
            nodes.add(new Planned(n.id(), n.parent(), n.json(), n.diffId(), sources.get(i)));
          }
        }
        images.add(new Image(List.copyOf(nodes), refs, ids));
      }
      if (images.isEmpty()) {
        throw CairnException.invalid("manifest.json lists no images");
      }
      return images;
    }

    private List<Image> planLegacy() throws IOException {
      Map<String, byte[]> jsons = new TreeMap<>();
      for (Map.Entry<String, byte[]> e : small.entrySet()) {
        String dir = ArchiveNames.legacyDir(e.getKey(), "json");
        if (dir != null) {
          jsons.put(dir, e.getValue());
        }
      }
      if (jsons.isEmpty()) {
        throw CairnException.invalid(
            "the archive holds no images: no manifest.json and no <id>/json entries");
      }
      Map<String, String> parents = new HashMap<>();
      for (Map.Entry<String, byte[]> e : jsons.entrySet()) {
        parents.put(e.getKey(), legacyParent(e.getKey(), e.getValue()));
      }
      // Each node's chain must end in the store or at a base, without loops.
      Map<String, List<Planned>> chains = new LinkedHashMap<>();
      for (String id : jsons.keySet()) {
        List<Planned> chain = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String cur = id; cur != null && jsons.containsKey(cur); cur = parents.get(cur)) {
          if (!seen.add(cur)) {
            throw CairnException.invalid("image " + id + ": its parent chain loops at " + cur);
          }
          String parent = parents.get(cur);
          if (parent != null && !jsons.containsKey(parent) && !graph.exists(parent)) {
            throw CairnException.invalid(
                "image "
                    + cur
                    + ": its parent "
                    + parent
                    + " is neither in the archive nor stored");
          }
          chain.add(new Planned(cur, parent, jsons.get(cur), null, cur + "/layer.tar"));
        }
        chains.put(id, chain.reversed());
      }
      Map<String, List<Reference>> refs = new LinkedHashMap<>();
      byte[] repositories = small.get("repositories");
      if (repositories != null) {
        for (Map.Entry<Reference, String> e : ArchiveTags.repositories(repositories).entrySet()) {
          String id = e.getValue();
          if (!jsons.containsKey(id) && !graph.exists(id)) {
            throw CairnException.invalid(
                "repositories: "
                    + e.getKey().familiar()
                    + " names image "
                    + id
                    + ", which is neither in the archive nor stored");
          }
          refs.computeIfAbsent(id, k -> new ArrayList<>()).add(e.getKey());
        }
      }
      // One image per head of the archive's nodes, and one per tagged node.
      Set<String> parentsInArchive = new HashSet<>(parents.values());
      List<Image> images = new ArrayList<>();
      Set<String> tops = new java.util.LinkedHashSet<>();
      for (String id : jsons.keySet()) {
        if (!parentsInArchive.contains(id)) {
          tops.add(id);
        }
      }
      tops.addAll(refs.keySet());
      for (String top : tops) {
        List<Planned> chain = chains.get(top);
        if (chain == null) { // a tag for a node that is only in the store
          Node n = graph.get(top);
          chain = List.of(new Planned(n.id(), n.parent(), null, null, null));
        }
        images.add(new Image(chain, refs.getOrDefault(top, List.of()), null));
      }
      return images;
    }

    /** The {@code parent} of legacy JSON {@code <dir>/json}, checking its IDs. */
    private String legacyParent(String dir, byte[] json) {
      String what = "image " + CairnException.quote(dir);
      if (!ArchiveNames.isId(dir)) {
        throw CairnException.invalid(
            "image ID " + CairnException.quote(dir) + " is not 64 lowercase hex digits");
      }
      JsonObject obj;
      try {
        obj = Json.parseObject(json, "json");
      } catch (CairnException e) {
        throw e.in(what);
      }
      String id = V1Forms.string(obj.get("id"));
      if (id != null && !id.equals(dir)) {
        throw CairnException.invalid(
            what + ": its json has id " + CairnException.quote(id) + ", not its directory's");
      }
      String parent = V1Forms.string(obj.get("parent"));
      if (parent == null || parent.isEmpty()) {
        return null;
      }
      if (!ArchiveNames.isId(parent)) {
        throw CairnException.invalid(
            what
                + ": parent ID "
                + CairnException.quote(parent)
                + " is not 64 lowercase hex digits");
      }
      return parent;
    }

    private static String stringField(JsonObject obj, String key, String where) {
      JsonValue v = ArchiveTags.field(obj, key);
      if (v == null || v instanceof JsonNull) {
        return null;
      }
      if (!(v instanceof JsonString s)) {
        throw CairnException.invalid(where + ": " + key + " is not a string");
      }
      return s.value();
    }

    private static List<String> stringList(JsonObject obj, String key, String where) {
      JsonValue v = ArchiveTags.field(obj, key);
      if (v == null || v instanceof JsonNull) {
        return List.of();
      }
      if (!(v instanceof JsonArray a)) {
        throw CairnException.invalid(where + ": " + key + " is not an array");
      }
      List<String> out = new ArrayList<>(a.items().size());
      for (JsonValue item : a.items()) {
        if (!(item instanceof JsonString s)) {
          throw CairnException.invalid(where + ": " + key + " holds a non-string");
        }
        out.add(s.value());
      }
      return out;
    }

    private static boolean looksLikeJson(byte[] b) {
      for (byte c : b) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return c == '{';
        }
      }
      return false;
    }

    // ------------------------------------------------------------ ending

    private void releaseHolds() throws IOException {
      IOException failed = null;
      for (Graph.Hold h : List.copyOf(holds.values()).reversed()) {
        try {
          h.close();
        } catch (IOException e) {
          failed = e;
        }
      }
      holds.clear();
      if (failed != null) {
        throw failed;
      }
    }

    void close() throws IOException {
      try {
        releaseHolds();
      } finally {
        for (Spool s : spools.values()) {
          s.close();
        }
        spools.clear();
      }
    }

    /** Undoes the tags and the nodes of this load, keeping {@code cause} as the failure. */
    void rollback(Throwable cause) {
      for (AppliedTag t : applied.reversed()) {
        try {
          if (t.before().isPresent()) {
            tags.tag(t.ref(), t.before().get(), true);
          } else if (tags.resolve(t.ref()).isPresent()) {
            tags.untag(t.ref());
          }
        } catch (IOException | RuntimeException e) {
          cause.addSuppressed(e);
        }
      }
      try {
        close();
      } catch (IOException | RuntimeException e) {
        cause.addSuppressed(e);
      }
      for (String id : ours.reversed()) {
        try {
          graph.delete(id);
        } catch (IOException | RuntimeException e) {
          cause.addSuppressed(e);
        }
      }
    }
  }

  /**
   * Notes whether the stream had a zero block, the end-of-archive marker of a complete tar: a run
   * of 512 zero bytes within one raw run (padding and headers never make one).
   */
  private static final class MarkerWatch implements dev.cairn.tar.RawListener {
    boolean seen;

    @Override
    public void raw(byte[] b, int off, int len) {
      int zeros = 0;
      for (int i = off; i < off + len && !seen; i++) {
        zeros = b[i] == 0 ? zeros + 1 : 0;
        seen = zeros >= 512;
      }
    }
  }
}
