package dev.cairn.distribution;

import dev.cairn.graph.Node;
import java.util.List;

/**
 * What a push sends for one image: its layer nodes base first (those its config lists), its config
 * bytes, and the manifest type to write ({@code MediaType.DOCKER_MANIFEST} or {@code
 * OCI_MANIFEST}).
 */
public record PushImage(String topNodeId, List<Node> layers, byte[] config, String manifestType) {
  public PushImage {
    layers = List.copyOf(layers);
  }
}
