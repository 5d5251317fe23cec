package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.image.Reference;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One image of {@code docker images} (the Engine API's {@code GET /images/json}): the references
 * that name it and what it weighs. The listing tool makes its rows (one per tag) from these.
 *
 * @param parent the parent image, or null (see {@link ImageInspect#parent})
 * @param repoTags its tags, ordered by full name; empty for an untagged image
 * @param repoDigests its {@code name@digest} references, ordered likewise
 * @param created when the image was made
 * @param size the bytes of every layer's files, base to top
 * @param labels the labels of its config, or null when it has none
 */
public record ImageSummary(
    Digest id,
    Digest parent,
    List<Reference> repoTags,
    List<Reference> repoDigests,
    Instant created,
    long size,
    Map<String, String> labels) {

  public ImageSummary {
    repoTags = List.copyOf(repoTags);
    repoDigests = List.copyOf(repoDigests);
  }
}
