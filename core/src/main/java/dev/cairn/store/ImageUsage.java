package dev.cairn.store;

/**
 * One image of {@code docker system df -v}: its summary, how much of it other images share, and how
 * often it is mounted (docker's CONTAINERS).
 *
 * @param sharedSize the bytes of its layers that another listed image uses too
 * @param mounts how many {@code cairn mount}s of it are in effect
 */
public record ImageUsage(ImageSummary image, long sharedSize, int mounts) {
  /** The bytes of the layers it alone uses. */
  public long uniqueSize() {
    return image.size() - sharedSize;
  }
}
