package dev.cairn.graph;

import dev.cairn.CairnException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The graph index file held against the node directories, for the index and crash tests. */
final class IndexChecks {
  private IndexChecks() {}

  /**
   * Whether {@code graph/.index} claims to reflect {@code graph/}: its header reads back, its
   * counter is the store's, and {@code graph/} still looks as it did when it was written.
   */
  static boolean claimsFresh(Path root) throws IOException {
    Path dir = root.resolve("graph");
    IndexFile.Header h = IndexFile.header(dir.resolve(IndexFile.NAME));
    return h != null && h.counter() == counter(root) && h.stamp().equals(IndexFile.Stamp.of(dir));
  }

  /** The store's change counter, as the lock file holds it. */
  static long counter(Path root) throws IOException {
    byte[] b = Files.readAllBytes(root.resolve("graph/.lock"));
    return b.length < 8 ? 0 : ByteBuffer.wrap(b).getLong(0);
  }

  /**
   * What the index file says that {@code graph/} does not: a node it lacks or has too many, or one
   * whose record differs from its directory (its node, its unfinished mark, its facts). Empty when
   * they agree; one line when the file does not read back.
   */
  static List<String> differences(Path root) throws IOException {
    Path dir = root.resolve("graph");
    IndexFile.Contents c = IndexFile.read(dir.resolve(IndexFile.NAME));
    if (c == null) {
      return List.of("the index does not read back");
    }
    List<String> out = new ArrayList<>();
    TreeSet<String> onDisk = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        if (Files.isDirectory(e) && Graph.isId(name)) {
          onDisk.add(name);
        }
      }
    }
    for (String id : onDisk) {
      IndexFile.Entry record = c.entries().get(id);
      IndexFile.Entry disk;
      try {
        disk = NodeFiles.readEntry(dir.resolve(id), id);
      } catch (CairnException e) {
        if (record != null) {
          out.add(id + ": indexed, but its directory does not load: " + e.getMessage());
        }
        continue;
      }
      if (record == null) {
        if (!c.skipped().containsKey(id)) {
          out.add(id + ": in graph/ but not in the index");
        }
      } else if (!record.equals(disk)) {
        out.add(id + ": the index has " + record + " but graph/ has " + disk);
      }
    }
    for (Map.Entry<String, IndexFile.Entry> e : c.entries().entrySet()) {
      if (!onDisk.contains(e.getKey())) {
        out.add(e.getKey() + ": indexed, but gone from graph/");
      }
    }
    out.addAll(tableDifferences(dir, c));
    return out;
  }

  /** What the file's {@link NodeTable} says that its records, decoded one by one, do not. */
  private static List<String> tableDifferences(Path dir, IndexFile.Contents c) throws IOException {
    IndexFile.Header h = c.header();
    NodeTable t =
        IndexFile.table(dir.resolve(IndexFile.NAME), h.counter(), h.stamp(), new LinkedHashMap<>());
    if (t == null) {
      return List.of("the index reads back, but not as a table");
    }
    List<String> out = new ArrayList<>();
    if (t.nodes() != c.entries().size()) {
      out.add("the table holds " + t.nodes() + " nodes, the records " + c.entries().size());
    }
    for (IndexFile.Entry e : c.entries().values()) {
      String difference = difference(t, e);
      if (difference != null) {
        out.add(e.node().id() + ": the table has " + difference);
      }
    }
    return out;
  }

  static String difference(NodeTable t, IndexFile.Entry e) {
    Node n = e.node();
    int i = t.find(n.id());
    if (i < 0 || !t.exists(i)) {
      return "no such node";
    }
    int p = t.parent(i);
    String parent = p >= 0 ? t.id(p) : null;
    if (!java.util.Objects.equals(parent, n.parent())) {
      return "parent " + parent;
    }
    NodeFacts f = e.facts();
    if (t.imageConfig(i) != n.imageConfig()
        || t.unfinished(i) != e.unfinished()
        || t.layerSize(i) != n.size()
        || t.hasFacts(i) != (f != null)) {
      return "other flags or size";
    }
    if (f != null
        && (!t.shownCreated(i).equals(f.created())
            || t.throwaway(i) != f.throwaway()
            || !java.util.Objects.equals(t.labels(i), f.labels()))) {
      return "other facts";
    }
    return null;
  }
}
