package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.driver.DirectoryModes;
import dev.cairn.driver.Driver;
import dev.cairn.image.ChainId;
import dev.cairn.image.Reference;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
  private long seenChanges; // the change counter when graph/ was listed, then after our deletes
  private Set<String> listed = Set.of();
  private final Map<String, String> newcomers = new HashMap<>(); // committed since: id -> parent

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
    try (RootLock.Held c = lock.lockCommit()) {
      seenChanges = lock.changes();
    }
    List<String> strays = listGraph(ids);
    listed = new HashSet<>(ids);
    for (String stray : strays) {
      problem("graph/" + stray, "not an image ID", () -> removeStray(stray));
    }
    Map<String, NodeCheck.Report> reports = checkNodes(ids);
    Relations relations = new Relations(reports);
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
    if (repair) {
      fix(relations, doomed);
      remove(relations, doomed, tagged);
    }
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
  private void report(Relations r) {
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

  private boolean staged(String id) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(tmp, id + ".*")) {
      return s.iterator().hasNext();
    }
  }

  // ---------------------------------------------------------------- what ties nodes together

  /** The checks across nodes, and which nodes are broken, fixable or doomed. */
  private static final class Relations {
    final Map<String, NodeCheck.Report> reports;
    final Map<String, List<String>> children = new HashMap<>();
    final TreeMap<String, List<String>> problems = new TreeMap<>();
    final Set<String> broken = new HashSet<>();
    final Map<String, Digest> missingDiffIds = new TreeMap<>(); // fixable: id -> rebuilt DiffID
    final Set<String> badLayersize = new TreeSet<>(); // fixable

    Relations(Map<String, NodeCheck.Report> reports) {
      this.reports = reports;
      for (NodeCheck.Report r : reports.values()) {
        if (r.parent() != null) {
          children.computeIfAbsent(r.parent(), k -> new ArrayList<>()).add(r.id());
        }
        if (!r.problems().isEmpty()) {
          broken.add(r.id());
          problems.computeIfAbsent(r.id(), k -> new ArrayList<>()).addAll(r.problems());
        }
        if (r.badLayersize()) {
          badLayersize.add(r.id());
          problems
              .computeIfAbsent(r.id(), k -> new ArrayList<>())
              .add("its layersize is no number (Docker 1.9 cannot load the node)");
        }
      }
    }

    void add(String id, String why, boolean fatal) {
      problems.computeIfAbsent(id, k -> new ArrayList<>()).add(why);
      if (fatal) {
        broken.add(id);
      }
    }

    int problemCount() {
      int n = 0;
      for (List<String> l : problems.values()) {
        n += l.size();
      }
      return n;
    }

    void check() {
      for (NodeCheck.Report r : reports.values()) {
        if (!r.readable() || r.parent() == null) {
          continue;
        }
        NodeCheck.Report parent = reports.get(r.parent());
        if (parent == null) {
          add(r.id(), "its parent " + r.parent() + " does not exist", true);
        } else if (r.parentIdClaim() != null
            && parent.jsonDigest() != null
            && !r.parentIdClaim().equals(parent.jsonDigest())) {
          add(
              r.id(),
              "its json's parent_id "
                  + r.parentIdClaim()
                  + " is not its parent's strong ID "
                  + parent.jsonDigest(),
              true);
        }
      }
      loops();
      for (NodeCheck.Report r : reports.values()) {
        if (r.configDiffIds() != null && !broken.contains(r.id())) {
          config(r);
        }
      }
    }

    /** A parent chain that comes back to itself is broken at every node on the loop. */
    private void loops() {
      Map<String, Integer> state = new HashMap<>(); // 1: on the current walk, 2: done
      for (String start : reports.keySet()) {
        List<String> walk = new ArrayList<>();
        String cur = start;
        while (cur != null && !state.containsKey(cur) && reports.containsKey(cur)) {
          state.put(cur, 1);
          walk.add(cur);
          cur = reports.get(cur).parent();
        }
        if (cur != null && state.getOrDefault(cur, 0) == 1) {
          for (String id : walk.subList(walk.indexOf(cur), walk.size())) {
            add(id, "its parent chain loops", true);
          }
        }
        walk.forEach(id -> state.put(id, 2));
      }
    }

    /**
     * A config node's chain: as many nodes as {@code rootfs.diff_ids}, each layer's DiffID the
     * config's, each node below the top named by its ChainID (ARCHITECTURE.md, ChainID nodes).
     */
    private void config(NodeCheck.Report top) {
      List<Digest> expected = top.configDiffIds();
      List<NodeCheck.Report> chain = new ArrayList<>();
      for (NodeCheck.Report n = top; n != null; ) {
        chain.add(n);
        if (chain.size() > expected.size() || !n.readable() || n.parent() == null) {
          break;
        }
        n = reports.get(n.parent());
      }
      java.util.Collections.reverse(chain);
      NodeCheck.Report base = chain.getFirst();
      boolean whole = base.readable() && base.parent() == null;
      if (!whole || chain.size() != expected.size()) {
        if (whole || chain.size() > expected.size()) {
          add(
              top.id(),
              "its config lists "
                  + expected.size()
                  + " layers, but its chain has "
                  + (whole ? chain.size() : "more"),
              true);
        }
        return; // a chain broken below is reported there
      }
      List<Digest> chainIds = ChainId.of(expected);
      for (int i = 0; i < chain.size(); i++) {
        NodeCheck.Report n = chain.get(i);
        if (broken.contains(n.id())) {
          continue; // reported; the config goes with it
        }
        if (n.diffId() == null) {
          add(
              n.id(),
              "its DiffID is unknown: diffid and " + NodeFiles.TAR_DATA + " are missing",
              true);
        } else if (!n.diffId().equals(expected.get(i))) {
          add(
              top.id(),
              "its config lists DiffID "
                  + expected.get(i)
                  + " for layer "
                  + i
                  + ", but node "
                  + n.id()
                  + " has "
                  + n.diffId(),
              true);
        } else if (!n.diffIdRecorded() && missingDiffIds.put(n.id(), n.diffId()) == null) {
          add(n.id(), "diffid is missing (every layer of an image config records one)", false);
        }
        if (i < chain.size() - 1 && !NodeCheck.isProbeOf(n.id(), chainIds.get(i))) {
          add(n.id(), "its ID is not the ChainID " + chainIds.get(i) + " of its layers", true);
        }
      }
    }

    /** The broken nodes and every node above one, which is told why it goes with them. */
    Set<String> doomed() {
      Set<String> out = new HashSet<>(broken);
      Deque<String> todo = new ArrayDeque<>(new TreeSet<>(broken));
      while (!todo.isEmpty()) {
        String id = todo.pop();
        for (String child : children.getOrDefault(id, List.of())) {
          if (out.add(child)) {
            problems
                .computeIfAbsent(child, k -> new ArrayList<>())
                .add("it stands on broken node " + id);
            todo.push(child);
          }
        }
      }
      return out;
    }
  }

  // ---------------------------------------------------------------- repair

  /** Rewrites what cairn computes again, on nodes that stay. */
  private void fix(Relations r, Set<String> doomed) throws IOException {
    for (String id : r.badLayersize) {
      if (!doomed.contains(id)) {
        try (RootLock.Held idLock = lock.lockId(id)) {
          if (Files.deleteIfExists(dir.resolve(id).resolve(NodeFiles.LAYERSIZE))) {
            NodeFiles.syncDir(dir.resolve(id));
          }
        }
        out.repaired("Fixed", "node " + id + ": layersize removed, to be counted again");
      }
    }
    for (Map.Entry<String, Digest> e : r.missingDiffIds.entrySet()) {
      String id = e.getKey();
      if (!doomed.contains(id)) {
        try (RootLock.Held idLock = lock.lockId(id)) {
          if (Files.isDirectory(dir.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
            NodeFiles.replace(
                dir.resolve(id),
                NodeFiles.DIFFID,
                e.getValue().toString().getBytes(StandardCharsets.US_ASCII),
                tmp);
          }
        }
        out.repaired("Fixed", "node " + id + ": diffid " + e.getValue() + " recorded");
      }
    }
  }

  /**
   * Deletes the doomed nodes children first, each with its tags, as {@code rmi} would: a node that
   * is held or mounted stays, and so does every node below it.
   */
  private void remove(Relations r, Set<String> doomed, Map<Reference, String> tagged)
      throws IOException {
    Map<String, List<Reference>> names = new HashMap<>();
    tagged.forEach(
        (ref, id) -> {
          if (doomed.contains(id)) {
            names.computeIfAbsent(id, k -> new ArrayList<>()).add(ref);
          }
        });
    Set<String> kept = new HashSet<>();
    for (String id : childrenFirst(r, doomed)) {
      int count = r.problems.getOrDefault(id, List.of()).size();
      String why = keptBecause(r, id, kept);
      if (why == null) {
        for (Reference ref : names.getOrDefault(id, List.of())) {
          if (tags.resolve(ref).map(id::equals).orElse(false)) { // else moved or gone meanwhile
            tags.untag(ref);
            out.repaired("Untagged", ref.familiar());
          }
        }
        why = delete(id);
      }
      if (why != null) {
        kept.add(id);
        out.repaired("Kept", "sha256:" + id + ": " + why);
        unrepaired += count;
      } else {
        out.repaired("Deleted", "sha256:" + id);
      }
    }
  }

  /** Why node {@code id} cannot go now, or null. */
  private String keptBecause(Relations r, String id, Set<String> kept) throws IOException {
    for (String child : r.children.getOrDefault(id, List.of())) {
      if (kept.contains(child)) {
        return "a node above it stays";
      }
    }
    try (RootLock.Held idLock = lock.lockId(id)) {
      return inUse(id);
    }
  }

  private String inUse(String id) throws IOException {
    if (lock.retained(id)) {
      return "it is in use by a running pull, save or load";
    }
    if (Mounts.count(dir.resolve(id)) > 0) {
      return "it is mounted";
    }
    return null;
  }

  /**
   * Deletes a node directory, its checks repeated under its lock: renamed away under the commit
   * lock (the change counter tells other processes), then its files and driver layer removed.
   */
  private String delete(String id) throws IOException {
    Path away = tmp.resolve(id + "." + Graph.random() + ".del");
    try (RootLock.Held idLock = lock.lockId(id)) {
      String why = inUse(id);
      if (why != null) {
        return why;
      }
      try (RootLock.Held c = lock.lockCommit()) {
        if (childAdded(id)) {
          return "a node above it was added meanwhile";
        }
        Files.move(dir.resolve(id), away, StandardCopyOption.ATOMIC_MOVE);
        NodeFiles.syncDir(dir);
        NodeFiles.syncDir(tmp);
        seenChanges = lock.bump();
      }
      driver.remove(id);
      NodeFiles.deleteTree(away);
    }
    return null;
  }

  /**
   * Whether another process committed a child of {@code id} since the listing; under the commit
   * lock. Only when the change counter moved is {@code graph/} listed again, and only the nodes
   * that were not there before are read.
   */
  private boolean childAdded(String id) throws IOException {
    long now = lock.changes();
    if (now != seenChanges) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
        for (Path e : s) {
          String name = e.getFileName().toString();
          if (Graph.isId(name) && !listed.contains(name) && !newcomers.containsKey(name)) {
            newcomers.put(name, parentOf(e));
          }
        }
      }
      seenChanges = now;
    }
    return newcomers.containsValue(id);
  }

  private static String parentOf(Path node) {
    try {
      String parent = NodeFiles.read(node, node.getFileName().toString()).parent();
      return parent == null ? "" : parent;
    } catch (IOException | CairnException e) {
      return ""; // unreadable: it names no parent that could keep one
    }
  }

  /** The doomed nodes in an order that puts every node before its parent. */
  private static List<String> childrenFirst(Relations r, Set<String> doomed) {
    List<String> order = new ArrayList<>();
    Set<String> done = new HashSet<>();
    for (String start : new TreeSet<>(doomed)) {
      Deque<String[]> stack = new ArrayDeque<>();
      stack.push(new String[] {start, "0"});
      while (!stack.isEmpty()) {
        String[] top = stack.peek();
        if (top[1].equals("0")) {
          top[1] = "1";
          if (!done.add(top[0])) {
            stack.pop();
            continue;
          }
          for (String c : r.children.getOrDefault(top[0], List.of())) {
            if (doomed.contains(c) && !done.contains(c)) {
              stack.push(new String[] {c, "0"});
            }
          }
        } else {
          order.add(stack.pop()[0]);
        }
      }
    }
    return order;
  }
}
