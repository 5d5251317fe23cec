package dev.cairn.driver;

import dev.cairn.archive.ApplyOptions;
import dev.cairn.archive.IdMap;

/**
 * How a store's driver works.
 *
 * @param apply how layers are applied: the user-namespace ID maps (the store's directories then
 *     belong to the mapped root) and the decompression cap; the whiteout format is the driver's own
 *     choice and is ignored here
 */
public record DriverOptions(ApplyOptions apply) {
  public DriverOptions {
    if (apply == null) {
      throw new NullPointerException("apply options are required");
    }
  }

  public static DriverOptions defaults() {
    return new DriverOptions(ApplyOptions.defaults());
  }

  public DriverOptions withIdMaps(IdMap uids, IdMap gids) {
    return new DriverOptions(apply.withIdMaps(uids, gids));
  }

  /** The host user ID that stands for the container's root. */
  int rootUid() {
    return apply.uidMap().toHost(0, "uid");
  }

  /** The host group ID that stands for the container's root. */
  int rootGid() {
    return apply.gidMap().toHost(0, "gid");
  }
}
