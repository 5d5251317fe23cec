package dev.cairn.distribution;

import dev.cairn.graph.Node;
import java.util.List;

/**
 * What a push sends for one image: its layer nodes base first (those its config lists), its config
 * bytes, the manifest type to write ({@code MediaType.DOCKER_MANIFEST} or {@code OCI_MANIFEST}),
 * and whether it is a v1 chain (its nodes hold v1 JSON, as a schema1 pull or Docker 1.9 left them,
 * and its config was made of them) rather than an image with a config of its own.
 */
public record PushImage(
    String topNodeId, List<Node> layers, byte[] config, String manifestType, boolean v1Chain) {
  public PushImage {
    layers = List.copyOf(layers);
  }
}
