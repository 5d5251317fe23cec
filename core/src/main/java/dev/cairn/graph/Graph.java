package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.archive.ApplyResult;
import dev.cairn.archive.Layer;
import dev.cairn.digest.Digest;
import dev.cairn.digest.Digester;
import dev.cairn.driver.DirectoryModes;
import dev.cairn.driver.Driver;
import dev.cairn.image.EngineImage;
import dev.cairn.image.Platform;
import dev.cairn.image.V1Image;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.RawObject;
import dev.cairn.tarsplit.EntryHandler;
import dev.cairn.tarsplit.FileSource;
import dev.cairn.tarsplit.TarSplit;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The local image graph (ARCHITECTURE.md, On-disk layout): one node per layer, each with its image
 * JSON, linked to its parent, laid out on disk as Docker 1.9 did. Metadata is held in memory after
 * {@link #open}, so lookups, {@link #heads} and {@link #byParent} read no files.
 *
 * <p>Crash safety: a node becomes visible only by the rename of a complete, fsync'd staging
 * directory into {@code graph/<id>}; a delete renames the node away before removing anything.
 * Staging names start with the node ID, so leftovers and their driver layers are found and removed
 * by the next open that has the store to itself.
 *
 * <p>Locking: the in-memory index is guarded by a read-write lock. Register, delete and metadata
 * writes of one ID exclude each other across threads and processes through a per-ID lock; the
 * renames into and out of {@code graph/} happen under one store-wide commit lock that also bumps a
 * change counter, from which a graph learns that another process changed the store ({@link
 * #refresh}). Retained nodes hold a shared lock that delete tests, so a pull in one process keeps
 * its nodes safe from a delete in another; a mounted node ({@link Mounts}) is safe the same way.
 * See {@link RootLock} for the byte ranges.
 */
public final class Graph implements Closeable {
  private static final String TMP = "_tmp";
  private static final String DELETED = ".del";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private final Path root;
  private final Path dir;
  private final Path tmp;
  private final Driver driver;
  private final RootLock lock;
  private final Mounts mounts;
  private final List<SkippedNode> skipped = new ArrayList<>();

  private final ReentrantReadWriteLock index = new ReentrantReadWriteLock();
  private final Map<String, Node> nodes = new HashMap<>();
  private final TreeSet<String> ids = new TreeSet<>();
  private final Map<String, Set<String>> children = new HashMap<>();
  private final Set<String> headIds = new HashSet<>(); // kept up to date: no scan per heads()
  private final Map<String, Integer> retained = new ConcurrentHashMap<>();
  // Unmodifiable views built on first use after a change; listing images twice costs nothing.
  private volatile Map<String, Node> mapView;
  private volatile Map<String, Node> headsView;
  private volatile Map<String, List<Node>> byParentView;
  private long seen; // the change counter this graph's index reflects; under the commit lock
  private boolean closed;

  private Graph(Path root, Driver driver, RootLock lock) {
    this.root = root;
    this.dir = root.resolve("graph");
    this.tmp = dir.resolve(TMP);
    this.driver = driver;
    this.lock = lock;
    this.mounts = new Mounts(this);
  }

  /**
   * Opens (creating if needed) the graph under {@code root} whose layers {@code driver} keeps. When
   * no other process has the store open, leftovers of interrupted work are removed first. A corrupt
   * node is left out and reported by {@link #skipped}; it never stops the rest.
   */
  public static Graph open(Path root, Driver driver) throws IOException {
    Path dir = DirectoryModes.createPrivate(root.resolve("graph")); // as docker's image metadata
    DirectoryModes.createPrivate(dir.resolve(TMP));
    RootLock.Lease lease = RootLock.acquire(dir);
    Graph g = new Graph(root, driver, lease.lock());
    try {
      if (lease.alone()) {
        g.cleanUp();
      }
      try (RootLock.Held c = g.lock.lockCommit()) {
        g.seen = g.lock.changes();
        g.scan();
      }
      if (lease.alone()) {
        g.lock.shareAlive();
      }
      return g;
    } catch (IOException | RuntimeException e) {
      lease.lock().release();
      throw e;
    }
  }

  /** The store root this graph lives in. */
  public Path root() {
    return root;
  }

  /**
   * A directory inside the store for short-lived files (spooled layers); whatever is left in it is
   * removed by the next open that has the store to itself.
   */
  public Path tempDirectory() {
    return tmp;
  }

  public Driver driver() {
    return driver;
  }

  /** The mounts users made of nodes ({@code cairn mount}), counted across processes. */
  public Mounts mounts() {
    return mounts;
  }

  /** The node directories left out at open or {@link #refresh}, with the reasons. */
  public List<SkippedNode> skipped() {
    synchronized (skipped) {
      return List.copyOf(skipped);
    }
  }

  // ---------------------------------------------------------------- open, clean up, scan

  // Only when alone: staged registers, renamed-away deletes and temp files in _tmp.
  private void cleanUp() throws IOException {
    driver.cleanUp();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        int dot = name.indexOf('.');
        String id = dot < 0 ? name : name.substring(0, dot);
        if (isId(id) && !Files.exists(dir.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
          driver.remove(id); // the layer of a register that never committed, or of a delete
        }
        NodeFiles.deleteTree(e);
      }
    }
  }

  /** Brings the index in line with {@code graph/}; called under the commit lock. */
  private void scan() throws IOException {
    Map<String, Node> found = new HashMap<>();
    Map<String, String> bad = new TreeMap<>();
    Set<String> known;
    index.readLock().lock();
    try {
      known = new HashSet<>(nodes.keySet());
    } finally {
      index.readLock().unlock();
    }
    Set<String> onDisk = new HashSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        if (name.equals(TMP) || name.equals(".lock")) {
          continue;
        }
        if (!Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
          continue; // Docker keeps no files here either
        }
        if (!isId(name)) {
          bad.put(name, "not an image ID");
          continue;
        }
        onDisk.add(name);
        if (known.contains(name)) {
          continue;
        }
        try {
          Node n = NodeFiles.read(e, name);
          if (!driver.exists(name)) {
            bad.put(name, "its " + driver.name() + " layer is missing");
          } else {
            found.put(name, n);
          }
        } catch (CairnException ex) {
          bad.put(name, ex.getMessage());
        }
      }
    }
    // A node counts only when its whole chain does; walk each chain down once.
    Map<String, Boolean> ok = new HashMap<>();
    for (String id : found.keySet()) {
      List<String> path = new ArrayList<>();
      String cur = id;
      Boolean verdict = null;
      while (verdict == null) {
        if (ok.containsKey(cur)) {
          verdict = ok.get(cur);
          break;
        }
        if (known.contains(cur) && onDisk.contains(cur)) {
          verdict = true;
          break;
        }
        Node n = found.get(cur);
        if (n == null) {
          verdict = false;
          String child = path.isEmpty() ? id : path.getLast();
          bad.putIfAbsent(
              child,
              "its parent " + cur + (bad.containsKey(cur) ? " is corrupt" : " does not exist"));
          break;
        }
        if (path.contains(cur)) {
          verdict = false;
          bad.putIfAbsent(cur, "its parent chain loops");
          break;
        }
        path.add(cur);
        if (n.parent() == null) {
          verdict = true;
          break;
        }
        cur = n.parent();
      }
      for (String p : path) {
        if (!verdict && !bad.containsKey(p)) {
          bad.put(p, "its parent chain is broken below " + cur);
        }
        ok.put(p, verdict);
      }
    }
    index.writeLock().lock();
    try {
      for (String id : known) {
        if (!onDisk.contains(id)) {
          unindex(id);
        }
      }
      for (Map.Entry<String, Node> e : found.entrySet()) {
        if (Boolean.TRUE.equals(ok.get(e.getKey()))) {
          index(e.getValue());
        }
      }
    } finally {
      index.writeLock().unlock();
    }
    synchronized (skipped) {
      skipped.clear();
      bad.forEach((name, why) -> skipped.add(new SkippedNode(name, why)));
    }
  }

  /**
   * Picks up what other processes committed or deleted since this graph last looked. Cheap when
   * nothing changed (one read of a counter); else one listing of {@code graph/}.
   */
  public void refresh() throws IOException {
    try (RootLock.Held c = lock.lockCommit()) {
      syncIfChanged();
    }
  }

  private void syncIfChanged() throws IOException {
    long now = lock.changes();
    if (now != seen) {
      scan();
      seen = now;
    }
  }

  private void changed() {
    mapView = null;
    headsView = null;
    byParentView = null;
  }

  private void index(Node n) {
    changed();
    if (nodes.containsKey(n.id())) {
      unindex(n.id());
    }
    nodes.put(n.id(), n);
    ids.add(n.id());
    if (n.parent() != null) {
      children.computeIfAbsent(n.parent(), k -> new HashSet<>()).add(n.id());
      headIds.remove(n.parent());
    }
    if (!children.containsKey(n.id())) {
      headIds.add(n.id());
    }
  }

  private void unindex(String id) {
    changed();
    Node old = nodes.remove(id);
    ids.remove(id);
    headIds.remove(id);
    if (old != null && old.parent() != null) {
      Set<String> s = children.get(old.parent());
      if (s != null) {
        s.remove(id);
        if (s.isEmpty()) {
          children.remove(old.parent());
          if (nodes.containsKey(old.parent())) {
            headIds.add(old.parent());
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- reads (memory only)

  /**
   * The node with this full ID or unambiguous ID prefix ({@code sha256:} allowed). Its size is
   * computed through the driver the first time when the node was written without one.
   *
   * @throws CairnException NOT_FOUND for an unknown ID, INVALID for an ambiguous prefix
   */
  public Node get(String idOrPrefix) throws IOException {
    Node n = lookup(idOrPrefix);
    if (n.size() < 0) {
      n = computeSize(n);
    }
    return n;
  }

  /** Whether the graph holds a node with exactly this ID. */
  public boolean exists(String id) {
    String hex = NodeFiles.stripSha256(id);
    index.readLock().lock();
    try {
      return nodes.containsKey(hex);
    } finally {
      index.readLock().unlock();
    }
  }

  /** The node with exactly this ID ({@code sha256:} allowed), if the graph holds it. */
  public Optional<Node> node(String id) {
    return Optional.ofNullable(nodeOrNull(NodeFiles.stripSha256(id)));
  }

  /** Every node by ID: an unmodifiable snapshot. */
  public Map<String, Node> map() {
    Map<String, Node> view = mapView;
    if (view != null) {
      return view;
    }
    index.readLock().lock();
    try {
      return mapView = Map.copyOf(nodes);
    } finally {
      index.readLock().unlock();
    }
  }

  /** The nodes that have children, each with its children: an unmodifiable snapshot. */
  public Map<String, List<Node>> byParent() {
    Map<String, List<Node>> view = byParentView;
    if (view != null) {
      return view;
    }
    index.readLock().lock();
    try {
      Map<String, List<Node>> out = new HashMap<>(children.size() * 2);
      for (Map.Entry<String, Set<String>> e : children.entrySet()) {
        List<Node> kids = new ArrayList<>(e.getValue().size());
        for (String c : e.getValue()) {
          kids.add(nodes.get(c));
        }
        out.put(e.getKey(), List.copyOf(kids));
      }
      return byParentView = Collections.unmodifiableMap(out);
    } finally {
      index.readLock().unlock();
    }
  }

  /** The nodes no other node has as parent (the tops of the images): an unmodifiable snapshot. */
  public Map<String, Node> heads() {
    Map<String, Node> view = headsView;
    if (view != null) {
      return view;
    }
    index.readLock().lock();
    try {
      Map<String, Node> out = new HashMap<>(Math.max(16, headIds.size() * 2));
      for (String id : headIds) {
        out.put(id, nodes.get(id));
      }
      return headsView = Collections.unmodifiableMap(out);
    } finally {
      index.readLock().unlock();
    }
  }

  public boolean hasChildren(String id) {
    index.readLock().lock();
    try {
      return children.containsKey(NodeFiles.stripSha256(id));
    } finally {
      index.readLock().unlock();
    }
  }

  private Node lookup(String idOrPrefix) {
    String p = NodeFiles.stripSha256(idOrPrefix);
    if (p.isEmpty() || p.length() > 64 || !isHex(p)) {
      throw CairnException.notFound("no such image: " + CairnException.quote(idOrPrefix));
    }
    index.readLock().lock();
    try {
      Node n = nodes.get(p);
      if (n != null) {
        return n;
      }
      if (p.length() < 64) {
        Set<String> matches = ids.subSet(p, true, p + '~', false);
        if (matches.size() == 1) {
          return nodes.get(matches.iterator().next());
        }
        if (matches.size() > 1) {
          throw CairnException.invalid(
              "ambiguous ID prefix " + p + ": matches " + matches.size() + " images");
        }
      }
    } finally {
      index.readLock().unlock();
    }
    throw CairnException.notFound("no such image: " + p);
  }

  // ---------------------------------------------------------------- register, create, delete

  /**
   * Registers a node: the layer (any supported compression) is applied through the driver while
   * tar-split records it, its DiffID computed in the same pass (and checked against the spec's,
   * when given); the node appears only once complete and on disk. On any error nothing of it
   * remains. The node's parent is the spec's, whatever the JSON's {@code parent} says (some {@code
   * docker build} configs name one); a {@code parent} file records it when the two differ.
   *
   * @throws CairnException CONFLICT when the ID exists, NOT_FOUND when the parent does not, INVALID
   *     for bad JSON, a bad layer, or a DiffID other than the spec's
   */
  public Node register(NodeSpec spec, InputStream layer) throws IOException {
    return register(spec, layer, "registering image " + spec.id());
  }

  /** {@link #register}, failures told in {@code what}'s terms (null: as they are). */
  private Node register(NodeSpec spec, InputStream layer, String what) throws IOException {
    try (Staged staged = prepare(spec, layer, false, what)) {
      return staged.commit();
    }
  }

  /**
   * Whether {@link #stage} can apply a node before its parent exists: the driver keeps each layer's
   * own changes apart from its parent's (overlay), so layers of one image can be applied at once.
   */
  public boolean stagesAhead() {
    return driver.appliesBeforeParent();
  }

  /**
   * Applies a node's layer as {@link #register} does, but before its parent exists when {@link
   * #stagesAhead} (else the parent must exist): the node appears only when {@link Staged#commit} is
   * called, once the parent is registered. Use the result on this thread only, and close it.
   *
   * @throws CairnException as {@link #register}; a missing parent is found by the commit
   * @throws dev.cairn.archive.ParentNeededException when the layer, applied ahead of its parent,
   *     hard-links a file that only the layers below can hold: stage it again once the parent
   *     exists (nothing of this attempt is kept)
   */
  public Staged stage(NodeSpec spec, InputStream layer) throws IOException {
    String parent = spec.parent();
    return prepare(
        spec,
        layer,
        parent != null && stagesAhead() && !exists(parent),
        "registering image " + spec.id());
  }

  /** A node applied by {@link #stage}, not yet registered; closing discards it unless committed. */
  public final class Staged implements AutoCloseable {
    private final NodeSpec spec;
    private final Instant created;
    private final boolean detached; // applied as a base, to go on top of its parent at commit
    private final String what; // what a failure happened in, or null
    private final Path stage;
    private final Path target;
    private boolean imageConfig; // the JSON holds rootfs (Node#imageConfig)
    private final List<AutoCloseable> held = new ArrayList<>(); // released last first
    private boolean started; // the stage directory exists: from here a failure cleans up
    private ApplyResult applied;
    private boolean committed;

    private Staged(
        NodeSpec spec, Instant created, boolean detached, String what, Path stage, Path target) {
      this.spec = spec;
      this.created = created;
      this.detached = detached;
      this.what = what;
      this.stage = stage;
      this.target = target;
    }

    /**
     * Registers the node. When it was applied ahead of its parent, the parent must exist now.
     *
     * @throws CairnException NOT_FOUND when the parent does not exist, CONFLICT when the ID does
     */
    public Node commit() throws IOException {
      String id = spec.id();
      if (committed) {
        throw new IllegalStateException("image " + id + ": already committed");
      }
      try {
        if (detached) {
          held.add(parentHold(spec));
          driver.attach(id, spec.parent(), applied.rootEntry());
        }
        // The layer's files are part of what the rename commits: one syncfs forces them all to
        // disk.
        dev.cairn.posix.Posix.syncfs(stage.toAbsolutePath().toString());
        NodeFiles.writeSynced(stage.resolve(NodeFiles.DIFFID), ascii(applied.diffId()));
        NodeFiles.writeSynced(
            stage.resolve(NodeFiles.LAYERSIZE),
            Long.toString(applied.size()).getBytes(StandardCharsets.US_ASCII));
        NodeFiles.syncDir(stage);
        try (RootLock.Held c = lock.lockCommit()) {
          try {
            Files.move(stage, target, StandardCopyOption.ATOMIC_MOVE);
          } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            throw new CairnException(
                CairnException.Kind.CONFLICT, "image " + id + " already exists");
          }
          committed = true;
          NodeFiles.syncDir(dir);
          committed();
        }
      } catch (CairnException e) {
        throw what == null ? e : e.in(what);
      }
      Node n =
          new Node(
              id,
              spec.parent(),
              created,
              applied.size(),
              applied.diffId(),
              spec.layerDigest(),
              imageConfig);
      index.writeLock().lock();
      try {
        index(n);
      } finally {
        index.writeLock().unlock();
      }
      return n;
    }

    /** Discards the node unless it was committed, and releases what it held. */
    @Override
    public void close() throws IOException {
      IOException failure = null;
      if (!committed) {
        try {
          discard();
        } catch (IOException e) {
          failure = e;
        }
      }
      for (AutoCloseable c : held.reversed()) {
        try {
          c.close();
        } catch (Exception e) {
          if (failure == null) {
            failure = e instanceof IOException io ? io : new IOException(e);
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      held.clear();
      if (failure != null) {
        throw failure;
      }
    }

    private void discard() throws IOException {
      if (!started) {
        return;
      }
      if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) { // else committed by the move
        driver.remove(spec.id());
      }
      NodeFiles.deleteTree(stage);
    }
  }

  /** The parent of {@code spec}, held; it must exist. */
  private Hold parentHold(NodeSpec spec) throws IOException {
    if (!exists(spec.parent())) {
      refresh();
      if (!exists(spec.parent())) {
        throw CairnException.notFound("parent image " + spec.parent() + " not found");
      }
    }
    return retain(List.of(spec.parent()));
  }

  private Staged prepare(NodeSpec spec, InputStream layer, boolean detached, String what)
      throws IOException {
    String id = spec.id();
    byte[] json = spec.json();
    String jsonParent;
    Instant created;
    boolean imageConfig;
    try {
      JsonObject obj = Json.parseObject(json, "json");
      jsonParent = NodeFiles.jsonParent(obj);
      created = NodeFiles.created(obj);
      imageConfig = EngineImage.hasRootFs(obj);
    } catch (CairnException e) {
      throw what == null ? e : e.in(what);
    }
    Path target = dir.resolve(id);
    Staged staged =
        new Staged(spec, created, detached, what, tmp.resolve(id + "." + random()), target);
    staged.imageConfig = imageConfig;
    try {
      // The parent is held (not locked) so that ID locks never nest; a node applied ahead of its
      // parent takes the hold at commit, holding its own ID lock (nothing takes a child's ID lock
      // while it holds the parent's).
      if (spec.parent() != null && !detached) {
        staged.held.add(parentHold(spec));
      }
      staged.held.add(lock.lockId(id));
      if (exists(id)) {
        throw new CairnException(CairnException.Kind.CONFLICT, "image " + id + " already exists");
      }
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        refresh(); // committed by another process, or corrupt
        if (exists(id)) {
          throw new CairnException(CairnException.Kind.CONFLICT, "image " + id + " already exists");
        }
        removeCorrupt(id);
      }
      Files.createDirectory(staged.stage);
      staged.started = true;
      // An interrupt fails this sync (an interruptible channel): inside the try, so the stage goes.
      NodeFiles.syncDir(tmp); // the staging name marks the driver layer as ours until commit
      staged.applied = apply(spec, json, jsonParent, layer, staged.stage, detached);
      return staged;
    } catch (IOException | RuntimeException | Error e) {
      try {
        staged.close();
      } catch (IOException | RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      if (e instanceof CairnException c && what != null) {
        throw c.in(what);
      }
      throw e;
    }
  }

  private ApplyResult apply(
      NodeSpec spec,
      byte[] json,
      String jsonParent,
      InputStream layer,
      Path stage,
      boolean detached)
      throws IOException {
    String id = spec.id();
    NodeFiles.writeSynced(stage.resolve(NodeFiles.JSON), json);
    if (spec.unfinished()) {
      Unfinished.mark(stage);
    }
    if (spec.v1Compatibility() != null) {
      NodeFiles.writeSynced(stage.resolve(NodeFiles.V1_COMPATIBILITY), spec.v1Compatibility());
    }
    if (spec.layerDigest() != null) {
      NodeFiles.writeSynced(stage.resolve(NodeFiles.CHECKSUM), ascii(spec.layerDigest()));
    }
    if (!java.util.Objects.equals(spec.parent(), jsonParent)) {
      // The spec decides; an empty file says "no parent" for a base whose JSON names one.
      String parent = spec.parent() == null ? "" : spec.parent();
      NodeFiles.writeSynced(
          stage.resolve(NodeFiles.PARENT), parent.getBytes(StandardCharsets.US_ASCII));
    }
    if (driver.exists(id)) {
      driver.remove(id); // left by a register that died before its commit
    }
    String below = detached ? null : spec.parent();
    driver.create(id, below);
    ApplyResult applied =
        driver.applyDiff(
            id, spec.parent(), layer, Layer.recordingTarSplit(stage.resolve(NodeFiles.TAR_DATA)));
    if (spec.diffId() != null && !spec.diffId().equals(applied.diffId())) {
      throw CairnException.invalid(
          "the layer's DiffID is " + applied.diffId() + ", not the expected " + spec.diffId());
    }
    return applied;
  }

  // After a commit of ours: our index is current only if no one else committed since we looked.
  private void committed() throws IOException {
    long before = lock.changes();
    long after = lock.bump();
    if (before == seen) {
      seen = after;
    }
  }

  /**
   * Registers a layer as a new node with a random ID on top of {@code parent} (null for a base),
   * its JSON written as Docker wrote an image JSON, with the time of now.
   */
  public Node create(String parent, String comment, InputStream layer) throws IOException {
    String id;
    do {
      byte[] b = new byte[32];
      RANDOM.nextBytes(b);
      id = HEX.formatHex(b);
    } while (exists(id));
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("id").string(id);
    if (parent != null) {
      w.punct(',').name("parent").string(parent);
    }
    if (comment != null && !comment.isEmpty()) {
      w.punct(',').name("comment").string(comment);
    }
    w.punct(',').name("created").string(Instant.now().toString());
    // As docker import does: the image is for the platform it was made on.
    Platform host = Platform.host();
    w.punct(',').name("architecture").string(host.architecture());
    w.punct(',').name("os").string(host.os()).punct('}');
    byte[] json = V1Image.decode(w.toByteArray()).encode(); // Go's field order and defaults
    // The ID is made up here and names nothing to the caller: a failure is told as it is.
    return register(NodeSpec.of(id, parent, json), layer, null);
  }

  /**
   * Deletes a node atomically: it is renamed away first, then its files and driver layer removed.
   *
   * @throws CairnException NOT_FOUND, or CONFLICT when it has children or is retained
   */
  public void delete(String idOrPrefix) throws IOException {
    String id = lookup(idOrPrefix).id();
    Path away = tmp.resolve(id + "." + random() + DELETED);
    try (RootLock.Held idLock = lock.lockId(id)) {
      try (RootLock.Held c = lock.lockCommit()) {
        syncIfChanged(); // children another process registered must count
        if (!exists(id)) {
          throw CairnException.notFound("no such image: " + id);
        }
        if (hasChildren(id)) {
          throw new CairnException(
              CairnException.Kind.CONFLICT,
              "image " + id + " cannot be deleted: it has dependent child images");
        }
        if (lock.retained(id)) {
          throw new CairnException(
              CairnException.Kind.CONFLICT, "image " + id + " cannot be deleted: it is in use");
        }
        if (Mounts.count(dir.resolve(id)) > 0) {
          throw new CairnException(
              CairnException.Kind.CONFLICT, "image " + id + " cannot be deleted: it is mounted");
        }
        Files.move(dir.resolve(id), away, StandardCopyOption.ATOMIC_MOVE);
        NodeFiles.syncDir(dir);
        NodeFiles.syncDir(tmp);
        committed();
        index.writeLock().lock();
        try {
          unindex(id);
        } finally {
          index.writeLock().unlock();
        }
      }
      driver.remove(id);
      NodeFiles.deleteTree(away);
    }
  }

  // A directory under graph/ that does not load: moved away and removed with its layer.
  private void removeCorrupt(String id) throws IOException {
    Path away = tmp.resolve(id + "." + random() + DELETED);
    try (RootLock.Held c = lock.lockCommit()) {
      Files.move(dir.resolve(id), away, StandardCopyOption.ATOMIC_MOVE);
      NodeFiles.syncDir(dir);
      committed();
    }
    driver.remove(id);
    NodeFiles.deleteTree(away);
    synchronized (skipped) {
      skipped.removeIf(s -> s.name().equals(id));
    }
  }

  // ---------------------------------------------------------------- retain / release

  /** Nodes held by {@link #retain}; closing releases them. */
  public interface Hold extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /**
   * Holds nodes so that no thread or process can delete them until the hold is closed (a pull holds
   * what it reuses and registers). Each must exist, here or on disk.
   *
   * @throws CairnException NOT_FOUND for a node that does not exist
   */
  public Hold retain(Collection<String> ids) throws IOException {
    List<String> held = new ArrayList<>();
    Hold hold =
        () -> {
          for (String id : held.reversed()) {
            release(id);
          }
        };
    try {
      for (String raw : ids) {
        String id = NodeFiles.stripSha256(raw);
        checkId(id, "image ID");
        try (RootLock.Held idLock = lock.lockId(id)) {
          if (!exists(id) && !Files.isDirectory(dir.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
            throw CairnException.notFound("no such image: " + id);
          }
          lock.retain(id);
          retained.merge(id, 1, Integer::sum);
          held.add(id);
        }
      }
      return hold;
    } catch (IOException | RuntimeException e) {
      hold.close();
      throw e;
    }
  }

  private void release(String id) throws IOException {
    retained.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
    lock.unretain(id);
  }

  /** Whether any thread or process holds the node through {@link #retain}. */
  public boolean isRetained(String id) throws IOException {
    String hex = NodeFiles.stripSha256(id);
    if (retained.containsKey(hex)) {
      return true;
    }
    checkId(hex, "image ID");
    try (RootLock.Held idLock = lock.lockId(hex)) {
      return lock.retained(hex);
    }
  }

  /**
   * Marks the image whose top node is {@code id} finished: a node registered {@link
   * NodeSpec#unfinished} lists as an image of its own from now on. Call it once the image's names
   * are recorded, so that a name and its image appear together. The nodes below an image config
   * ({@link Node#imageConfig}) keep their marks: they are its layers. Every node of a Docker
   * 1.9-style chain is an image, so there the marks go all the way down. A node without the mark is
   * left as it is.
   */
  public void finish(String id) throws IOException {
    String hex = NodeFiles.stripSha256(id);
    checkId(hex, "image ID");
    for (String next = hex; next != null; ) {
      try (RootLock.Held idLock = lock.lockId(next)) {
        Unfinished.clear(dir.resolve(next));
      }
      Node n = nodeOrNull(next);
      next = n == null || n.imageConfig() ? null : n.parent();
    }
  }

  /**
   * Whether the node was committed as part of an image that is not finished ({@link #finish}): a
   * layer of an image still being made, or left by one that never completed, and no image itself.
   */
  public boolean isUnfinished(String id) {
    String hex = NodeFiles.stripSha256(id);
    checkId(hex, "image ID");
    return Unfinished.marked(dir.resolve(hex));
  }

  // ---------------------------------------------------------------- layers

  /**
   * Writes the node's layer tar to {@code out}: byte for byte the tar it was registered from,
   * rebuilt from tar-split metadata and the driver's files, each file's CRC checked (a changed file
   * is an error, never a wrong tar). A node without tar-split metadata (Docker 1.8) gets the
   * driver's diff, recorded so that every later call writes the same bytes. A missing DiffID is
   * computed and stored on the way.
   *
   * @return the tar's length in bytes
   */
  public long tarLayer(String idOrPrefix, OutputStream out) throws IOException {
    Node n = lookup(idOrPrefix);
    try (Hold h = retain(List.of(n.id()))) {
      Path nodeDir = dir.resolve(n.id());
      Path meta = nodeDir.resolve(NodeFiles.TAR_DATA);
      if (Files.exists(meta) && n.diffId() != null) {
        try (InputStream in = Files.newInputStream(meta)) {
          try (FileSource files = driver.files(n.id())) {
            return TarSplit.assemble(in, files, out);
          }
        }
      }
      DigestingOutput digesting = new DigestingOutput(out);
      long written;
      if (Files.exists(meta)) {
        try (InputStream in = Files.newInputStream(meta)) {
          try (FileSource files = driver.files(n.id())) {
            written = TarSplit.assemble(in, files, digesting);
          }
        }
        digesting.flush();
      } else {
        written = recordDriverDiff(n, digesting);
      }
      Digest diffId = digesting.digester.digest();
      storeDiffId(n.id(), diffId);
      return written;
    } catch (CairnException e) {
      throw e.in("layer of image " + n.id());
    }
  }

  /**
   * The length of the tar {@link #tarLayer} writes, from the tar-split metadata alone, so that a
   * caller can announce it before streaming the layer. A node without metadata or DiffID has its
   * layer rebuilt once first (which records both).
   */
  public long tarLayerSize(String idOrPrefix) throws IOException {
    Node n = lookup(idOrPrefix);
    Path meta = dir.resolve(n.id()).resolve(NodeFiles.TAR_DATA);
    if (!Files.exists(meta) || n.diffId() == null) {
      tarLayer(n.id(), OutputStream.nullOutputStream());
    }
    try (InputStream in = Files.newInputStream(meta)) {
      return TarSplit.size(in);
    } catch (CairnException e) {
      throw e.in("layer of image " + n.id());
    }
  }

  // Docker 1.8 nodes: the driver's diff, tee'd to the caller while tar-split records it.
  private long recordDriverDiff(Node n, OutputStream out) throws IOException {
    Path staged = tmp.resolve(n.id() + "." + random() + "." + NodeFiles.TAR_DATA);
    try {
      long size;
      try (InputStream diff = driver.diff(n.id(), n.parent());
          FileOutputStream meta = new FileOutputStream(staged.toFile())) {
        InputStream tee = new TeeInput(new BufferedInputStream(diff, 64 * 1024), out);
        EntryHandler ignore = (entry, payload) -> {};
        size = TarSplit.disassemble(tee, meta, ignore);
        tee.transferTo(OutputStream.nullOutputStream());
        out.flush();
        meta.getFD().sync();
      }
      try (RootLock.Held idLock = lock.lockId(n.id())) {
        Path target = dir.resolve(n.id()).resolve(NodeFiles.TAR_DATA);
        if (!Files.exists(target)) {
          Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
          NodeFiles.syncDir(dir.resolve(n.id()));
        }
      }
      return size;
    } finally {
      Files.deleteIfExists(staged);
    }
  }

  private void storeDiffId(String id, Digest diffId) throws IOException {
    try (RootLock.Held idLock = lock.lockId(id)) {
      Node n = nodeOrNull(id);
      if (n == null) {
        return;
      }
      if (n.diffId() != null && !n.diffId().equals(diffId)) {
        throw CairnException.invalid(
            "the rebuilt tar has digest " + diffId + ", but the node's DiffID is " + n.diffId());
      }
      if (n.diffId() == null) {
        NodeFiles.replace(dir.resolve(id), NodeFiles.DIFFID, ascii(diffId), tmp);
        update(id, x -> x.withDiffId(diffId));
      }
    }
  }

  /**
   * The node's layer as a temporary file: the tar is written in full (and checked) before the
   * stream is handed out, and the file is gone once the stream is closed or the process exits.
   */
  public TempLayer tempLayerArchive(String idOrPrefix) throws IOException {
    Node n = lookup(idOrPrefix);
    Path file = tmp.resolve(n.id() + "." + random() + ".tar");
    try {
      try (FileOutputStream out = new FileOutputStream(file.toFile())) {
        tarLayer(n.id(), out);
      }
      InputStream in = Files.newInputStream(file);
      long size = Files.size(file);
      Files.delete(file); // the open stream keeps the data; nothing is left behind
      return new TempLayer(in, size);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The node's DiffID, computed from its layer (and stored) when it was not recorded. */
  public Digest diffId(String idOrPrefix) throws IOException {
    Node n = lookup(idOrPrefix);
    if (n.diffId() != null) {
      return n.diffId();
    }
    tarLayer(n.id(), OutputStream.nullOutputStream());
    return lookup(n.id()).diffId();
  }

  private Node computeSize(Node n) throws IOException {
    long size = driver.diffSize(n.id(), n.parent());
    try (RootLock.Held idLock = lock.lockId(n.id())) {
      if (nodeOrNull(n.id()) == null) {
        throw CairnException.notFound("no such image: " + n.id());
      }
      NodeFiles.replace(
          dir.resolve(n.id()),
          NodeFiles.LAYERSIZE,
          Long.toString(size).getBytes(StandardCharsets.US_ASCII),
          tmp);
      return update(n.id(), x -> x.withSize(size));
    }
  }

  // ---------------------------------------------------------------- metadata

  /** The node's image JSON, byte for byte as registered. */
  public byte[] rawJSON(String idOrPrefix) throws IOException {
    Node n = lookup(idOrPrefix);
    byte[] b = NodeFiles.readCapped(dir.resolve(n.id()).resolve(NodeFiles.JSON), 8 << 20, "json");
    if (b == null) {
      throw CairnException.notFound("image " + n.id() + ": json is missing");
    }
    return b;
  }

  /** The digest of the blob the layer came from, when known. */
  public Optional<Digest> layerDigest(String idOrPrefix) {
    return Optional.ofNullable(lookup(idOrPrefix).layerDigest());
  }

  public void setLayerDigest(String idOrPrefix, Digest digest) throws IOException {
    String id = lookup(idOrPrefix).id();
    try (RootLock.Held idLock = lock.lockId(id)) {
      requireOnDisk(id);
      NodeFiles.replace(dir.resolve(id), NodeFiles.CHECKSUM, ascii(digest), tmp);
      update(id, x -> x.withLayerDigest(digest));
    }
  }

  /** The manifest's v1Compatibility stored for the node, when there is one. */
  public Optional<byte[]> v1Compatibility(String idOrPrefix) throws IOException {
    Node n = lookup(idOrPrefix);
    return Optional.ofNullable(
        NodeFiles.readCapped(
            dir.resolve(n.id()).resolve(NodeFiles.V1_COMPATIBILITY),
            8 << 20,
            NodeFiles.V1_COMPATIBILITY));
  }

  public void setV1Compatibility(String idOrPrefix, byte[] v1Compatibility) throws IOException {
    String id = lookup(idOrPrefix).id();
    try (RootLock.Held idLock = lock.lockId(id)) {
      requireOnDisk(id);
      NodeFiles.replace(dir.resolve(id), NodeFiles.V1_COMPATIBILITY, v1Compatibility.clone(), tmp);
    }
  }

  /**
   * Makes sure the node and each of its ancestors has a v1Compatibility, generating the missing
   * ones from the base up: the node JSON with {@code id} stripped of a {@code sha256:} prefix (the
   * node ID when the JSON has none) and {@code parent} set to the parent's generated {@code id},
   * written as Go writes a map. Returns the node's own.
   */
  public byte[] generateV1CompatibilityChain(String idOrPrefix) throws IOException {
    List<Node> chain = new ArrayList<>();
    for (Node n = lookup(idOrPrefix);
        n != null;
        n = n.parent() == null ? null : lookup(n.parent())) {
      chain.add(n);
    }
    String parentV1Id = null;
    byte[] v1 = null;
    for (Node n : chain.reversed()) {
      v1 = v1Compatibility(n.id()).orElse(null);
      if (v1 == null) {
        v1 = makeV1Compatibility(n, parentV1Id);
        setV1Compatibility(n.id(), v1);
      }
      JsonValue idValue = Json.parseObject(v1, "v1Compatibility of image " + n.id()).get("id");
      parentV1Id = idValue instanceof JsonString s ? s.value() : n.id();
    }
    return v1;
  }

  private byte[] makeV1Compatibility(Node n, String parentV1Id) throws IOException {
    JsonObject obj = Json.parseObject(rawJSON(n.id()), "json of image " + n.id());
    JsonValue idValue = obj.get("id");
    String v1Id =
        idValue instanceof JsonString s && !s.value().isEmpty()
            ? NodeFiles.stripSha256(s.value())
            : n.id();
    RawObject v1 = RawObject.of(obj).remove("parent").putString("id", v1Id);
    if (parentV1Id != null) {
      v1.putString("parent", parentV1Id);
    }
    return v1.encode();
  }

  // ---------------------------------------------------------------- helpers

  private Node nodeOrNull(String id) {
    index.readLock().lock();
    try {
      return nodes.get(id);
    } finally {
      index.readLock().unlock();
    }
  }

  private Node update(String id, java.util.function.UnaryOperator<Node> change) {
    index.writeLock().lock();
    try {
      Node n = nodes.get(id);
      if (n == null) {
        throw CairnException.notFound("no such image: " + id);
      }
      Node changed = change.apply(n);
      nodes.put(id, changed);
      changed();
      return changed;
    } finally {
      index.writeLock().unlock();
    }
  }

  private void requireOnDisk(String id) {
    if (!Files.isDirectory(dir.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
      throw CairnException.notFound("no such image: " + id);
    }
  }

  private static byte[] ascii(Digest d) {
    return d.toString().getBytes(StandardCharsets.US_ASCII);
  }

  static String random() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return HEX.formatHex(b);
  }

  static boolean isId(String s) {
    return s.length() == 64 && isHex(s);
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  static void checkId(String id, String what) {
    if (id == null || !isId(id)) {
      throw CairnException.invalid(
          what
              + " "
              + (id == null ? "null" : CairnException.quote(id))
              + " is not 64 lowercase hex digits");
    }
  }

  RootLock lock() {
    return lock;
  }

  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    lock.release();
  }

  /** An output stream that digests what passes through. */
  private static final class DigestingOutput extends FilterOutputStream {
    final Digester digester = Digester.sha256();

    DigestingOutput(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      digester.update(b, off, len);
      out.write(b, off, len);
    }
  }

  /** An input stream that copies what is read from it to an output stream. */
  private static final class TeeInput extends InputStream {
    private final InputStream in;
    private final OutputStream copy;

    TeeInput(InputStream in, OutputStream copy) {
      this.in = in;
      this.copy = copy;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        copy.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        copy.write(b, off, n);
      }
      return n;
    }
  }
}
