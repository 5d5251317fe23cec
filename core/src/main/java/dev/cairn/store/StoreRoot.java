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
 * A store's root directory before its driver and graph open: who may open it, and the modes of its
 * directories (made as docker makes its data root's, and set again on a store of this user's that
 * an older cairn made open to everyone).
 */
final class StoreRoot {
  private StoreRoot() {}

  /**
   * Checks that this process may open the store at {@code root}, then creates it or repairs its
   * directories' modes. A refusal changes nothing.
   *
   * @throws CairnException INVALID when this user may not enter the store
   */
  static void prepare(Path root, DriverOptions options) throws IOException {
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
    if (!exists) {
      DirectoryModes.createPassage(root, options);
    } else if ((Integer) Files.getAttribute(root, "unix:uid") == Posix.geteuid()
        && Files.isDirectory(root.resolve("graph"), LinkOption.NOFOLLOW_LINKS)) {
      DirectoryModes.repair(root, options);
    }
  }
}
