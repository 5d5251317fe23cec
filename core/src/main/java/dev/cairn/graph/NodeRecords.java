package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A small list file in a node directory that cairn keeps beside Docker 1.9's ({@code v2metadata},
 * {@code v2manifests}): read, changed and replaced atomically under the node's ID lock, so that
 * concurrent writers lose no entry. A file that does not parse is started anew, with a warning.
 *
 * @param <T> the entries' type
 */
record NodeRecords<T>(String file, Reader<T> read, Function<List<T>, byte[]> encode) {

  /** Reads the entries from a node directory; absent means none. */
  @FunctionalInterface
  interface Reader<T> {
    List<T> read(Path nodeDir) throws IOException;
  }

  /**
   * The entries of {@code file} in a node directory, a JSON array of at most {@code maxBytes} whose
   * objects {@code entry} turns into entries; none when the file is absent.
   *
   * @throws CairnException INVALID saying what is wrong
   */
  static <T> List<T> readArray(Path dir, String file, int maxBytes, Function<JsonObject, T> entry)
      throws IOException {
    byte[] b = NodeFiles.readCapped(dir.resolve(file), maxBytes, file);
    return b == null ? List.of() : parseArray(b, file, entry);
  }

  /** {@link #readArray}'s parse of the file's bytes. */
  static <T> List<T> parseArray(byte[] bytes, String file, Function<JsonObject, T> entry) {
    JsonValue v;
    try {
      v = Json.parse(bytes);
    } catch (CairnException e) {
      throw e.in(file);
    }
    if (!(v instanceof JsonArray a)) {
      throw CairnException.invalid(file + " is not a JSON array");
    }
    List<T> out = new ArrayList<>(a.items().size());
    for (JsonValue item : a.items()) {
      if (!(item instanceof JsonObject o)) {
        throw CairnException.invalid(file + ": an entry is not a JSON object");
      }
      out.add(entry.apply(o));
    }
    return List.copyOf(out);
  }

  /** The node's entries; none when the file is absent or does not parse ({@code fsck} says so). */
  List<T> get(Graph graph, String id) throws IOException {
    Graph.checkId(id, "node");
    try {
      return read.read(graph.root().resolve("graph").resolve(id));
    } catch (CairnException e) {
      return List.of();
    }
  }

  /**
   * Replaces the node's entries by {@code change} of them.
   *
   * @return a warning when the old file did not parse and was started anew, else empty
   * @throws CairnException NOT_FOUND when the node does not exist
   */
  Optional<String> update(Graph graph, String id, UnaryOperator<List<T>> change)
      throws IOException {
    Graph.checkId(id, "node");
    Path node = graph.root().resolve("graph").resolve(id);
    try (RootLock.Held idLock = graph.lock().lockId(id)) {
      if (!Files.isDirectory(node, LinkOption.NOFOLLOW_LINKS)) {
        throw CairnException.notFound("no such image: " + id);
      }
      List<T> old;
      String warning = null;
      try {
        old = read.read(node);
      } catch (CairnException e) {
        old = List.of();
        warning = "node " + id + ": ignoring its " + file + ": " + e.getMessage();
      }
      List<T> next = change.apply(old);
      if (!next.equals(old) || warning != null) {
        NodeFiles.replace(node, file, encode.apply(next), graph.tempDirectory());
      }
      return Optional.ofNullable(warning);
    }
  }
}
