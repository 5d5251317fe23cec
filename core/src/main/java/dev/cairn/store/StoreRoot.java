package dev.cairn.store;

import dev.cairn.CairnException;
import dev.cairn.driver.DirectoryModes;
import dev.cairn.driver.DriverOptions;
import dev.cairn.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A store's root directory before its driver and graph open: who may open it, with which ID maps,
 * and the modes of its directories (made as docker makes its data root's, and set again on a store
 * of this user's that an older cairn made open to everyone).
 */
final class StoreRoot {
  private StoreRoot() {}

  /**
   * Checks that this process may open the store at {@code root} with {@code maps}, then creates it
   * or repairs its directories' modes. A refusal changes nothing.
   *
   * @return whether the store, new or this user's, has yet to record its ID maps ({@link #record})
   * @throws CairnException INVALID when this user may not enter the store, CONFLICT when it was
   *     made with other ID maps
   */
  static boolean prepare(Path root, IdMaps maps, DriverOptions options) throws IOException {
    boolean exists = Files.isDirectory(root);
    if (exists && !(Files.isReadable(root) && Files.isExecutable(root))) {
      throw CairnException.invalid(
          "cannot open store "
              + root
              + ": permission denied: it belongs to "
              + Files.getOwner(root).getName()
              + " (mode "
              + String.format("%04o", (Integer) Files.getAttribute(root, "unix:mode") & 07777)
              + "), and a store is for its owner alone, as docker's data root is");
    }
    boolean recorded = maps.check(root);
    if (!exists) {
      DirectoryModes.createPassage(root, options);
      return true;
    }
    if ((Integer) Files.getAttribute(root, "unix:uid") != Posix.geteuid()) {
      return false; // another user's store: theirs to change
    }
    if (Files.isDirectory(root.resolve("graph"), LinkOption.NOFOLLOW_LINKS)) {
      DirectoryModes.repair(root, options);
    }
    return !recorded;
  }

  /**
   * Records the ID maps of a store that has none yet: a new one, or one an older cairn made, which
   * is taken to have been made with the maps it is now opened with. A store that cannot take the
   * file now (read-only, full) goes on without it and records them on a later open.
   */
  static void record(Path root, IdMaps maps) {
    try {
      maps.write(root);
    } catch (IOException e) {
      // nothing to undo: the record is written whole or not at all
    }
  }
}
