package dev.cairn.graph;

import dev.cairn.digest.Digest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The graph index on disk, {@code graph/.index} (ARCHITECTURE.md, The graph index): derived from
 * the node directories, never the truth. A 48-byte header, then records appended one after another.
 *
 * <p>Header: the magic {@code cairnidx}, the format version (int), a CRC-32C of bytes 16 to 47, the
 * change counter the file reflects (long), {@code graph/}'s modification time in nanoseconds (long)
 * and link count (int) when the file was last brought in line, the offset of the sorted IDs record
 * (int, 0 for none), and the end of the valid records (long). Each record: its payload's length and
 * CRC-32C (ints), then the payload: a node (kind 1: everything a {@link Node} holds, its unfinished
 * mark and its {@link NodeFacts}), a node gone (kind 2: its ID), a directory left out (kind 3: its
 * name and why), or the IDs of every node the records before it hold, sorted (kind 4: their count
 * and the IDs as 32 bytes each), which a whole write puts after its nodes. A later record of an ID
 * replaces an earlier one.
 *
 * <p>The sorted IDs answer an ID prefix ({@link #withPrefix}) without decoding a node: a binary
 * search, then the records appended since.
 *
 * <p>Whatever does not read back (a torn header or record, another version, records past the end
 * the header gives) makes the file unusable, never an error: the graph rebuilds it from {@code
 * graph/}. Readers and writers hold the commit lock, so no one reads a record being written.
 */
final class IndexFile {
  static final String NAME = ".index";
  static final int VERSION = 3;
  private static final byte[] MAGIC = "cairnidx".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = 48;
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private static final byte NODE = 1;
  private static final byte GONE = 2;
  private static final byte SKIPPED = 3;
  private static final byte IDS = 4;

  private static final int PARENT = 1;
  private static final int CREATED = 1 << 1;
  private static final int DIFF_ID = 1 << 2;
  private static final int LAYER_DIGEST = 1 << 3;
  private static final int IMAGE_CONFIG = 1 << 4;
  private static final int UNFINISHED = 1 << 5;
  private static final int FACTS = 1 << 6;
  private static final int THROWAWAY = 1 << 7;
  private static final int LABELS = 1 << 8;

  private IndexFile() {}

  /** A node as the index keeps it. */
  record Entry(Node node, boolean unfinished, NodeFacts facts) {
    Entry withNode(Node n) {
      return new Entry(n, unfinished, facts);
    }
  }

  /** What {@code graph/} looked like: its modification time and link count. */
  record Stamp(long mtimeNanos, int links) {
    static Stamp of(Path graphDir) throws IOException {
      BasicFileAttributes a =
          Files.readAttributes(graphDir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      long nanos = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
      int links;
      try {
        links = ((Number) Files.getAttribute(graphDir, "unix:nlink")).intValue();
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        links = 0;
      }
      return new Stamp(nanos, links);
    }
  }

  /** A header that reads back; {@code ids} is the sorted IDs record's offset, 0 for none. */
  record Header(long counter, Stamp stamp, int ids, long end) {}

  /** The whole file: the nodes by ID (in record order) and the directories left out. */
  record Contents(
      Header header, Map<String, Entry> entries, Map<String, String> skipped, int records) {}

  /** The header, or null when the file is absent or its header does not read back. */
  static Header header(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(HEADER);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // read it all
      }
      return b.hasRemaining() ? null : header(b.array(), ch.size());
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static Header header(byte[] b, long fileSize) {
    ByteBuffer h = ByteBuffer.wrap(b, 0, HEADER);
    for (int i = 0; i < MAGIC.length; i++) {
      if (h.get(i) != MAGIC[i]) {
        return null;
      }
    }
    if (h.getInt(8) != VERSION || h.getInt(12) != crc(b, 16, HEADER - 16)) {
      return null;
    }
    int ids = h.getInt(36);
    long end = h.getLong(40);
    if (end < HEADER || end > fileSize || ids != 0 && (ids < HEADER || ids >= end)) {
      return null;
    }
    return new Header(h.getLong(16), new Stamp(h.getLong(24), h.getInt(32)), ids, end);
  }

  /** Every record up to the header's end, or null when any of it does not read back. */
  static Contents read(Path file) throws IOException {
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (b.length < HEADER) {
      return null;
    }
    Header h = header(b, b.length);
    if (h == null) {
      return null;
    }
    Map<String, Entry> entries = LinkedHashMap.newLinkedHashMap(b.length / 96); // a record's size
    Map<String, String> skipped = new LinkedHashMap<>();
    ByteBuffer in = ByteBuffer.wrap(b, 0, (int) h.end());
    in.position(HEADER);
    int records = 0;
    try {
      while (in.hasRemaining()) {
        int len = in.getInt();
        int crc = in.getInt();
        if (len < 1 || len > in.remaining() || crc(b, in.position(), len) != crc) {
          return null;
        }
        ByteBuffer r = in.slice(in.position(), len);
        in.position(in.position() + len);
        records++;
        switch (r.get()) {
          case NODE -> {
            Entry e = decodeNode(r);
            entries.remove(e.node().id()); // record order: a node's latest state goes last
            entries.put(e.node().id(), e);
            skipped.remove(e.node().id());
          }
          case GONE -> {
            String id = hex(r);
            entries.remove(id);
            skipped.remove(id);
          }
          case SKIPPED -> {
            String name = string(r);
            skipped.put(name, string(r));
          }
          case IDS -> {
            // derived from the nodes before it: only for prefixes
          }
          default -> {
            return null;
          }
        }
      }
    } catch (RuntimeException e) { // a record shorter than its contents say
      return null;
    }
    return new Contents(h, entries, skipped, records);
  }

  /**
   * The nodes as a {@link NodeTable}, decoded without an object per node, and the directories left
   * out into {@code skipped}; null when the file cannot say (absent, not in line with {@code
   * counter} and {@code stamp}, or not reading back).
   */
  static NodeTable table(Path file, long counter, Stamp stamp, Map<String, String> skipped)
      throws IOException {
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    Header h = b.length < HEADER ? null : header(b, b.length);
    if (h == null || h.counter() != counter || !h.stamp().equals(stamp)) {
      return null;
    }
    NodeTable t = new NodeTable();
    ByteBuffer in = ByteBuffer.wrap(b, 0, (int) h.end());
    in.position(HEADER);
    try {
      while (in.hasRemaining()) {
        ByteBuffer r = next(b, in);
        if (r == null) {
          return null;
        }
        int at = r.arrayOffset(); // where the record starts in b
        switch (r.get()) {
          case NODE -> {
            tableNode(t, b, r, at + 1);
            if (!skipped.isEmpty()) {
              skipped.remove(hexAt(b, at + 1));
            }
          }
          case GONE -> {
            t.remove(b, at + 1);
            if (!skipped.isEmpty()) {
              skipped.remove(hexAt(b, at + 1));
            }
          }
          case SKIPPED -> {
            String name = string(r);
            skipped.put(name, string(r));
          }
          case IDS -> {}
          default -> {
            return null;
          }
        }
      }
    } catch (RuntimeException e) { // a record shorter than its contents say
      return null;
    }
    t.resolve();
    return t;
  }

  private static void tableNode(NodeTable t, byte[] b, ByteBuffer r, int idAt) {
    r.position(r.position() + 32);
    int flags = r.getShort() & 0xffff;
    int parentAt = -1;
    if ((flags & PARENT) != 0) {
      parentAt = r.arrayOffset() + r.position();
      r.position(r.position() + 32);
    }
    long createdSeconds = 0;
    int createdNanos = 0;
    if ((flags & CREATED) != 0) {
      createdSeconds = r.getLong();
      createdNanos = r.getInt();
    }
    long size = r.getLong();
    for (int digest : new int[] {DIFF_ID, LAYER_DIGEST}) {
      if ((flags & digest) != 0) {
        Digest.Algorithm a = Digest.Algorithm.values()[r.get()];
        r.position(r.position() + a.hexLength() / 2);
      }
    }
    long shownSeconds = 0;
    int shownNanos = 0;
    Object labels = null;
    if ((flags & FACTS) != 0) {
      shownSeconds = r.getLong();
      shownNanos = r.getInt();
      if ((flags & LABELS) != 0) {
        labels = r.slice(); // decoded when asked for: most listings show no labels
      }
    }
    t.put(
        b,
        idAt,
        parentAt < 0 ? null : b,
        parentAt,
        NodeTable.flags(
            (flags & IMAGE_CONFIG) != 0,
            (flags & UNFINISHED) != 0,
            (flags & CREATED) != 0,
            (flags & FACTS) != 0,
            (flags & THROWAWAY) != 0),
        size,
        createdSeconds,
        createdNanos,
        shownSeconds,
        shownNanos,
        labels);
  }

  /**
   * The IDs of the nodes the file holds that start with {@code prefix} (lowercase hex), found
   * without decoding any node; null when the file cannot say: absent, not in line with {@code
   * counter} and {@code stamp}, without sorted IDs, or not reading back.
   */
  static List<String> withPrefix(Path file, String prefix, long counter, Stamp stamp)
      throws IOException {
    byte[] b;
    try {
      b = Files.readAllBytes(file); // a few MB at 50,000 nodes; decoding them is what costs
    } catch (NoSuchFileException e) {
      return null;
    }
    Header h = b.length < HEADER ? null : header(b, b.length);
    if (h == null || h.ids() == 0 || h.counter() != counter || !h.stamp().equals(stamp)) {
      return null;
    }
    ByteBuffer in = ByteBuffer.wrap(b, 0, (int) h.end());
    in.position(h.ids());
    List<String> out = new ArrayList<>();
    try {
      ByteBuffer ids = next(b, in);
      if (ids == null || ids.get() != IDS) {
        return null;
      }
      int count = ids.getInt();
      if (count < 0 || count > ids.remaining() / 32) {
        return null;
      }
      int base = ids.position();
      int lo = 0;
      int hi = count;
      while (lo < hi) { // the first ID not below the prefix
        int mid = (lo + hi) >>> 1;
        if (hexAt(b, ids.arrayOffset() + base + 32 * mid).compareTo(prefix) < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      for (int i = lo; i < count; i++) {
        String id = hexAt(b, ids.arrayOffset() + base + 32 * i);
        if (!id.startsWith(prefix)) {
          break;
        }
        out.add(id);
      }
      while (in.hasRemaining()) { // what changed since the IDs were sorted
        ByteBuffer r = next(b, in);
        if (r == null) {
          return null;
        }
        byte kind = r.get();
        if (kind == NODE || kind == GONE) {
          String id = hex(r);
          if (id.startsWith(prefix)) {
            out.remove(id);
            if (kind == NODE) {
              out.add(id);
            }
          }
        }
      }
    } catch (RuntimeException e) { // a record shorter than its contents say
      return null;
    }
    return out;
  }

  // The next record's payload, its CRC checked; null when it does not read back.
  private static ByteBuffer next(byte[] b, ByteBuffer in) {
    int len = in.getInt();
    int crc = in.getInt();
    if (len < 1 || len > in.remaining() || crc(b, in.position(), len) != crc) {
      return null;
    }
    ByteBuffer r = in.slice(in.position(), len);
    in.position(in.position() + len);
    return r;
  }

  private static String hexAt(byte[] b, int offset) {
    return hex(ByteBuffer.wrap(b, offset, 32));
  }

  /**
   * Writes a whole new file beside the old one (under {@code staging}) and renames it over; then
   * stamps it with {@code counter} and {@code graph/} as the rename left it.
   */
  static void write(
      Path graphDir,
      Path staging,
      Collection<Entry> entries,
      Map<String, String> skipped,
      long counter)
      throws IOException {
    Path temp = staging.resolve("index." + Graph.random());
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER + entries.size() * 160);
      out.write(new byte[HEADER]);
      for (Entry e : entries) {
        record(out, node(e));
      }
      for (Map.Entry<String, String> s : skipped.entrySet()) {
        record(out, skipped(s.getKey(), s.getValue()));
      }
      int ids = out.size();
      record(out, sortedIds(entries));
      byte[] b = out.toByteArray();
      Files.write(temp, b, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Path file = graphDir.resolve(NAME);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      stamp(file, counter, Stamp.of(graphDir), ids, b.length);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Appends records at the header's end and moves the end past them, with the new counter and
   * stamp: a crash before the header is written leaves the records past the end, unread.
   */
  static void append(Path file, Header h, List<byte[]> payloads, long counter, Stamp stamp)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : payloads) {
      record(out, p);
    }
    byte[] b = out.toByteArray();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      writeFully(ch, ByteBuffer.wrap(b), h.end());
    }
    stamp(file, counter, stamp, h.ids(), h.end() + b.length);
  }

  private static byte[] sortedIds(Collection<Entry> entries) {
    List<String> ids = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      ids.add(e.node().id());
    }
    ids.sort(null);
    ByteBuffer b = ByteBuffer.allocate(5 + 32 * ids.size()).put(IDS).putInt(ids.size());
    for (String id : ids) {
      b.put(HEX.parseHex(id));
    }
    return b.array();
  }

  private static void stamp(Path file, long counter, Stamp stamp, int ids, long end)
      throws IOException {
    byte[] b = new byte[HEADER];
    ByteBuffer h = ByteBuffer.wrap(b);
    h.put(MAGIC).putInt(VERSION).putInt(0);
    h.putLong(counter).putLong(stamp.mtimeNanos()).putInt(stamp.links()).putInt(ids).putLong(end);
    h.putInt(12, crc(b, 16, HEADER - 16));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      writeFully(ch, ByteBuffer.wrap(b), 0);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    while (b.hasRemaining()) {
      position += ch.write(b, position);
    }
  }

  private static void record(ByteArrayOutputStream out, byte[] payload) {
    ByteBuffer h =
        ByteBuffer.allocate(8).putInt(payload.length).putInt(crc(payload, 0, payload.length));
    out.writeBytes(h.array());
    out.writeBytes(payload);
  }

  static byte[] gone(String id) {
    return ByteBuffer.allocate(33).put(GONE).put(HEX.parseHex(id)).array();
  }

  static byte[] skipped(String name, String why) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(b);
      out.writeByte(SKIPPED);
      string(out, name);
      string(out, why);
      return b.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static byte[] node(Entry e) {
    Node n = e.node();
    NodeFacts f = e.facts();
    int flags =
        (n.parent() != null ? PARENT : 0)
            | (n.created() != null ? CREATED : 0)
            | (n.diffId() != null ? DIFF_ID : 0)
            | (n.layerDigest() != null ? LAYER_DIGEST : 0)
            | (n.imageConfig() ? IMAGE_CONFIG : 0)
            | (e.unfinished() ? UNFINISHED : 0)
            | (f != null ? FACTS : 0)
            | (f != null && f.throwaway() ? THROWAWAY : 0)
            | (f != null && f.labels() != null ? LABELS : 0);
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream(160);
      DataOutputStream out = new DataOutputStream(b);
      out.writeByte(NODE);
      out.write(HEX.parseHex(n.id()));
      out.writeShort(flags);
      if (n.parent() != null) {
        out.write(HEX.parseHex(n.parent()));
      }
      if (n.created() != null) {
        instant(out, n.created());
      }
      out.writeLong(n.size());
      if (n.diffId() != null) {
        digest(out, n.diffId());
      }
      if (n.layerDigest() != null) {
        digest(out, n.layerDigest());
      }
      if (f != null) {
        instant(out, f.created());
        if (f.labels() != null) {
          out.writeInt(f.labels().size());
          for (Map.Entry<String, String> l : f.labels().entrySet()) {
            string(out, l.getKey());
            string(out, l.getValue());
          }
        }
      }
      return b.toByteArray();
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  private static Entry decodeNode(ByteBuffer r) {
    String id = hex(r);
    int flags = r.getShort() & 0xffff;
    String parent = (flags & PARENT) != 0 ? hex(r) : null;
    Instant created = (flags & CREATED) != 0 ? instant(r) : null;
    long size = r.getLong();
    Digest diffId = (flags & DIFF_ID) != 0 ? digest(r) : null;
    Digest layerDigest = (flags & LAYER_DIGEST) != 0 ? digest(r) : null;
    NodeFacts facts = null;
    if ((flags & FACTS) != 0) {
      Instant factCreated = instant(r);
      Map<String, String> labels = null;
      if ((flags & LABELS) != 0) {
        labels = labels(r);
      }
      facts = new NodeFacts(factCreated, (flags & THROWAWAY) != 0, labels);
    }
    Node n = new Node(id, parent, created, size, diffId, layerDigest, (flags & IMAGE_CONFIG) != 0);
    return new Entry(n, (flags & UNFINISHED) != 0, facts);
  }

  /** A node record's labels, from where {@code r} stands (they end the record). */
  static Map<String, String> labels(ByteBuffer r) {
    int count = r.getInt();
    if (count == 0) {
      return Map.of();
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      labels.put(string(r), string(r));
    }
    return labels;
  }

  // A digest as its algorithm's ordinal and its bytes: half the size of its text, and no text to
  // parse back.
  private static void digest(DataOutputStream out, Digest d) throws IOException {
    out.writeByte(d.algorithm().ordinal());
    out.write(HEX.parseHex(d.hex()));
  }

  private static Digest digest(ByteBuffer r) {
    Digest.Algorithm a = Digest.Algorithm.values()[r.get()];
    return new Digest(a, hex(r, a.hexLength() / 2));
  }

  private static void instant(DataOutputStream out, Instant t) throws IOException {
    out.writeLong(t.getEpochSecond());
    out.writeInt(t.getNano());
  }

  private static Instant instant(ByteBuffer r) {
    long seconds = r.getLong();
    return Instant.ofEpochSecond(seconds, r.getInt());
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(ByteBuffer r) {
    int len = r.getInt();
    if (len < 0 || len > r.remaining()) {
      throw new IllegalArgumentException("a string past the record's end");
    }
    String s = new String(r.array(), r.arrayOffset() + r.position(), len, StandardCharsets.UTF_8);
    r.position(r.position() + len);
    return s;
  }

  private static String hex(ByteBuffer r) {
    return hex(r, 32);
  }

  private static String hex(ByteBuffer r, int bytes) {
    byte[] out = new byte[2 * bytes]; // Latin-1 digits straight into the string: 50,000 IDs a load
    for (int i = 0; i < bytes; i++) {
      int v = r.get() & 0xff;
      out[2 * i] = DIGITS[v >>> 4];
      out[2 * i + 1] = DIGITS[v & 0xf];
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  static List<byte[]> nodes(Collection<Entry> entries) {
    List<byte[]> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      out.add(node(e));
    }
    return out;
  }
}
