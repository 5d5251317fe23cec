package dev.cairn.graph;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;

/**
 * Every node of the graph as a listing needs it, in arrays indexed by a node number: its ID, its
 * parent's number, its layer size, its flags and its {@link NodeFacts}. Read straight from the
 * index file ({@link Graph#table}), it costs no object and no map entry per node, where a listing
 * of tens of thousands of nodes would otherwise spend most of its time hashing IDs. A node's ID is
 * made into a string only when asked for; numbers are valid below {@link #size}.
 */
public final class NodeTable {
  /** What {@link #parent} gives for a base layer. */
  public static final int NONE = -1;

  /** What {@link #parent} gives for a parent the graph lacks. */
  public static final int MISSING = -2;

  private static final HexFormat HEX = HexFormat.of();
  private static final int IMAGE_CONFIG = 1;
  private static final int UNFINISHED = 1 << 1;
  private static final int FACTS = 1 << 2;
  private static final int THROWAWAY = 1 << 3;
  private static final int CREATED = 1 << 4;
  private static final int HAS_PARENT = 1 << 5;

  private byte[] ids = new byte[32 * 64]; // 32 bytes each
  private byte[] parents = new byte[32 * 64]; // the parent's ID, before it is resolved
  private int[] parent = new int[64];
  private int[] flags = new int[64];
  private long[] layerSize = new long[64];
  private long[] createdSeconds = new long[64]; // the node's own time, for the order
  private int[] createdNanos = new int[64];
  private long[] shownSeconds = new long[64]; // its facts' time, the one shown
  private int[] shownNanos = new int[64];
  private Object[] labels = new Object[64]; // a Map, or the index record that holds it
  private boolean[] gone = new boolean[64];
  private String[] names = new String[64];
  private int count;
  private int live;
  private int[] slots = new int[256]; // open addressing by the ID's first 8 bytes; -1 free

  NodeTable() {
    Arrays.fill(slots, -1);
  }

  /** The table of nodes held in memory (when the index file cannot be read). */
  static NodeTable of(Collection<IndexFile.Entry> entries) {
    NodeTable t = new NodeTable();
    for (IndexFile.Entry e : entries) {
      Node n = e.node();
      NodeFacts f = e.facts();
      byte[] id = HEX.parseHex(n.id());
      byte[] parent = n.parent() == null ? null : HEX.parseHex(n.parent());
      Instant created = n.created() != null ? n.created() : Instant.EPOCH;
      Instant shown = f != null ? f.created() : Instant.EPOCH;
      t.put(
          id,
          0,
          parent,
          0,
          flags(
              n.imageConfig(),
              e.unfinished(),
              n.created() != null,
              f != null,
              f != null && f.throwaway()),
          n.size(),
          created.getEpochSecond(),
          created.getNano(),
          shown.getEpochSecond(),
          shown.getNano(),
          f == null ? null : f.labels());
    }
    t.resolve();
    return t;
  }

  static int flags(
      boolean imageConfig, boolean unfinished, boolean created, boolean facts, boolean throwaway) {
    return (imageConfig ? IMAGE_CONFIG : 0)
        | (unfinished ? UNFINISHED : 0)
        | (created ? CREATED : 0)
        | (facts ? FACTS : 0)
        | (throwaway ? THROWAWAY : 0);
  }

  /** How many node numbers there are; a number whose node went ({@link #exists}) is skipped. */
  public int size() {
    return count;
  }

  /** How many nodes the graph holds. */
  public int nodes() {
    return live;
  }

  /** Whether node {@code i} is in the graph (a later record may have removed it). */
  public boolean exists(int i) {
    return !gone[i];
  }

  /** The number of the node with this full ID, or -1. */
  public int find(String id) {
    if (id.length() != 64) {
      return -1;
    }
    byte[] b = new byte[32];
    for (int k = 0; k < 32; k++) {
      int hi = digit(id.charAt(2 * k));
      int lo = digit(id.charAt(2 * k + 1));
      if ((hi | lo) < 0) {
        return -1;
      }
      b[k] = (byte) (hi << 4 | lo);
    }
    return find(b, 0);
  }

