package dev.cairn.graph;

import dev.cairn.digest.Digest;
import dev.cairn.driver.DirectoryModes;
import dev.cairn.driver.Driver;
import dev.cairn.image.Reference;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * A check of the whole store as it lies on disk (docs/ARCHITECTURE.md, Checking the store): every
 * node directory under {@code graph/} on its own ({@link NodeCheck}, in parallel on virtual
 * threads, a bounded number at a time), then what ties nodes together (parents, strong-ID and
 * ChainID chains, each config's DiffIDs), the tags, the driver's layers and, when no other process
 * has the store open, the leftovers in {@code graph/_tmp}. It reads {@code graph/} itself and never
 * the graph's index, so it sees the nodes that opening a graph leaves out.
 *
 * <p>A repair removes each broken node and every node above it, children first, with their tags
 * (under the locks a delete takes, so a node held by a pull, save or load, or mounted, is reported
 * and kept), rewrites what cairn computes again (a {@code layersize} that is no number, a missing
 * {@code diffid} that the layer rebuilds to), and removes orphan layers, stray directories and
 * leftovers. It never removes a node that passed every check and has no broken node below it.
 */
public final class Fsck {
  private static final String TMP = "_tmp";

  /** Where the check's findings go, in the order they are made. */
  public interface Listener {
    /** A problem: what ({@code subject}: a node, a tag, a path) and why. */
    void problem(String subject, String reason);

    /**
     * What a repair did: {@code Untagged}, {@code Deleted}, {@code Removed}, {@code Fixed}, or
     * {@code Kept}.
     */
    void repaired(String action, String what);
  }

  /**
   * What the check saw.
   *
   * @param nodes node directories checked
   * @param tags tag file entries checked
   * @param problems problems found
   * @param unrepaired problems a repair left (all of them without a repair)
   */
  public record Summary(int nodes, int tags, int problems, int unrepaired) {}

  /**
   * The store's root lock, taken before the store opens so that the open leaves leftovers of
   * interrupted work in place for the check to report, and telling whether this process was alone.
   */
  public static final class Pin implements Closeable {
    private final RootLock lock;
    private final boolean alone;
    private boolean closed;

    private Pin(RootLock lock, boolean alone) {
      this.lock = lock;
      this.alone = alone;
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        lock.release();
      }
    }
  }

  /** Pins the root lock of the store at {@code root}, whose {@code graph/} must exist. */
  public static Pin pin(Path root) throws IOException {
    Path dir = root.resolve("graph");
    DirectoryModes.createPrivate(dir.resolve(TMP));
    RootLock.Lease lease = RootLock.acquire(dir);
    return new Pin(lease.lock(), lease.alone());
  }

  private final Graph graph;
  private final TagStore tags;
  private final Pin pin;
  private final boolean repair;
  private final int parallelism;
  private final Listener out;
  private final Driver driver;
  private final Path dir;
  private final Path tmp;
  private final RootLock lock;
  private int problems;
  private int unrepaired;

  private Fsck(Graph graph, TagStore tags, Pin pin, boolean repair, int parallelism, Listener out) {
    this.graph = graph;
    this.tags = tags;
    this.pin = pin;
    this.repair = repair;
    this.parallelism = Math.max(1, parallelism);
    this.out = out;
    this.driver = graph.driver();
    this.dir = graph.root().resolve("graph");
    this.tmp = graph.tempDirectory();
    this.lock = graph.lock();
  }

  /**
   * Checks (and with {@code repair}, repairs) the store whose graph and tags are given, opened
   * while {@code pin} was held. At most {@code parallelism} nodes are checked at once.
   */
  public static Summary run(
      Graph graph, TagStore tags, Pin pin, boolean repair, int parallelism, Listener out)
      throws IOException {
    return new Fsck(graph, tags, pin, repair, parallelism, out).run();
  }

  private Summary run() throws IOException {
    leftovers();
    // Tags first: a node commits before its name, so every node named here is in the listing.
    Map<Reference, String> tagged = tags.all();
    List<String> ids = new ArrayList<>();
    long seenChanges;
    try (RootLock.Held c = lock.lockCommit()) {
      seenChanges = lock.changes();
    }
    List<String> strays = listGraph(ids);
    for (String stray : strays) {
      problem("graph/" + stray, "not an image ID", () -> removeStray(stray));
    }
    Map<String, NodeCheck.Report> reports = checkNodes(ids);
    NodeRelations relations = new NodeRelations(reports);
    relations.check();
    Set<String> doomed = relations.doomed();
    report(relations);
    for (Map.Entry<Reference, String> t : tagged.entrySet()) {
      if (!reports.containsKey(t.getValue()) && danglingTag(t.getKey(), t.getValue())) {
        Reference ref = t.getKey();
        problem(
            "tag " + ref.familiar(),
            "names image " + t.getValue() + ", which does not exist",
            () -> {
              if (danglingTag(ref, t.getValue())) {
                tags.untag(ref);
                out.repaired("Untagged", ref.familiar());
              }
              return true;
            });
      }
    }
    orphans(reports.keySet());
    pushRecords(ids);
    if (repair) {
      NodeRemoval removal = new NodeRemoval(graph, tags, out, new HashSet<>(ids), seenChanges);
      removal.fix(relations, doomed);
      unrepaired += removal.remove(relations, doomed, tagged);
    }
    keptBlobs(); // after a repair's removals: the blobs of nodes it removed are orphans now
    return new Summary(ids.size(), tagged.size(), problems, unrepaired);
  }

  // ---------------------------------------------------------------- what is found

  /** A repair step: true when done. */
  @FunctionalInterface
  private interface Step {
    boolean run() throws IOException;
  }

  private void problem(String subject, String reason, Step repairStep) throws IOException {
    problems++;
    out.problem(subject, reason);
    if (!repair || repairStep == null || !repairStep.run()) {
      unrepaired++;
    }
  }

  /** Whether {@code ref} still names {@code id} and no node {@code id} exists (an rmi may run). */
  private boolean danglingTag(Reference ref, String id) throws IOException {
    return tags.resolve(ref).map(id::equals).orElse(false)
        && !Files.exists(dir.resolve(id), LinkOption.NOFOLLOW_LINKS);
  }

  /** Leftovers of interrupted work: only when alone is each entry of {@code _tmp} one. */
  private void leftovers() throws IOException {
    if (pin.alone) {
      List<String> names = new ArrayList<>();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
        entries.forEach(e -> names.add(e.getFileName().toString()));
      }
      names.sort(null);
      for (String name : names) {
        problem(
            "graph/" + TMP + "/" + name,
            "left behind by an interrupted pull, load or delete",
            () -> removeLeftover(name));
      }
      for (String name : driver.stagingLeftovers()) {
        String what = driver.name() + " staging " + name;
        problem(
            what,
            "left behind by an interrupted layer create or remove",
            () -> {
              driver.removeStagingLeftover(name);
              out.repaired("Removed", what);
              return true;
            });
      }
      if (repair) {
        driver.cleanUp(); // what an open that is alone does
      }
    }
    lock.shareAlive();
  }

  private boolean removeLeftover(String name) throws IOException {
    int dot = name.indexOf('.');
    String id = dot < 0 ? name : name.substring(0, dot);
    if (Graph.isId(id) && !Files.exists(dir.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
      driver.remove(id); // the layer of a register that never committed, or of a delete
    }
    NodeFiles.deleteTree(tmp.resolve(name));
    out.repaired("Removed", "graph/" + TMP + "/" + name);
    return true;
  }

  /** Fills {@code ids} with the node directories; returns the directories that are no IDs. */
  private List<String> listGraph(List<String> ids) throws IOException {
    List<String> strays = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        if (name.equals(TMP) || !Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
          continue; // Graph.open reads no files here either
        }
        (Graph.isId(name) ? ids : strays).add(name);
      }
    }
    ids.sort(null);
    strays.sort(null);
    return strays;
  }

  private boolean removeStray(String name) throws IOException {
    Path away = tmp.resolve("stray." + Graph.random());
    Files.move(dir.resolve(name), away, StandardCopyOption.ATOMIC_MOVE);
    NodeFiles.syncDir(dir);
    NodeFiles.deleteTree(away);
    out.repaired("Removed", "graph/" + name);
    return true;
  }

  /** Each node on its own, {@code parallelism} at a time on virtual threads. */
  private Map<String, NodeCheck.Report> checkNodes(List<String> ids) throws IOException {
    Map<String, NodeCheck.Report> reports = new ConcurrentHashMap<>(ids.size() * 2);
    Semaphore slots = new Semaphore(parallelism);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String id : ids) {
        slots.acquireUninterruptibly(); // bounded: a task exists only for a node being checked
        pool.execute(
            () -> {
              try {
                reports.put(id, NodeCheck.check(dir.resolve(id), id, driver));
              } catch (RuntimeException e) {
                reports.put(id, failed(id, "cannot be checked: " + e));
              } finally {
                slots.release();
              }
            });
      }
    }
    return reports;
  }

  private static NodeCheck.Report failed(String id, String why) {
    return new NodeCheck.Report(
        id, null, false, null, null, null, null, false, false, List.of(why));
  }

  /** Every problem of the nodes, by ID; what a repair does comes after all are told. */
  private void report(NodeRelations r) {
    for (Map.Entry<String, List<String>> e : r.problems.entrySet()) {
      for (String why : e.getValue()) {
        problems++;
        out.problem("node " + e.getKey(), why);
        if (!repair) {
          unrepaired++; // with a repair, a node's problems count if the node stays broken
        }
      }
    }
  }

  /** Driver layers that no node directory and no staged work owns. */
  private void orphans(Set<String> nodes) throws IOException {
    List<String> layers = new ArrayList<>(driver.layers());
    layers.sort(null);
    for (String id : layers) {
      if (nodes.contains(id)) {
        continue;
      }
      try (RootLock.Held idLock = lock.lockId(id)) { // a register holds it while it stages
        if (Files.exists(dir.resolve(id), LinkOption.NOFOLLOW_LINKS) || staged(id)) {
          continue; // committed or staged since the listing, or being deleted
        }
        problem(
            driver.name() + " layer " + id,
            "no node uses it",
            () -> {
              driver.remove(id);
              out.repaired("Removed", driver.name() + " layer " + id);
              return true;
            });
      }
    }
  }

  /**
   * The records a push reads ({@code v2metadata}, {@code v2manifests}): a malformed one is reported
   * and, with a repair, removed (pulls ignore it and start it anew); the node itself is fine.
   */
  private void pushRecords(List<String> ids) throws IOException {
    for (String id : ids) {
      Path node = dir.resolve(id);
      for (String file : List.of(KnownBlobs.FILE, PulledManifests.FILE)) {
        try {
          if (file.equals(KnownBlobs.FILE)) {
            KnownBlobs.read(node);
          } else {
            PulledManifests.read(node);
          }
        } catch (dev.cairn.CairnException e) {
          problem(
              "node " + id,
              "its " + file + " is malformed: " + e.getMessage(),
              () -> {
                try (RootLock.Held idLock = lock.lockId(id)) {
                  Files.deleteIfExists(node.resolve(file));
                }
                out.repaired("Removed", "graph/" + id + "/" + file);
                return true;
              });
        }
      }
    }
  }

  /**
   * The kept layer blobs ({@code blobs/sha256/}): each must hash to its name and be some node's
   * layer digest; a repair removes the others and files that are no digest.
   */
  private void keptBlobs() throws IOException {
    KeptBlobs blobs = graph.blobs();
    List<Digest> kept = new ArrayList<>(blobs.list());
    for (Path stray : blobs.strays()) {
      problem(
          "blobs/sha256/" + stray.getFileName(),
          "not a digest",
          () -> {
            NodeFiles.deleteTree(stray);
            out.repaired("Removed", "blobs/sha256/" + stray.getFileName());
            return true;
          });
    }
    if (kept.isEmpty()) {
      return;
    }
    kept.sort(null);
    Set<Digest> used = layerDigests();
    for (Digest d : kept) {
      String subject = "blobs/sha256/" + d.hex();
      Path file = blobs.path(d).orElse(null);
      if (file == null) {
        continue; // removed meanwhile
      }
      if (!used.contains(d)) {
        problem(
            subject,
            "no node has it as its layer digest",
            () -> {
              try (RootLock.Held c = lock.lockCommit()) {
                if (layerDigests().contains(d)) {
                  return true; // a pull kept it for a node committed since: no longer a problem
                }
                blobs.remove(d);
              }
              out.repaired("Removed", subject);
              return true;
            });
        continue;
      }
      Digest actual;
      try (java.io.InputStream in = Files.newInputStream(file)) {
        dev.cairn.digest.Digester h = dev.cairn.digest.Digester.sha256();
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) >= 0; ) {
          h.update(buf, 0, n);
        }
        actual = h.digest();
      } catch (java.nio.file.NoSuchFileException e) {
        continue;
      }
      if (!actual.equals(d)) {
        problem(
            subject,
            "its bytes hash to " + actual,
            () -> {
              blobs.remove(d);
              out.repaired("Removed", subject);
              return true;
            });
      }
    }
  }

  /** Every node's layer digest ({@code checksum}), read from {@code graph/} as it is now. */
  private Set<Digest> layerDigests() throws IOException {
    Set<Digest> out = new HashSet<>();
    List<String> now = new ArrayList<>();
    listGraph(now);
    for (String id : now) {
      try {
        String c = NodeFiles.small(dir.resolve(id), NodeFiles.CHECKSUM);
        if (c != null && Digest.isValid(c)) {
          out.add(Digest.parse(c));
        }
      } catch (dev.cairn.CairnException | IOException e) {
        // an unreadable checksum uses no blob
      }
    }
    return out;
  }

  private boolean staged(String id) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(tmp, id + ".*")) {
      return s.iterator().hasNext();
    }
  }
}
