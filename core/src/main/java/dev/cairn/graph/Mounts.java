package dev.cairn.graph;

import dev.cairn.CairnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * How many times each node is mounted for users ({@code cairn mount}), counted in the node's
 * directory ({@code mounts}, in decimal) so that every process sees one count, as Docker's overlay2
 * driver counts the references to a container's layer: a mount made by one process is ended by an
 * unmount in another, the driver's view goes with the last unmount, and a mounted node cannot be
 * deleted ({@link Graph#delete} refuses it). Counts change under the node's ID lock, which delete
 * holds too.
 *
 * <p>A crash leaves the count at or above the mounts that exist: it goes up before the driver
 * mounts and down after the driver unmounts, so a node is never deleted under a mount.
 */
public final class Mounts {
  static final String FILE = "mounts";

  private final Graph graph;

  Mounts(Graph graph) {
    this.graph = graph;
  }

  /** Mounts node {@code id} (a full ID) once more and returns the directory of its filesystem. */
  public Path mount(String id) throws IOException {
    Graph.checkId(id, "image ID");
    try (RootLock.Held idLock = graph.lock().lockId(id)) {
      Path node = existing(id);
      int count = count(node);
      write(node, count + 1);
      try {
        return graph.driver().mount(id);
      } catch (IOException | RuntimeException e) {
        try {
          write(node, count);
        } catch (IOException | RuntimeException undo) {
          e.addSuppressed(undo);
        }
        throw e;
      }
    }
  }

  /**
   * Ends one {@link #mount} of node {@code id}; the driver unmounts at the last one. A node that is
   * not mounted is left as it is (a mount an older cairn made without counting it is ended).
   */
  public void unmount(String id) throws IOException {
    Graph.checkId(id, "image ID");
    try (RootLock.Held idLock = graph.lock().lockId(id)) {
      Path node = existing(id);
      int count = count(node);
      if (count <= 1) {
        graph.driver().unmount(id);
        write(node, 0);
      } else {
        write(node, count - 1);
      }
    }
  }

  /** How many mounts of node {@code id} have not been ended yet. */
  public int count(String id) throws IOException {
    Graph.checkId(id, "image ID");
    return count(graph.root().resolve("graph").resolve(id));
  }

  /** The count stored in a node directory: 0 when absent; unreadable counts as mounted. */
  static int count(Path node) throws IOException {
    String text = NodeFiles.small(node, FILE);
    if (text == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(text));
    } catch (NumberFormatException e) {
      return 1; // never delete under a mount nobody can count: an unmount sets it right
    }
  }

  private Path existing(String id) {
    Path node = graph.root().resolve("graph").resolve(id);
    if (!Files.isDirectory(node, LinkOption.NOFOLLOW_LINKS)) {
      throw CairnException.notFound("no such image: " + id);
    }
    return node;
  }

  private void write(Path node, int count) throws IOException {
    if (count == 0) {
      if (Files.deleteIfExists(node.resolve(FILE))) {
        NodeFiles.syncDir(node);
      }
      return;
    }
    NodeFiles.replace(
        node,
        FILE,
        Integer.toString(count).getBytes(StandardCharsets.US_ASCII),
        graph.tempDirectory());
  }
}
