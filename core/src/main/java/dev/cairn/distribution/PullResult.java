package dev.cairn.distribution;

import dev.cairn.digest.Digest;
import dev.cairn.image.Reference;
import java.util.List;

/**
 * What a pull did.
 *
 * @param reference the reference recorded in the store (a tag, or {@code name@digest})
 * @param imageId the image ID: the config digest (schema2, OCI) or the strong ID (schema1)
 * @param topNodeId the graph node the reference points to (differs from the image ID's hex when an
 *     existing node was reused under a legacy or probed ID)
 * @param nodeIds the image's graph nodes, base first
 * @param manifestDigest the digest of the manifest (or manifest list / index) the reference named
 * @param upToDate true when the reference already named this image (docker's "Image is up to date",
 *     whether or not layers were fetched)
 */
public record PullResult(
    Reference reference,
    Digest imageId,
    String topNodeId,
    List<String> nodeIds,
    Digest manifestDigest,
    boolean upToDate) {
  public PullResult {
    nodeIds = List.copyOf(nodeIds);
  }
}
