package dev.cairn.tarexport;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.PullLocks;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.NodeSpec;
import dev.cairn.graph.TagStore;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.Reference;
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

/**
 * Loads image archives into the graph (ARCHITECTURE.md, Archives): cairn's own, {@code docker save}
 * of every era (legacy {@code <id>/} directories with {@code repositories}; {@code manifest.json}
 * naming {@code <id>/layer.tar} or {@code blobs/sha256/…} entries) and skopeo's {@code
 * docker-archive:}.
 *
 * <p>IDs: those the archive's writer shows, by the rule of {@link LoadPlan}. DiffIDs are checked
 * against each config.
 *
 * <p>Streaming: the archive is read once. Metadata entries are kept in memory (bounded). A layer
 * whose node is known when it arrives (manifest.json and the config came first, as cairn writes
 * them, and the node below is in place) is registered straight from the archive; any other layer is
 * spooled to an unlinked file in the store until the archive says what it is. Docker and skopeo
 * write manifest.json last, so their layers are spooled, as docker itself unpacks a whole archive
 * before it reads it.
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

  private record AppliedTag(Reference ref, Optional<String> before) {}

  /** The state of one load. */
  private final class Session {
    private final Map<String, byte[]> small = new HashMap<>();
    private long smallTotal;
    private final Map<String, String> links = new HashMap<>();
    private final Map<String, Spool> spools = new HashMap<>();
    private final LoadPlan plan = new LoadPlan(graph, small, this::resolve);

    /** manifest.json's entries once read; empty when it reads as none (finish says why). */
    private List<LoadPlan.Item> items;

    /** The nodes of entries that get the IDs of their config: planned once, when it is read. */
    private final Map<LoadPlan.Item, List<LoadPlan.Planned>> configPlans = new HashMap<>();

    /** Layer entries consumed from the stream, to the node that holds their content. */
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
          || ArchiveNames.legacyDir(name, LoadPlan.V1_COMPATIBILITY) != null
          || (!name.contains("/") && name.endsWith(".json"))) {
        keep(name, size, payload, MAX_CONFIG);
        return;
      }
      InputStream layer = payload;
      if (name.startsWith("blobs/") && size <= MAX_CONFIG) {
        byte[] bytes = payload.readAllBytes(); // a config or a small layer: look before choosing
        if (looksLikeJson(bytes)) {
          remember(name, bytes);
          return;
        }
        layer = new ByteArrayInputStream(bytes);
      }
      if (!registerKnown(name, layer)) {
        spools.put(name, Spool.of(graph.tempDirectory(), layer));
      }
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

    /**
     * Registers layer entry {@code name} straight from the stream when the archive has already said
     * which node it is and the node below it is in place; a node that exists and is the one planned
     * is reused. False when the layer must wait (be spooled).
     */
    private boolean registerKnown(String name, InputStream payload) throws IOException {
      for (LoadPlan.Item item : items()) {
        List<LoadPlan.Planned> nodes = known(item);
        for (int i = 0; i < nodes.size(); i++) {
          LoadPlan.Planned p = nodes.get(i);
          if (!name.equals(resolve(p.source()))
              || (p.parent() != null && !graph.exists(p.parent()))) {
            continue;
          }
          try (PullLocks.Held node = lockNode(p.id())) {
            if (!existsNow(p.id())) {
              try {
                register(spec(p), payload);
              } catch (CairnException e) {
                throw e.in(item.where() + ": layer " + i + " (" + p.id() + ")");
              }
            } else if (isPlanned(p)) {
              hold(p.id());
            } else {
              continue; // another node under that ID: the plan made at the end probes past it
            }
          }
          streamed.put(name, p.id());
          return true;
        }
      }
      return false;
    }

    /** manifest.json's entries, once it has been read and reads well; else none yet. */
    private List<LoadPlan.Item> items() {
      if (items == null && small.containsKey("manifest.json")) {
        try {
          items = LoadPlan.items(small.get("manifest.json"));
        } catch (CairnException e) {
          items = List.of(); // the plan made at the end reports it
        }
      }
      return items == null ? List.of() : items;
    }

    private List<LoadPlan.Planned> known(LoadPlan.Item item) throws IOException {
      List<LoadPlan.Planned> done = configPlans.get(item);
      if (done != null) {
        return done;
      }
      List<LoadPlan.Planned> nodes = plan.known(item);
      if (!item.legacyIds() && !nodes.isEmpty()) {
        configPlans.put(item, nodes);
      }
      return nodes;
    }

    /** Whether the stored node {@code p.id()} is the node planned: same parent, layer and JSON. */
    private boolean isPlanned(LoadPlan.Planned p) throws IOException {
      Node n = graph.node(p.id()).orElse(null);
      if (n == null || !Objects.equals(n.parent(), p.parent())) {
        return false;
      }
      try {
        if (p.diffId() != null && !graph.diffId(p.id()).equals(p.diffId())) {
          return false;
        }
        // A node whose JSON hashes to its ID (a config, a strong ID) must hold that very JSON.
        return !Digest.sha256(p.json()).hex().equals(p.id())
            || Digest.sha256(graph.rawJSON(p.id())).hex().equals(p.id());
      } catch (CairnException e) {
        return false; // unreadable metadata cannot vouch for the node
      }
    }

    private NodeSpec spec(LoadPlan.Planned p) {
      return new NodeSpec(p.id(), p.parent(), p.json(), p.v1Compatibility(), null, p.diffId());
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
      List<LoadPlan.Image> images = plan();
      Set<String> needed = new HashSet<>();
      Map<String, LoadPlan.Planned> placed = new HashMap<>();
      for (LoadPlan.Image img : images) {
        for (int i = 0; i < img.nodes().size(); i++) {
          LoadPlan.Planned p = img.nodes().get(i);
          needed.add(p.id());
          place(img, i, p, placed);
        }
      }
      // Layers registered from the stream that the plan made now does not use (a safeguard: the
      // plan made while streaming and this one agree unless the store changed under them).
      for (String id : List.copyOf(ours).reversed()) {
        if (!needed.contains(id)) {
          holds.remove(id).close();
          graph.delete(id);
          ours.remove(id);
        }
      }
      List<LoadResult.LoadedImage> loaded = new ArrayList<>();
      List<LoadResult.MovedTag> moved = new ArrayList<>();
      for (LoadPlan.Image img : images) {
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
      for (LoadPlan.Image img : images) {
        graph.finish(img.top()); // named now: the image lists from here on
      }
      return new LoadResult(loaded, moved);
    }

    /** Makes sure node {@code i} of {@code img} is in the graph and is the node planned. */
    private void place(
        LoadPlan.Image img, int i, LoadPlan.Planned p, Map<String, LoadPlan.Planned> placed)
        throws IOException {
      String what = "image " + img.top() + ": layer " + i + " (" + p.id() + ")";
      LoadPlan.Planned before = placed.putIfAbsent(p.id(), p);
      if (before != null && !Objects.equals(before.parent(), p.parent())) {
        throw CairnException.invalid(what + ": the archive gives this node two different parents");
      }
      try (PullLocks.Held node = lockNode(p.id())) {
        placeLocked(what, p);
      }
    }

    private void placeLocked(String what, LoadPlan.Planned p) throws IOException {
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
        register(spec(p), layer);
      } catch (CairnException e) {
        throw e.in(what);
      }
    }

    /** Every image of the archive, with the IDs of {@link LoadPlan}'s rule. */
    private List<LoadPlan.Image> plan() throws IOException {
      byte[] manifest = small.get("manifest.json");
      ArchiveTags.check(manifest, small.get("repositories")); // every name before any node placed
      if (manifest == null) {
        return plan.legacyImages();
      }
      List<LoadPlan.Image> images = new ArrayList<>();
      for (LoadPlan.Item item : LoadPlan.items(manifest)) {
        images.add(plan.image(item));
      }
      return images;
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
