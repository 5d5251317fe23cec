package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.EngineImage;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The files of one node directory (ARCHITECTURE.md, On-disk layout): reading them, and the durable
 * write recipe (ARCHITECTURE.md, The commit recipe).
 */
final class NodeFiles {
  static final String JSON = "json";
  static final String LAYERSIZE = "layersize";
  static final String CHECKSUM = "checksum";
  static final String TAR_DATA = "tar-data.json.gz";
  static final String V1_COMPATIBILITY = "v1Compatibility";
  static final String PARENT = "parent";
  static final String DIFFID = "diffid";

  private static final int MAX_JSON = 8 << 20;
  private static final int MAX_SMALL = 4096;

  private NodeFiles() {}

  /**
   * Reads a node directory into a {@link Node}.
   *
   * @throws CairnException INVALID naming the file and the problem, for a corrupt node
   */
  static Node read(Path dir, String id) throws IOException {
    return read(dir, id, readJson(dir));
  }

  /**
   * Reads a node directory with what the graph index keeps of it: its unfinished mark and its
   * {@link NodeFacts}.
   *
   * @throws CairnException INVALID naming the file and the problem, for a corrupt node
   */
  static IndexFile.Entry readEntry(Path dir, String id) throws IOException {
    byte[] json = readJson(dir);
    Node n = read(dir, id, json);
    NodeFacts facts;
    try {
      facts =
          NodeFacts.of(json, readCapped(dir.resolve(V1_COMPATIBILITY), MAX_JSON, V1_COMPATIBILITY));
    } catch (CairnException e) {
      facts = null; // a listing reads it, and reports it as it always did
    }
    return new IndexFile.Entry(n, Unfinished.marked(dir), facts);
  }

  private static byte[] readJson(Path dir) throws IOException {
    byte[] json = readCapped(dir.resolve(JSON), MAX_JSON, "json");
    if (json == null) {
      throw CairnException.invalid("json is missing");
    }
    return json;
  }

  private static Node read(Path dir, String id, byte[] json) throws IOException {
    JsonObject obj = Json.parseObject(json, "json");
    String parent = small(dir, PARENT);
    if (parent == null) {
      parent = jsonParent(obj);
    } else if (parent.isEmpty()) {
      parent = null;
    }
    if (parent != null) {
      parent = stripSha256(parent);
      Graph.checkId(parent, "parent");
    }
    Instant created = created(obj);
    long size = -1;
    String sizeText = small(dir, LAYERSIZE);
    if (sizeText != null) {
      try {
        size = Long.parseLong(sizeText);
      } catch (NumberFormatException e) {
        size = -1; // recomputed when first needed
      }
      size = size < 0 ? -1 : size;
    }
    return new Node(
        id,
        parent,
        created,
        size,
        digest(dir, DIFFID),
        digest(dir, CHECKSUM),
        EngineImage.hasRootFs(obj));
  }

  /** The parent the JSON names: {@code parent}, else the strong-ID config's {@code parent_id}. */
  static String jsonParent(JsonObject obj) {
    for (String key : new String[] {"parent", "parent_id"}) {
      JsonValue v = obj.get(key);
      if (v == null || v instanceof JsonValue.JsonNull) {
        continue;
      }
      if (!(v instanceof JsonString s)) {
        throw CairnException.invalid("json: " + key + " is a " + v.typeName() + ", not a string");
      }
      String text = s.value();
      if (!text.isEmpty()) {
        return stripSha256(text);
      }
    }
    return null;
  }

  static Instant created(JsonObject obj) {
    JsonValue v = obj.get("created");
    if (v == null || v instanceof JsonValue.JsonNull) {
      return null;
    }
    if (!(v instanceof JsonString s)) {
      throw CairnException.invalid("json: created is a " + v.typeName() + ", not a string");
    }
    try {
      return OffsetDateTime.parse(s.value()).toInstant();
    } catch (DateTimeParseException e) {
      throw CairnException.invalid(
          "json: created " + CairnException.quote(s.value()) + " is not an RFC 3339 time");
    }
  }

  static String stripSha256(String id) {
    return id.startsWith("sha256:") ? id.substring(7) : id;
  }

  private static Digest digest(Path dir, String name) throws IOException {
    String text = small(dir, name);
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return Digest.parse(text);
    } catch (CairnException e) {
      throw e.in(name);
    }
  }

  /** A small text file's content, trimmed, or null when it does not exist. */
  static String small(Path dir, String name) throws IOException {
    byte[] b = readCapped(dir.resolve(name), MAX_SMALL, name);
    return b == null ? null : new String(b, StandardCharsets.UTF_8).trim();
  }

  /** A file's bytes, or null when absent; a file over {@code max} bytes is an INVALID error. */
  static byte[] readCapped(Path file, int max, String what) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (size > max) {
        throw CairnException.invalid(what + " is " + size + " bytes, over the limit of " + max);
      }
      ByteBuffer b = ByteBuffer.allocate((int) size);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // read it all
      }
      return b.hasRemaining() ? java.util.Arrays.copyOf(b.array(), b.position()) : b.array();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Writes a new file and forces it to disk (the staging half of the commit recipe). */
  static void writeSynced(Path file, byte[] data) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
  }

  /**
   * Replaces {@code dir/name} atomically: written under {@code staging}, forced, renamed over the
   * old file, the directory forced. Readers see the old content or the new, never a mix.
   */
  static void replace(Path dir, String name, byte[] data, Path staging) throws IOException {
    Path temp = staging.resolve(dir.getFileName() + "." + Graph.random() + "." + name);
    try {
      writeSynced(temp, data);
      Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDir(dir);
  }

  /** Forces a directory's entries to disk, so that a rename into it survives a power cut. */
  static void syncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Removes a tree without following symbolic links; absent is fine. */
  static void deleteTree(Path path) throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
        for (Path e : entries) {
          deleteTree(e);
        }
      } catch (NoSuchFileException e) {
        return;
      }
    }
    Files.deleteIfExists(path);
  }
}
