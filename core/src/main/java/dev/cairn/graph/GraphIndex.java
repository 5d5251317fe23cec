package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.driver.Driver;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What the graph knows of its nodes, and how it comes to know it (ARCHITECTURE.md, The graph
 * index). Opening reads nothing: a node asked for by its full ID is read from {@code graph/<id>/}
 * with its chain, and checked then (its JSON parses, its driver layer exists, its parent chain is
 * whole). The first question about the whole graph (every node, the heads, children, an ID prefix)
 * loads {@code graph/.index} ({@link IndexFile}) when it reflects {@code graph/} (same change
 * counter, same {@code graph/} modification time and link count), else brings it in line: reads the
 * node directories it lacks, drops the ones gone, and writes it anew. Commits append to it.
 */
final class GraphIndex {
  private final Path dir;
  private final Path file;
  private final Path tmp;
  private final Driver driver;
  private final RootLock lock;
  final NodeIndex nodes = new NodeIndex();
  private final Map<String, NodeFacts> facts = new ConcurrentHashMap<>();
  private final Set<String> unfinished = ConcurrentHashMap.newKeySet();
  private final Map<String, String> skipped = new LinkedHashMap<>(); // guarded by itself
  private final List<Consumer<SkippedNode>> listeners = new ArrayList<>(); // guarded by skipped
  private final Set<String> told = new HashSet<>(); // told to the listeners; guarded by skipped
  private volatile boolean complete; // every node of graph/ is in memory
  private long seen; // the change counter the memory reflects; under the commit lock

  GraphIndex(Path dir, Path tmp, Driver driver, RootLock lock) {
    this.dir = dir;
    this.file = dir.resolve(IndexFile.NAME);
    this.tmp = tmp;
    this.driver = driver;
    this.lock = lock;
  }

  /** Called under the commit lock at open: memory is empty, and current. */
  void opened() throws IOException {
    seen = lock.changes();
  }

  boolean complete() {
    return complete;
  }

  // ---------------------------------------------------------------- one node

