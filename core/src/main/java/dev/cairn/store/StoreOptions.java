package dev.cairn.store;

import dev.cairn.archive.IdMap;
import dev.cairn.registry.RegistryOptions;

/**
 * How a store is opened.
 *
 * @param driver the storage driver to use, or null to keep the store's own (else the best that
 *     works here)
 * @param uidMap container-to-host user ID ranges (userns-remap), or null for none
 * @param gidMap the same for group IDs, or null
 * @param registry how registries are reached (credentials, insecure hosts, CAs, timeouts)
 * @param keepBlobs whether every pull keeps the original compressed layer blobs, as {@code pull
 *     --keep-blobs} does
 */
public record StoreOptions(
    String driver, IdMap uidMap, IdMap gidMap, RegistryOptions registry, boolean keepBlobs) {

  public static StoreOptions defaults() {
    return new StoreOptions(null, null, null, RegistryOptions.defaults(), false);
  }

  public StoreOptions withDriver(String name) {
    return new StoreOptions(name, uidMap, gidMap, registry, keepBlobs);
  }

  public StoreOptions withIdMaps(IdMap uids, IdMap gids) {
    return new StoreOptions(driver, uids, gids, registry, keepBlobs);
  }

  public StoreOptions withRegistry(RegistryOptions options) {
    return new StoreOptions(driver, uidMap, gidMap, options, keepBlobs);
  }

  /** Makes every pull keep (or not) the original compressed layer blobs. */
  public StoreOptions withKeepBlobs(boolean keep) {
    return new StoreOptions(driver, uidMap, gidMap, registry, keep);
  }
}
