package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.driver.Driver;
import dev.cairn.image.Reference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link Fsck}'s repair does to nodes: rewrites what cairn computes again on the nodes that
 * stay, and deletes the doomed ones children first, with their tags, under the locks {@link
 * Graph#delete} takes (a node that is retained or mounted stays, and so does every node below it).
 */
final class NodeRemoval {
  private final Path dir;
  private final Path tmp;
  private final Driver driver;
  private final RootLock lock;
  private final TagStore tags;
  private final Fsck.Listener out;
  private final Set<String> listed;
  private long seenChanges; // the change counter when graph/ was listed, then after our deletes
  private final Map<String, String> newcomers = new HashMap<>(); // committed since: id -> parent

  NodeRemoval(Graph graph, TagStore tags, Fsck.Listener out, Set<String> listed, long seenChanges) {
    this.dir = graph.root().resolve("graph");
    this.tmp = graph.tempDirectory();
    this.driver = graph.driver();
    this.lock = graph.lock();
    this.tags = tags;
    this.out = out;
    this.listed = listed;
    this.seenChanges = seenChanges;
  }

  /** Rewrites what cairn computes again, on nodes that stay. */
  void fix(NodeRelations r, Set<String> doomed) throws IOException {
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
  int remove(NodeRelations r, Set<String> doomed, Map<Reference, String> tagged)
      throws IOException {
    int unrepaired = 0;
    Map<String, List<Reference>> names = new HashMap<>();
    tagged.forEach(
        (ref, id) -> {
          if (doomed.contains(id)) {
            names.computeIfAbsent(id, k -> new ArrayList<>()).add(ref);
          }
        });
    Set<String> kept = new HashSet<>();
    for (String id : r.childrenFirst(doomed)) {
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
    return unrepaired;
  }

  /** Why node {@code id} cannot go now, or null. */
  private String keptBecause(NodeRelations r, String id, Set<String> kept) throws IOException {
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
}
