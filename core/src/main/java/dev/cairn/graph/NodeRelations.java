package dev.cairn.graph;

import dev.cairn.digest.Digest;
import dev.cairn.image.ChainId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The checks of {@link Fsck} across nodes, from their {@link NodeCheck} reports held in memory:
 * parents exist and chains do not loop, strong-ID configs name their parent's strong ID, a config's
 * chain matches its DiffIDs and ChainIDs; and which nodes are broken, fixable, or doomed with a
 * broken node below them.
 */
final class NodeRelations {
  final Map<String, NodeCheck.Report> reports;
  final Map<String, List<String>> children = new HashMap<>();
  final TreeMap<String, List<String>> problems = new TreeMap<>();
  final Set<String> broken = new HashSet<>();
  final Map<String, Digest> missingDiffIds = new TreeMap<>(); // fixable: id -> rebuilt DiffID
  final Set<String> badLayersize = new TreeSet<>(); // fixable

  NodeRelations(Map<String, NodeCheck.Report> reports) {
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

  /** A problem of node {@code id}, once (a node below several configs is seen by each). */
  void add(String id, String why, boolean fatal) {
    List<String> known = problems.computeIfAbsent(id, k -> new ArrayList<>());
    if (!known.contains(why)) {
      known.add(why);
    }
    if (fatal) {
      broken.add(id);
    }
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
    Collections.reverse(chain);
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

  /** The doomed nodes in an order that puts every node before its parent. */
  List<String> childrenFirst(Set<String> doomed) {
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
          for (String c : children.getOrDefault(top[0], List.of())) {
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