  /**
   * The node {@code id} (full hex), read with its chain when not yet in memory; null when it does
   * not exist, or its chain does not load (then it is reported, {@link #skipped}).
   */
  Node node(String id) throws IOException {
    Node n = nodes.get(id);
    if (n != null || complete) {
      return n;
    }
    synchronized (skipped) {
      if (skipped.containsKey(id)) {
        return null;
      }
    }
    if (!Files.isDirectory(dir.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    List<Node> path = new ArrayList<>();
    Map<String, String> bad = new LinkedHashMap<>();
    String cur = id;
    boolean ok = false;
    while (true) {
      if (nodes.contains(cur)) {
        ok = true;
        break;
      }
      String at = cur;
      if (path.stream().anyMatch(p -> p.id().equals(at))) {
        bad.put(cur, "its parent chain loops");
        break;
      }
      Path d = dir.resolve(cur);
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
        bad.put(path.getLast().id(), "its parent " + cur + " does not exist");
        break;
      }
      Node x;
      try {
        x = NodeFiles.read(d, cur);
      } catch (CairnException e) {
        bad.put(cur, e.getMessage());
        if (!path.isEmpty()) {
          bad.put(path.getLast().id(), "its parent " + cur + " is corrupt");
        }
        break;
      }
      if (!driver.exists(cur)) {
        bad.put(cur, "its " + driver.name() + " layer is missing");
        if (!path.isEmpty()) {
          bad.put(path.getLast().id(), "its parent " + cur + " is corrupt");
        }
        break;
      }
      path.add(x);
      if (x.parent() == null) {
        ok = true;
        break;
      }
      cur = x.parent();
    }
    if (ok) {
      for (Node x : path) {
        nodes.put(x);
      }
      return path.getFirst();
    }
    for (Node x : path) {
      bad.putIfAbsent(x.id(), "its parent chain is broken below " + cur);
    }
    report(bad);
    return null;
  }

  boolean isUnfinished(String id) {
    return complete ? unfinished.contains(id) : Unfinished.marked(dir.resolve(id));
  }

  /** The node's facts, null when its JSON does not decode as an engine image. */
  NodeFacts facts(String id) throws IOException {
    if (complete && nodes.contains(id)) {
      return facts.get(id);
    }
    try {
      return NodeFiles.readEntry(dir.resolve(id), id).facts();
    } catch (CairnException e) {
      return null;
    }
  }

  /**
   * The IDs starting with {@code prefix} (lowercase hex), from the index file's sorted IDs without
   * loading the whole graph; empty when the file cannot say (absent, behind {@code graph/}) or when
   * every node is in memory already, where the caller asks the whole graph instead.
   */
  Optional<List<String>> idsWithPrefix(String prefix) throws IOException {
    if (complete) {
      return Optional.empty();
    }
    try (RootLock.Held c = lock.lockCommit()) {
      return Optional.ofNullable(
          IndexFile.withPrefix(file, prefix, lock.changes(), IndexFile.Stamp.of(dir)));
    }
  }

  // ---------------------------------------------------------------- the whole graph

  /**
   * Every node as a {@link NodeTable}: decoded from the index file when it reflects {@code graph/},
   * reporting the directories it left out as a load would; else from memory, once brought in line.
   */
  NodeTable table() throws IOException {
    try (RootLock.Held c = lock.lockCommit()) {
      Map<String, String> bad = new LinkedHashMap<>();
      NodeTable t = IndexFile.table(file, lock.changes(), IndexFile.Stamp.of(dir), bad);
      if (t != null) {
        report(bad);
        return t;
      }
    }
    ensureComplete();
    List<IndexFile.Entry> all = new ArrayList<>();
    for (Node n : nodes.map().values()) {
      all.add(new IndexFile.Entry(n, unfinished.contains(n.id()), facts.get(n.id())));
    }
    return NodeTable.of(all);
  }

  /** Makes every node known: loads the index file, or brings it in line with {@code graph/}. */
  void ensureComplete() throws IOException {
    if (complete) {
      return;
    }
    try (RootLock.Held c = lock.lockCommit()) {
      if (!complete) {
        load();
      }
    }
  }

  /** Picks up what other processes changed since this graph last looked; under the commit lock. */
  void syncIfChanged() throws IOException {
    long now = lock.changes();
    if (now == seen) {
      return;
    }
    if (complete) {
      load();
    } else {
      Set<String> gone = new HashSet<>();
      for (String id : nodes.ids()) {
        if (!Files.isDirectory(dir.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
          gone.add(id);
        }
      }
      nodes.apply(gone, List.of());
      seen = now;
    }
  }

  private void load() throws IOException {
    long counter = lock.changes();
    IndexFile.Stamp stamp = IndexFile.Stamp.of(dir);
    IndexFile.Contents c = IndexFile.read(file);
    Map<String, IndexFile.Entry> entries;
    Map<String, String> bad;
    if (c != null && c.header().counter() == counter && c.header().stamp().equals(stamp)) {
      entries = c.entries();
      bad = c.skipped();
      if (c.records() > 2 * (entries.size() + bad.size()) + 1024) {
        write(entries.values(), bad, counter); // compacted: appends have made it grow
      }
    } else {
      bad = new TreeMap<>();
      entries = rebuild(c == null ? Map.of() : c.entries(), bad);
      write(entries.values(), bad, counter);
    }
    nodes.reset(entries.values().stream().map(IndexFile.Entry::node).toList());
    facts.clear();
    unfinished.clear();
    for (IndexFile.Entry e : entries.values()) {
      if (e.facts() != null) {
        facts.put(e.node().id(), e.facts());
      }
      if (e.unfinished()) {
        unfinished.add(e.node().id());
      }
    }
    synchronized (skipped) {
      skipped.clear();
    }
    report(bad);
    seen = counter;
    complete = true;
  }

  // The index is derived: a store this process cannot write to still lists, from graph/.
  private void write(Collection<IndexFile.Entry> entries, Map<String, String> bad, long counter) {
    if (lock.readOnly()) {
      return;
    }
    try {
      IndexFile.write(dir, tmp, entries, bad, counter);
    } catch (IOException e) {
      // the next reader rebuilds it
    }
  }

  /**
   * The index brought in line with {@code graph/}: the entries of {@code old} whose directories
   * remain are kept unread (an unfinished mark only ever goes, so a marked one is looked at again),
   * the directories it lacks are read, and a node counts only when its whole chain does.
   */
  private Map<String, IndexFile.Entry> rebuild(
      Map<String, IndexFile.Entry> old, Map<String, String> bad) throws IOException {
    Map<String, IndexFile.Entry> all = new HashMap<>();
    Map<String, IndexFile.Entry> found = new HashMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        if (name.equals(Graph.TMP) || name.equals(".lock") || name.equals(IndexFile.NAME)) {
          continue;
        }
        if (!Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
          continue; // Docker keeps no files here either
        }
        if (!Graph.isId(name)) {
          bad.put(name, "not an image ID");
          continue;
        }
        IndexFile.Entry known = old.get(name);
        if (known != null) {
          if (known.unfinished() && !Unfinished.marked(e)) {
            known = new IndexFile.Entry(known.node(), false, known.facts());
          }
          all.put(name, known);
          continue;
        }
        try {
          IndexFile.Entry n = NodeFiles.readEntry(e, name);
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
    // A new node counts only when its whole chain does; walk each chain down once.
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
        if (all.containsKey(cur)) {
          verdict = true;
          break;
        }
        IndexFile.Entry n = found.get(cur);
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
        if (n.node().parent() == null) {
          verdict = true;
          break;
        }
        cur = n.node().parent();
      }
      for (String p : path) {
        if (!verdict && !bad.containsKey(p)) {
          bad.put(p, "its parent chain is broken below " + cur);
        }
        ok.put(p, verdict);
      }
    }
    for (Map.Entry<String, Boolean> e : ok.entrySet()) {
      if (e.getValue()) {
        all.put(e.getKey(), found.get(e.getKey()));
      }
    }
    // A known node whose parent went behind the index's back goes, with every node above it.
    Map<String, List<String>> children = new HashMap<>();
    Deque<String> orphans = new ArrayDeque<>();
    for (IndexFile.Entry e : all.values()) {
      String parent = e.node().parent();
      if (parent != null) {
        children.computeIfAbsent(parent, k -> new ArrayList<>()).add(e.node().id());
        if (!all.containsKey(parent)) {
          orphans.add(e.node().id());
          bad.putIfAbsent(e.node().id(), "its parent " + parent + " does not exist");
        }
      }
    }
    while (!orphans.isEmpty()) {
      String id = orphans.poll();
      if (all.remove(id) != null) {
        for (String c : children.getOrDefault(id, List.of())) {
          bad.putIfAbsent(c, "its parent chain is broken below " + id);
          orphans.add(c);
        }
      }
    }
    return all;
  }

  // ---------------------------------------------------------------- changes

  /**
   * Under the commit lock, before a change into or out of {@code graph/}: the index file's header
   * when the file reflects {@code graph/} as it is now (the change is then appended to it), else
   * null (it stays behind, and its next reader brings it in line).
   */
  IndexFile.Header fresh() throws IOException {
    if (lock.readOnly()) {
      return null;
    }
    IndexFile.Header h = IndexFile.header(file);
    return h != null && h.counter() == lock.changes() && h.stamp().equals(IndexFile.Stamp.of(dir))
        ? h
        : null;
  }

  /** Bumps the change counter before a change; memory stays current if it was. */
  void bump() throws IOException {
    long before = lock.changes();
    long after = lock.bump();
    if (before == seen) {
      seen = after;
    }
  }

  /** After the change: appends its records when the file was {@link #fresh}. */
  void append(IndexFile.Header h, List<byte[]> records) {
    if (h == null) {
      return;
    }
    try {
      IndexFile.append(file, h, records, lock.changes(), IndexFile.Stamp.of(dir));
    } catch (IOException e) {
      // the header still says the old counter: the next reader brings the file in line
    }
  }

  /** A node committed: in memory, and as a record. */
  void committed(IndexFile.Header h, IndexFile.Entry e) {
    String id = e.node().id();
    nodes.put(e.node());
    if (e.facts() != null) {
      facts.put(id, e.facts());
    }
    if (e.unfinished()) {
      unfinished.add(id);
    }
    append(h, List.of(IndexFile.node(e)));
  }

  /** A node deleted: from memory, and as a record. */
  void deleted(IndexFile.Header h, String id) {
    nodes.remove(id);
    facts.remove(id);
    unfinished.remove(id);
    synchronized (skipped) {
      skipped.remove(id);
    }
    append(h, List.of(IndexFile.gone(id)));
  }

  /** A node's mark removed ({@link Graph#finish}); under the commit lock, after a {@link #bump}. */
  void finished(IndexFile.Header h, String id) throws IOException {
    unfinished.remove(id);
    IndexFile.Entry e = entry(id);
    if (e != null) {
      append(h, List.of(IndexFile.node(e)));
    }
  }

  /**
   * A node's metadata file rewritten (size, DiffID, layer digest): appended when the file is
   * current, without a bump (nothing entered or left {@code graph/}). Takes the commit lock.
   */
  void metadataChanged(String id) throws IOException {
    try (RootLock.Held c = lock.lockCommit()) {
      IndexFile.Header h = fresh();
      IndexFile.Entry e = h == null ? null : entry(id);
      if (e != null) {
        IndexFile.append(file, h, List.of(IndexFile.node(e)), h.counter(), h.stamp());
      }
    }
  }

  private IndexFile.Entry entry(String id) throws IOException {
    Node n = nodes.get(id);
    if (complete && n != null) {
      return new IndexFile.Entry(n, unfinished.contains(id), facts.get(id));
    }
    try {
      return NodeFiles.readEntry(dir.resolve(id), id);
    } catch (CairnException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- skipped nodes

  List<SkippedNode> skipped() {
    synchronized (skipped) {
      List<SkippedNode> out = new ArrayList<>();
      skipped.forEach((name, why) -> out.add(new SkippedNode(name, why)));
      return out;
    }
  }

  void forget(String name) {
    synchronized (skipped) {
      skipped.remove(name);
    }
  }

  /** Tells {@code listener} of every directory left out from now on, as it is found. */
  void onSkipped(Consumer<SkippedNode> listener) {
    synchronized (skipped) {
      listeners.add(listener);
    }
  }

  private void report(Map<String, String> bad) {
    List<SkippedNode> fresh = new ArrayList<>();
    List<Consumer<SkippedNode>> to;
    synchronized (skipped) {
      for (Map.Entry<String, String> e : bad.entrySet()) {
        skipped.put(e.getKey(), e.getValue());
        if (told.add(e.getKey())) {
          fresh.add(new SkippedNode(e.getKey(), e.getValue()));
        }
      }
      to = List.copyOf(listeners);
    }
    for (SkippedNode s : fresh) {
      for (Consumer<SkippedNode> l : to) {
        l.accept(s);
      }
    }
  }
}
