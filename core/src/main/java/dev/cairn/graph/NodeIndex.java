package dev.cairn.graph;

import dev.cairn.CairnException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.UnaryOperator;

/**
 * The graph's nodes in memory: by ID, by ID prefix, by parent, and the heads. The prefix order and
 * the children are built on first use (a command about one image needs neither) and then kept up to
 * date as nodes come and go, so that no query scans. Guarded by a read-write lock; the views handed
 * out are unmodifiable snapshots, built on first use after a change.
 */
final class NodeIndex {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private Map<String, Node> nodes = new HashMap<>();
  private TreeSet<String> ids; // null until a prefix is looked up
  private Map<String, List<String>> children; // with headIds: null until first asked for
  private Set<String> headIds;
  private volatile Map<String, Node> mapView; // nodes itself, unmodifiable: see changed()
  private boolean shared; // whether mapView is out
  private volatile Map<String, Node> headsView;
  private volatile Map<String, List<Node>> byParentView;

  Node get(String id) {
    lock.readLock().lock();
    try {
      return nodes.get(id);
    } finally {
      lock.readLock().unlock();
    }
  }

  boolean contains(String id) {
    return get(id) != null;
  }

  Set<String> ids() {
    lock.readLock().lock();
    try {
      return new HashSet<>(nodes.keySet());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The node with this full ID or unambiguous prefix (lowercase hex, no {@code sha256:}).
   *
   * @throws CairnException NOT_FOUND for an unknown ID, INVALID for an ambiguous prefix
   */
  Node lookup(String p) {
    if (p.length() < 64) {
      derive(true);
    }
    lock.readLock().lock();
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
      lock.readLock().unlock();
    }
    throw CairnException.notFound("no such image: " + p);
  }

  Map<String, Node> map() {
    Map<String, Node> view = mapView;
    if (view != null) {
      return view;
    }
    lock.writeLock().lock();
    try {
      shared = true; // the next change copies the map first, so the view never moves
      return mapView = Collections.unmodifiableMap(nodes);
    } finally {
      lock.writeLock().unlock();
    }
  }

  Map<String, List<Node>> byParent() {
    Map<String, List<Node>> view = byParentView;
    if (view != null) {
      return view;
    }
    derive(false);
    lock.readLock().lock();
    try {
      Map<String, List<Node>> out = new HashMap<>(children.size() * 2);
      for (Map.Entry<String, List<String>> e : children.entrySet()) {
        List<Node> kids = new ArrayList<>(e.getValue().size());
        for (String c : e.getValue()) {
          kids.add(nodes.get(c));
        }
        out.put(e.getKey(), List.copyOf(kids));
      }
      return byParentView = Collections.unmodifiableMap(out);
    } finally {
      lock.readLock().unlock();
    }
  }

  Map<String, Node> heads() {
    Map<String, Node> view = headsView;
    if (view != null) {
      return view;
    }
    derive(false);
    lock.readLock().lock();
    try {
      Map<String, Node> out = new HashMap<>(Math.max(16, headIds.size() * 2));
      for (String id : headIds) {
        out.put(id, nodes.get(id));
      }
      return headsView = Collections.unmodifiableMap(out);
    } finally {
      lock.readLock().unlock();
    }
  }

  boolean hasChildren(String id) {
    derive(false);
    lock.readLock().lock();
    try {
      return children.containsKey(id);
    } finally {
      lock.readLock().unlock();
    }
  }

  void put(Node n) {
    lock.writeLock().lock();
    try {
      add(n);
    } finally {
      lock.writeLock().unlock();
    }
  }

  void remove(String id) {
    lock.writeLock().lock();
    try {
      drop(id);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes {@code gone} and adds {@code found} in one step, as readers must see it. */
  void apply(Set<String> gone, Iterable<Node> found) {
    lock.writeLock().lock();
    try {
      for (String id : gone) {
        drop(id);
      }
      for (Node n : found) {
        add(n);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Replaces every node by {@code all}. */
  void reset(Collection<Node> all) {
    lock.writeLock().lock();
    try {
      shared = false; // replaced, not changed: nothing to copy
      changed();
      nodes = HashMap.newHashMap(all.size());
      ids = null;
      children = null;
      headIds = null;
      for (Node n : all) {
        nodes.put(n.id(), n);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Replaces the node {@code id} by {@code change} of it. */
  Node update(String id, UnaryOperator<Node> change) {
    lock.writeLock().lock();
    try {
      Node n = nodes.get(id);
      if (n == null) {
        throw CairnException.notFound("no such image: " + id);
      }
      Node changed = change.apply(n);
      changed();
      nodes.put(id, changed);
      return changed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  // Called before every change of the nodes.
  private void changed() {
    if (shared) {
      nodes = new HashMap<>(nodes);
      shared = false;
    }
    mapView = null;
    headsView = null;
    byParentView = null;
  }

  // Builds the prefix order ({@code prefixes}) or the children and heads, when not yet built.
  private void derive(boolean prefixes) {
    lock.readLock().lock();
    try {
      if (prefixes ? ids != null : children != null) {
        return;
      }
    } finally {
      lock.readLock().unlock();
    }
    lock.writeLock().lock();
    try {
      if (prefixes && ids == null) {
        ids = new TreeSet<>(nodes.keySet());
      }
      if (!prefixes && children == null) {
        children = HashMap.newHashMap(nodes.size());
        for (Node n : nodes.values()) {
          if (n.parent() != null) {
            children.computeIfAbsent(n.parent(), k -> new ArrayList<>(1)).add(n.id());
          }
        }
        headIds = HashSet.newHashSet(nodes.size());
        for (String id : nodes.keySet()) {
          if (!children.containsKey(id)) {
            headIds.add(id);
          }
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void add(Node n) {
    changed();
    if (nodes.containsKey(n.id())) {
      drop(n.id());
    }
    nodes.put(n.id(), n);
    if (ids != null) {
      ids.add(n.id());
    }
    if (children != null) {
      link(n);
    }
  }

  private void link(Node n) {
    if (n.parent() != null) {
      children.computeIfAbsent(n.parent(), k -> new ArrayList<>(1)).add(n.id());
      headIds.remove(n.parent());
    }
    if (!children.containsKey(n.id())) {
      headIds.add(n.id());
    }
  }

  private void drop(String id) {
    changed();
    Node old = nodes.remove(id);
    if (ids != null) {
      ids.remove(id);
    }
    if (children == null) {
      return;
    }
    headIds.remove(id);
    if (old != null && old.parent() != null) {
      List<String> s = children.get(old.parent());
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
}
