package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.image.Reference;
import java.util.List;

/**
 * An image of a listing by its ID and names alone ({@code docker images -q}): what the store knows
 * without reading the image's JSON.
 *
 * @param id the image ID
 * @param references the references that name it, in the tags file's order
 */
public record ListedImage(Digest id, List<Reference> references) {

  public ListedImage {
    references = List.copyOf(references);
  }
}
