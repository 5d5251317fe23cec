package dev.cairn.distribution;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.PulledManifest;
import dev.cairn.image.ImageManifest;
import dev.cairn.image.MediaType;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;

/**
 * The manifest an image was pulled with, when a push can send it again: a schema2 or OCI manifest
 * whose config is the image's config byte for byte and whose layers are the image's. Its layer
 * descriptors are the blobs each layer is first looked for under.
 */
final class Originals {
  private Originals() {}

  /**
   * The pulled manifest of {@code image}, preferring the one from {@code host}/{@code repo}, then
   * from {@code host}, then any; null when none fits (never pulled, pulled as schema1, or a record
   * edited by hand).
   */
  static ImageManifest manifest(Graph graph, PushImage image, String host, String repo)
      throws IOException {
    Digest config = Digest.sha256(image.config());
    List<PulledManifest> all =
        graph.pulledManifests(image.topNodeId()).stream()
            .sorted(
                Comparator.comparingInt(
                    (PulledManifest m) ->
                        m.host().equals(host) ? (m.repository().equals(repo) ? 0 : 1) : 2))
            .toList();
    for (PulledManifest m : all) {
      if (!MediaType.isImageManifest(m.mediaType())) {
        continue;
      }
      ImageManifest parsed;
      try {
        parsed = ImageManifest.parse(m.bytes(), m.mediaType());
      } catch (CairnException e) {
        continue;
      }
      if (parsed.config().digest().equals(config)
          && parsed.layers().size() == image.layers().size()) {
        return parsed;
      }
    }
    return null;
  }

  /** Whether every layer went out as the blob {@code pulled} names for it. */
  static boolean allOriginal(ImageManifest pulled, PushManifest.Blob[] blobs) {
    for (int i = 0; i < blobs.length; i++) {
      if (!blobs[i].digest().equals(pulled.layers().get(i).digest())) {
        return false;
      }
    }
    return true;
  }
}
