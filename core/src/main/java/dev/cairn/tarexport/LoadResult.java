package dev.cairn.tarexport;

import dev.cairn.digest.Digest;
import dev.cairn.image.Reference;
import java.util.List;

/**
 * What a load did.
 *
 * @param images every image of the archive, in archive order, whether new or already present
 * @param moved the tags that pointed at another image before the load
 */
public record LoadResult(List<LoadedImage> images, List<MovedTag> moved) {
  public LoadResult {
    images = List.copyOf(images);
    moved = List.copyOf(moved);
  }

  /**
   * One image of the archive.
   *
   * @param id the ID of its top node, {@code sha256:} and 64 hex
   * @param tags the tags the archive gave it, now pointing at it
   */
  public record LoadedImage(Digest id, List<Reference> tags) {
    public LoadedImage {
      tags = List.copyOf(tags);
    }
  }

  /**
   * A tag the load took from an image.
   *
   * @param tag the reference
   * @param from the image it pointed to before, {@code sha256:} and 64 hex
   * @param to the loaded image it points to now
   */
  public record MovedTag(Reference tag, Digest from, Digest to) {}
}
