package dev.cairn.archive;

/**
 * How a layer is applied.
 *
 * @param uidMap container-to-host user IDs (identity unless the store uses a user namespace)
 * @param gidMap container-to-host group IDs
 * @param maxUncompressedBytes the cap on the uncompressed tar (see {@link
 *     Decompress#DEFAULT_MAX_BYTES})
 * @param whiteouts how deletions are written: applied ({@link WhiteoutFormat#AUFS}) or recorded as
 *     overlayfs whiteouts for an upper directory ({@link WhiteoutFormat#OVERLAY})
 */
public record ApplyOptions(
    IdMap uidMap, IdMap gidMap, long maxUncompressedBytes, WhiteoutFormat whiteouts) {
  public ApplyOptions {
    if (maxUncompressedBytes <= 0) {
      throw new IllegalArgumentException("maxUncompressedBytes must be positive");
    }
    if (uidMap == null || gidMap == null || whiteouts == null) {
      throw new NullPointerException("ID maps and whiteout format are required");
    }
  }

  public static ApplyOptions defaults() {
    return new ApplyOptions(
        IdMap.IDENTITY, IdMap.IDENTITY, Decompress.DEFAULT_MAX_BYTES, WhiteoutFormat.AUFS);
  }

  public ApplyOptions withIdMaps(IdMap uids, IdMap gids) {
    return new ApplyOptions(uids, gids, maxUncompressedBytes, whiteouts);
  }

  public ApplyOptions withMaxUncompressedBytes(long max) {
    return new ApplyOptions(uidMap, gidMap, max, whiteouts);
  }

  public ApplyOptions withWhiteouts(WhiteoutFormat format) {
    return new ApplyOptions(uidMap, gidMap, maxUncompressedBytes, format);
  }

  /** Whether owners are shifted: either map is not the identity. */
  public boolean mapsIds() {
    return !uidMap.isIdentity() || !gidMap.isIdentity();
  }
}