  // A lowercase hex digit's value, -1 for anything else (IDs are lowercase).
  private static int digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }

  /** Node {@code i}'s ID, 64 lowercase hex. */
  public String id(int i) {
    String s = names[i];
    if (s == null) {
      s = names[i] = HEX.formatHex(ids, 32 * i, 32 * i + 32);
    }
    return s;
  }

  /** Node {@code i}'s parent's number, {@link #NONE} or {@link #MISSING}. */
  public int parent(int i) {
    return parent[i];
  }

  public boolean imageConfig(int i) {
    return (flags[i] & IMAGE_CONFIG) != 0;
  }

  public boolean unfinished(int i) {
    return (flags[i] & UNFINISHED) != 0;
  }

  /** Node {@code i}'s layer size, negative when not yet known ({@link Graph#get} computes it). */
  public long layerSize(int i) {
    return layerSize[i];
  }

  /**
   * Orders node {@code i} after {@code j} when it was created earlier (a node without a time last).
   */
  public int compareCreated(int i, int j) {
    boolean a = (flags[i] & CREATED) != 0;
    boolean b = (flags[j] & CREATED) != 0;
    if (!a || !b) {
      return a == b ? 0 : a ? -1 : 1;
    }
    int c = Long.compare(createdSeconds[j], createdSeconds[i]);
    return c != 0 ? c : Integer.compare(createdNanos[j], createdNanos[i]);
  }

  /** Whether the index knows node {@code i}'s {@link NodeFacts} (its JSON decoded). */
  public boolean hasFacts(int i) {
    return (flags[i] & FACTS) != 0;
  }

  /** The time its facts show; only when {@link #hasFacts}. */
  public Instant shownCreated(int i) {
    return Instant.ofEpochSecond(shownSeconds[i], shownNanos[i]);
  }

  /** Whether docker leaves its layer out of sizes; only when {@link #hasFacts}. */
  public boolean throwaway(int i) {
    return (flags[i] & THROWAWAY) != 0;
  }

  /** Its config's labels, or null; only when {@link #hasFacts}. */
  @SuppressWarnings("unchecked")
  public Map<String, String> labels(int i) {
    Object l = labels[i];
    if (l instanceof ByteBuffer b) {
      Map<String, String> m = IndexFile.labels(b.duplicate());
      labels[i] = m;
      return m;
    }
    return (Map<String, String>) l;
  }

  // ---------------------------------------------------------------- filling it

  /**
   * Adds the node with the 32-byte ID at {@code id[idAt]}, or replaces what was known of it: a
   * later record of an ID wins. {@code parent} holds its parent's ID at {@code parentAt}, or is
   * null; {@code labels} is a map or the index bytes that hold one.
   */
  void put(
      byte[] id,
      int idAt,
      byte[] parent,
      int parentAt,
      int flags,
      long size,
      long createdSeconds,
      int createdNanos,
      long shownSeconds,
      int shownNanos,
      Object labels) {
    int i = find(id, idAt);
    if (i < 0) {
      if (count == this.parent.length) {
        grow();
      }
      i = count++;
      live++;
      System.arraycopy(id, idAt, ids, 32 * i, 32);
      if (2 * count > slots.length) {
        rehash();
      } else {
        place(i);
      }
    } else if (gone[i]) {
      gone[i] = false;
      live++;
    }
    if (parent != null) {
      System.arraycopy(parent, parentAt, parents, 32 * i, 32);
      flags |= HAS_PARENT;
    }
    this.flags[i] = flags;
    this.layerSize[i] = size;
    this.createdSeconds[i] = createdSeconds;
    this.createdNanos[i] = createdNanos;
    this.shownSeconds[i] = shownSeconds;
    this.shownNanos[i] = shownNanos;
    this.labels[i] = labels;
  }

  /** Removes the node with the 32-byte ID at {@code id[at]}. */
  void remove(byte[] id, int at) {
    int i = find(id, at);
    if (i >= 0 && !gone[i]) {
      gone[i] = true;
      live--;
    }
  }

  /** Turns each parent ID into its number, once every record is in. */
  void resolve() {
    for (int i = 0; i < count; i++) {
      if ((flags[i] & HAS_PARENT) == 0) {
        parent[i] = NONE;
      } else {
        int p = find(parents, 32 * i);
        parent[i] = p < 0 || gone[p] ? MISSING : p;
      }
    }
    parents = null;
  }

  private int find(byte[] id, int at) {
    int mask = slots.length - 1;
    for (int s = hash(id, at) & mask; ; s = (s + 1) & mask) {
      int i = slots[s];
      if (i < 0) {
        return -1;
      }
      if (Arrays.equals(ids, 32 * i, 32 * i + 32, id, at, at + 32)) {
        return i;
      }
    }
  }

  private void place(int i) {
    int mask = slots.length - 1;
    int s = hash(ids, 32 * i) & mask;
    while (slots[s] >= 0) {
      s = (s + 1) & mask;
    }
    slots[s] = i;
  }

  private void rehash() {
    slots = new int[slots.length * 2];
    Arrays.fill(slots, -1);
    for (int i = 0; i < count; i++) {
      place(i);
    }
  }

  // IDs are SHA-256 sums: their first bytes are as good a hash as any.
  private static int hash(byte[] id, int at) {
    return (id[at] & 0xff)
        | (id[at + 1] & 0xff) << 8
        | (id[at + 2] & 0xff) << 16
        | id[at + 3] << 24;
  }

  private void grow() {
    int n = parent.length * 2;
    ids = Arrays.copyOf(ids, 32 * n);
    parents = Arrays.copyOf(parents, 32 * n);
    parent = Arrays.copyOf(parent, n);
    flags = Arrays.copyOf(flags, n);
    layerSize = Arrays.copyOf(layerSize, n);
    createdSeconds = Arrays.copyOf(createdSeconds, n);
    createdNanos = Arrays.copyOf(createdNanos, n);
    shownSeconds = Arrays.copyOf(shownSeconds, n);
    shownNanos = Arrays.copyOf(shownNanos, n);
    labels = Arrays.copyOf(labels, n);
    gone = Arrays.copyOf(gone, n);
    names = Arrays.copyOf(names, n);
  }
}
