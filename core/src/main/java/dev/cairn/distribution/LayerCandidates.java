package dev.cairn.distribution;

import dev.cairn.digest.Digest;
import dev.cairn.graph.Node;
import java.io.IOException;
import java.util.List;

/**
 * The compressed blobs a layer is known under besides its node's own {@code checksum}: each is
 * looked for in the target repository (HEAD), then mounted from its repository when that is on the
 * same registry, before the layer is compressed again.
 */
@FunctionalInterface
public interface LayerCandidates {
  LayerCandidates NONE = (node, host) -> List.of();

  /**
   * A digest and size the layer was seen under, and the repository of {@code host} that held it
   * (null when unknown).
   */
  record Candidate(Digest digest, long size, String repository) {}

  List<Candidate> of(Node node, String host) throws IOException;

  /**
   * The layer is in {@code repository} of {@code host} now under {@code digest} (found, mounted or
   * uploaded): where a store records it, so that the next push finds it.
   */
  default void pushed(Node node, String host, String repository, Digest digest, long size)
      throws IOException {}
}
