package dev.cairn.store;

import java.util.List;

/**
 * What the images of a store take on disk, as {@code docker system df} counts it (the Engine API's
 * {@code GET /system/df}): the images docker lists without {@code -a}, and the layers they use,
 * each layer counted once however many images share it. A mounted image ({@code cairn mount}) is
 * active, as docker counts an image a container uses.
 *
 * @param images every image docker's listing shows (named, or with no image above it), newest first
 * @param layersSize the bytes of every layer those images use, each layer once (docker's {@code
 *     LayersSize}, the SIZE of the Images row)
 * @param layers how many layers that is (docker shows no count of layers; cairn's command line
 *     prints it nowhere either)
 * @param keptBlobs how many original layer blobs {@code pull --keep-blobs} kept (docker keeps none)
 * @param keptBlobsSize the bytes they take
 * @param keptBlobsInUse the bytes of those a mounted (active) image's layers use: not reclaimable
 */
public record DiskUsage(
    List<ImageUsage> images,
    long layersSize,
    int layers,
    int keptBlobs,
    long keptBlobsSize,
    long keptBlobsInUse) {

  public DiskUsage {
    images = List.copyOf(images);
  }

  /** The images in use: those mounted at least once (docker's ACTIVE). */
  public int active() {
    return (int) images.stream().filter(i -> i.mounts() > 0).count();
  }

  /**
   * The Images row's SIZE: {@link #layersSize} and the kept blobs, which go with the images that
   * use them.
   */
  public long totalSize() {
    return layersSize + keptBlobsSize;
  }

  /**
   * docker's RECLAIMABLE: {@link #totalSize} less the unique size of every active image and the
   * kept blobs active images use. A layer an active image shares with another image counts as
   * reclaimable, as docker counts it.
   */
  public long reclaimable() {
    long used = 0;
    for (ImageUsage i : images) {
      if (i.mounts() > 0) {
        used += i.uniqueSize();
      }
    }
    return totalSize() - used - keptBlobsInUse;
  }
}
