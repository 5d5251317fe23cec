package dev.cairn.archive;

/**
 * How a layer is applied.
 *
 * @param uidMap container-to-host user IDs (identity unless the store uses a user namespace)
 * @param gidMap container-to-host group IDs
 * @param maxUncompressedBytes the cap on the uncompressed tar (see {@link
 *     Decompress#DEFAULT_MAX_BYTES})
 */
public record ApplyOptions(IdMap uidMap, IdMap gidMap, long maxUncompressedBytes) {
  public ApplyOptions {
    if (maxUncompressedBytes <= 0) {
      throw new IllegalArgumentException("maxUncompressedBytes must be positive");
    }
  }

  public static ApplyOptions defaults() {
    return new ApplyOptions(IdMap.IDENTITY, IdMap.IDENTITY, Decompress.DEFAULT_MAX_BYTES);
  }

  public ApplyOptions withIdMaps(IdMap uids, IdMap gids) {
    return new ApplyOptions(uids, gids, maxUncompressedBytes);
  }

  public ApplyOptions withMaxUncompressedBytes(long max) {
    return new ApplyOptions(uidMap, gidMap, max);
  }
}
