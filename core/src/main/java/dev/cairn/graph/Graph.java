package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.driver.DirectoryModes;
import dev.cairn.driver.Driver;
import dev.cairn.image.Platform;
import dev.cairn.image.V1Image;
import dev.cairn.json.GoJsonWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The local image graph (ARCHITECTURE.md, On-disk layout): one node per layer, each with its image
 * JSON, linked to its parent, laid out on disk as Docker 1.9 did. This class is the read API and
 * the entrance to the rest: the nodes in memory ({@link NodeIndex}), the staging and commit of a
 * node ({@link NodeCommit}, whose comment gives the failure rule), layer export ({@link
 * LayerExport}), v1Compatibility generation ({@link V1Chain}).
 *
 * <p>Crash safety: a node becomes visible only by the rename of a complete, fsync'd staging
 * directory into {@code graph/<id>}; a delete renames the node away before removing anything.
 * Staging names start with the node ID, so leftovers and their driver layers are found and removed
 * by the next open that has the store to itself.
 *
 * <p>Locking: register, delete and metadata writes of one ID exclude each other across threads and
 * processes through a per-ID lock; the renames into and out of {@code graph/} happen under one
 * store-wide commit lock that also bumps a change counter, from which a graph learns that another
 * process changed the store ({@link #refresh}). Retained nodes hold a shared lock that delete
 * tests, so a pull in one process keeps its nodes safe from a delete in another; a mounted node
 * ({@link Mounts}) is safe the same way. See {@link RootLock} for the byte ranges.
 */
public final class Graph implements Closeable {
  static final String TMP = "_tmp";
  private static final String DELETED = ".del";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private final Path root;
  private final Path dir;
  private final Path tmp;
  private final Driver driver;
  private final RootLock lock;
  private final Mounts mounts;
  private final LayerExport layers = new LayerExport(this);
  private final GraphIndex index;
  private final KeptBlobs blobs;
  private final Map<String, Integer> retained = new ConcurrentHashMap<>();
  private boolean closed;

  private Graph(Path root, Driver driver, RootLock lock) {
    this.root = root;
    this.dir = root.resolve("graph");
    this.tmp = dir.resolve(TMP);
    this.driver = driver;
    this.lock = lock;
    this.mounts = new Mounts(this);
    this.index = new GraphIndex(dir, tmp, driver, lock);
    this.blobs = new KeptBlobs(this);
  }

  /**
   * Opens (creating if needed) the graph under {@code root} whose layers {@code driver} keeps. When
   * no other process has the store open, leftovers of interrupted work are removed first. No node
   * is read here: each is read when first needed ({@link GraphIndex}). A corrupt node is left out
   * and reported by {@link #skipped} when found; it never stops the rest.
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
        g.index.opened();
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

  /** The original layer blobs pulls kept ({@code pull --keep-blobs}). */
  public KeptBlobs blobs() {
    return blobs;
  }

  /** The mounts users made of nodes ({@code cairn mount}), counted across processes. */
  public Mounts mounts() {
    return mounts;
  }

  /**
   * The node directories left out so far, with the reasons: those found unusable when a node was
   * read with its chain, and, once a question about the whole graph was asked, every one.
   */
  public List<SkippedNode> skipped() {
    return index.skipped();
  }

  /** Tells {@code listener} of each node directory left out from now on, as it is found. */
  public void onSkipped(java.util.function.Consumer<SkippedNode> listener) {
    index.onSkipped(listener);
  }

  /** {@code graph/}: the node directories. */
  Path dir() {
    return dir;
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

  /**
   * Picks up what other processes committed or deleted since this graph last looked. Cheap when
   * nothing changed (one read of a counter); else one listing of {@code graph/}.
   */
  public void refresh() throws IOException {
    try (RootLock.Held c = lock.lockCommit()) {
      syncIfChanged();
    }
  }

  void syncIfChanged() throws IOException {
    index.syncIfChanged();
  }

  // ---------------------------------------------------------------- reads (memory only)

  /**
   * The node with this full ID or unambiguous ID prefix ({@code sha256:} allowed). Its size is
   * computed through the driver the first time when the node was written without one. A full ID
   * reads only that node's chain; a prefix asks the whole graph.
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
    return nodeOrNull(NodeFiles.stripSha256(id)) != null;
  }

  /** The node with exactly this ID ({@code sha256:} allowed), if the graph holds it. */
  public Optional<Node> node(String id) {
    return Optional.ofNullable(nodeOrNull(NodeFiles.stripSha256(id)));
  }

  /**
   * The IDs of the nodes starting with {@code hexPrefix}, when the index file can tell them without
   * the whole graph being read (it is in line with {@code graph/}); else empty, and {@link #map}
   * answers. The nodes are not read: a node found this way may still be left out when it is.
   */
  public Optional<List<String>> idsWithPrefix(String hexPrefix) throws IOException {
    return index.idsWithPrefix(hexPrefix);
  }

  // The reads below read node files or the index file on first use; they kept the signatures they
  // had when everything was read at open, so their I/O failures come unchecked.
  private Node nodeOrNull(String hex) {
    try {
      return isId(hex) ? index.node(hex) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void complete() {
    try {
      index.ensureComplete();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every node by ID: an unmodifiable snapshot. */
  public Map<String, Node> map() {
    complete();
    return index.nodes.map();
  }

  /** The nodes that have children, each with its children: an unmodifiable snapshot. */
  public Map<String, List<Node>> byParent() {
    complete();
    return index.nodes.byParent();
  }

  /** The nodes no other node has as parent (the tops of the images): an unmodifiable snapshot. */
  public Map<String, Node> heads() {
    complete();
    return index.nodes.heads();
  }

  public boolean hasChildren(String id) {
    complete();
    return index.nodes.hasChildren(NodeFiles.stripSha256(id));
  }

  /**
   * What a listing shows of the node's JSON, from the graph index; empty when the JSON does not
   * decode as docker decodes an image (a listing then reads it, and fails as docker does).
   */
  /**
   * Every node as a {@link NodeTable}, for what goes through the whole graph at once (a listing):
   * read from the index without an object per node when the index is in line with {@code graph/}.
   */
  public NodeTable table() throws IOException {
    return index.table();
  }

  public Optional<NodeFacts> facts(String id) throws IOException {
    return Optional.ofNullable(index.facts(NodeFiles.stripSha256(id)));
  }

  private Node lookup(String idOrPrefix) throws IOException {
    String p = NodeFiles.stripSha256(idOrPrefix);
    if (p.isEmpty() || p.length() > 64 || !isHex(p)) {
      throw CairnException.notFound("no such image: " + CairnException.quote(idOrPrefix));
    }
    if (p.length() == 64) {
      Node n = index.node(p);
      if (n == null) {
        throw CairnException.notFound("no such image: " + p);
      }
      return n;
    }
    index.ensureComplete();
    return index.nodes.lookup(p);
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
    try (NodeCommit staged = NodeCommit.prepare(this, spec, layer, false, what)) {
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
    return new Staged(
        NodeCommit.prepare(
            this,
            spec,
            layer,
            parent != null && stagesAhead() && !exists(parent),
            "registering image " + spec.id()));
  }

  /**
   * A node applied by {@link #stage}, not yet registered; closing discards it unless committed
   * ({@link NodeCommit} tells what each step leaves).
   */
  public static final class Staged implements AutoCloseable {
    private final NodeCommit commit;

    private Staged(NodeCommit commit) {
      this.commit = commit;
    }

    /**
     * Registers the node. When it was applied ahead of its parent, the parent must exist now.
     *
     * @throws CairnException NOT_FOUND when the parent does not exist, CONFLICT when the ID does
     */
    public Node commit() throws IOException {
      return commit.commit();
    }

    /** Discards the node unless it was committed, and releases what it held. */
    @Override
    public void close() throws IOException {
      commit.close();
    }
  }

  /** The parent of {@code spec}, held; it must exist. */
  Hold parentHold(NodeSpec spec) throws IOException {
    if (!exists(spec.parent())) {
      refresh();
      if (!exists(spec.parent())) {
        throw CairnException.notFound("parent image " + spec.parent() + " not found");
      }
    }
    return retain(List.of(spec.parent()));
  }

  /**
   * Step 3 of {@link NodeCommit}: under the commit lock, bumps the change counter, renames the
   * staged node into place, and makes it known (in memory and in the index file); {@code moved}
   * runs as soon as the rename succeeded.
   */
  void commitRename(Path stage, Path target, IndexFile.Entry entry, Runnable moved)
      throws IOException {
    try (RootLock.Held c = lock.lockCommit()) {
      IndexFile.Header h = index.fresh();
      index.bump();
      try {
        Files.move(stage, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        index.append(h, List.of()); // nothing changed: the index still holds
        throw e;
      }
      moved.run();
      NodeFiles.syncDir(dir);
      index.committed(h, entry);
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
    index.ensureComplete(); // children count
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
        Digest layer = node(id).map(Node::layerDigest).orElse(null);
        IndexFile.Header h = index.fresh();
        index.bump();
        Files.move(dir.resolve(id), away, StandardCopyOption.ATOMIC_MOVE);
        NodeFiles.syncDir(dir);
        NodeFiles.syncDir(tmp);
        index.deleted(h, id);
        blobs.dropUnused(layer); // the last node with it took the kept blob along
      }
      driver.remove(id);
      NodeFiles.deleteTree(away);
    }
  }

  // A directory under graph/ that does not load: moved away and removed with its layer.
  void removeCorrupt(String id) throws IOException {
    Path away = tmp.resolve(id + "." + random() + DELETED);
    try (RootLock.Held c = lock.lockCommit()) {
      Digest layer = node(id).map(Node::layerDigest).orElse(null);
      IndexFile.Header h = index.fresh();
      index.bump();
      Files.move(dir.resolve(id), away, StandardCopyOption.ATOMIC_MOVE);
      NodeFiles.syncDir(dir);
      index.deleted(h, id);
      blobs.dropUnused(layer);
    }
    driver.remove(id);
    NodeFiles.deleteTree(away);
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
      try (RootLock.Held idLock = lock.lockId(next);
          RootLock.Held c = lock.lockCommit()) {
        if (Unfinished.marked(dir.resolve(next))) {
          // Bumped first: a crash before the index records it leaves the index behind, not wrong.
          IndexFile.Header h = index.fresh();
          index.bump();
          Unfinished.clear(dir.resolve(next));
          index.finished(h, next);
        }
      }
      Node n = index.node(next);
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
    return index.isUnfinished(hex);
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
    return layers.tarLayer(lookup(idOrPrefix), out);
  }

  /**
   * The length of the tar {@link #tarLayer} writes, from the tar-split metadata alone, so that a
   * caller can announce it before streaming the layer. A node without metadata or DiffID has its
   * layer rebuilt once first (which records both).
   */
  public long tarLayerSize(String idOrPrefix) throws IOException {
    return layers.tarLayerSize(lookup(idOrPrefix));
  }

  /** {@link LayerExport#tempLayerArchive}. */
  TempLayer tempLayerArchive(String idOrPrefix) throws IOException {
    return layers.tempLayerArchive(lookup(idOrPrefix));
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
      if (index.node(n.id()) == null) {
        throw CairnException.notFound("no such image: " + n.id());
      }
      NodeFiles.replace(
          dir.resolve(n.id()),
          NodeFiles.LAYERSIZE,
          Long.toString(size).getBytes(StandardCharsets.US_ASCII),
          tmp);
      return updated(n.id(), x -> x.withSize(size));
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

  /** Records the digest of the blob the node's layer came from. */
  void setLayerDigest(String idOrPrefix, Digest digest) throws IOException {
    String id = lookup(idOrPrefix).id();
    try (RootLock.Held idLock = lock.lockId(id)) {
      requireOnDisk(id);
      NodeFiles.replace(dir.resolve(id), NodeFiles.CHECKSUM, ascii(digest), tmp);
      updated(id, x -> x.withLayerDigest(digest));
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

  /**
   * The compressed blobs node {@code id}'s layer is known under, newest first (its {@code
   * v2metadata} file); none when it has none or the file does not parse ({@code fsck} reports it).
   */
  public List<KnownBlob> knownBlobs(String id) throws IOException {
    return KnownBlobs.RECORDS.get(this, id);
  }

  /**
   * Records that node {@code id}'s layer is known as {@code blob}: first, an older entry of the
   * same digest, host and repository dropped, the oldest beyond the cap gone; replaced atomically
   * under the node's lock, a file that does not parse started anew.
   *
   * @return a warning when a file that did not parse was replaced, else empty
   * @throws CairnException NOT_FOUND when the node does not exist
   */
  public Optional<String> recordKnownBlob(String id, KnownBlob blob) throws IOException {
    return KnownBlobs.RECORDS.update(this, id, old -> KnownBlobs.with(old, blob));
  }

  /**
   * The manifests the image whose top node is {@code id} was pulled with, one per registry and
   * repository, newest first (its {@code v2manifests} file); none when it does not parse.
   */
  public List<PulledManifest> pulledManifests(String id) throws IOException {
    return PulledManifests.RECORDS.get(this, id);
  }

  /**
   * Records that the image whose top node is {@code id} was pulled with {@code manifest}, as {@link
   * #recordKnownBlob} records a blob.
   */
  public Optional<String> recordPulledManifest(String id, PulledManifest manifest)
      throws IOException {
    return PulledManifests.RECORDS.update(this, id, old -> PulledManifests.with(old, manifest));
  }

  // ---------------------------------------------------------------- helpers

  /** Replaces the in-memory node {@code id} by {@code change} of it, after its files changed. */
  Node updated(String id, UnaryOperator<Node> change) throws IOException {
    Node n = index.nodes.update(id, change);
    index.metadataChanged(id);
    return n;
  }

  private void requireOnDisk(String id) {
    if (!Files.isDirectory(dir.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
      throw CairnException.notFound("no such image: " + id);
    }
  }

  static byte[] ascii(Digest d) {
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
}
