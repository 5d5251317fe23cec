package dev.cairn.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where a driver makes a layer before it is complete, and where it moves one it removes before
 * deleting it: {@code <layers>/.tmp-<id>}, beside the layers so that a rename moves it in or out.
 * One name per layer: the graph makes and removes a layer only under the lock of its ID, so a tree
 * found under that name was left by a create or remove of the layer that was cut short, and is
 * cleared before the name is used again. The graph removes every layer whose register or delete it
 * finds cut short when it opens the store alone, which clears these trees too: no one walks the
 * layers to find them.
 */
final class Staging {
  private static final String PREFIX = ".tmp-";

  private final Path layers;

  Staging(Path layers) {
    this.layers = layers;
  }

  /** Undoes what a cut-short create or remove did outside its staging tree. */
  interface Undo {
    /**
     * @param id the layer the tree was staged for
     * @param tree the leftover staging tree, removed after this returns
     */
    void undo(String id, Path tree) throws IOException;
  }

  /**
   * The staging trees in the layer directory: {@code .tmp-<id>}, and {@code .tmp-<id>-<random>} as
   * older stores named them. Each was left by a create or remove cut short when no one else has the
   * store open.
   */
  java.util.List<String> leftovers() throws IOException {
    java.util.List<String> out = new java.util.ArrayList<>();
    try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(layers, PREFIX + "*")) {
      s.forEach(p -> out.add(p.getFileName().toString()));
    }
    out.sort(null);
    return out;
  }

  /** Removes the staging tree {@code name} ({@link #leftovers}), undoing what it did outside. */
  void remove(String name, Undo undo) throws IOException {
    if (!name.startsWith(PREFIX) || name.contains("/") || name.length() == PREFIX.length()) {
      throw new IllegalArgumentException("not a staging tree: " + name);
    }
    Path tree = layers.resolve(name);
    String id = name.substring(PREFIX.length(), Math.min(name.length(), PREFIX.length() + 64));
    if (LayerIds.isId(id) && Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
      undo.undo(id, tree);
    }
    Trees.remove(tree);
  }

  /**
   * The staging path of layer {@code id}, cleared of whatever a cut-short create or remove left.
   */
  Path clear(String id, Undo undo) throws IOException {
    Path tree = layers.resolve(PREFIX + LayerIds.check(id));
    if (Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
      undo.undo(id, tree);
      Trees.remove(tree);
    }
    return tree;
  }
}
