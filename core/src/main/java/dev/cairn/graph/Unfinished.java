package dev.cairn.graph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The mark of a node committed as part of an image still being made ({@link NodeSpec#unfinished}):
 * an empty file {@code unfinished} in the node's directory. It is written into the staging
 * directory, so a node and its mark appear with one rename and survive a crash together; {@link
 * Graph#finish} removes it from the image's top once the image is complete. A graph that Docker or
 * an older cairn wrote has no marks: its heads are images, as they always were.
 */
final class Unfinished {
  static final String FILE = "unfinished";

  private Unfinished() {}

  /** Marks a node being staged; the commit's sync makes the mark durable with the node. */
  static void mark(Path stage) throws IOException {
    Files.createFile(stage.resolve(FILE));
  }

  static boolean marked(Path nodeDir) {
    return Files.exists(nodeDir.resolve(FILE), LinkOption.NOFOLLOW_LINKS);
  }

  /** Removes the mark, durably; a node without one is left as it is. */
  static void clear(Path nodeDir) throws IOException {
    if (Files.deleteIfExists(nodeDir.resolve(FILE))) {
      NodeFiles.syncDir(nodeDir);
    }
  }
}
