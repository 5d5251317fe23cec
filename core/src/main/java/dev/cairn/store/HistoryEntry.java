package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.image.Reference;
import java.time.Instant;
import java.util.List;

/**
 * One row of {@code docker history} (the Engine API's {@code GET /images/{name}/history}): a build
 * step, newest first.
 *
 * @param id the image this step made, or null ({@code <missing>}) when the step is not an image of
 *     its own: every step below the newest of an image pulled from a registry
 * @param created when the step ran
 * @param tags the tags of {@code id} (empty when none)
 * @param size the bytes of the files its layer holds; 0 for a step that made no layer
 */
public record HistoryEntry(
    Digest id, Instant created, String createdBy, List<Reference> tags, long size, String comment) {

  public HistoryEntry {
    tags = List.copyOf(tags);
  }
}
