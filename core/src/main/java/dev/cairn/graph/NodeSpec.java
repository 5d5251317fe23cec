package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;

/**
 * What to register besides the layer itself.
 *
 * @param id the node ID, 64 lowercase hex
 * @param parent the parent node's ID, or null for a base layer
 * @param json the image JSON, stored byte for byte as the node's {@code json}
 * @param v1Compatibility the manifest's v1Compatibility for this node, or null
 * @param layerDigest the digest of the layer blob, or null when unknown
 */
public record NodeSpec(
    String id, String parent, byte[] json, byte[] v1Compatibility, Digest layerDigest) {

  public NodeSpec {
    Graph.checkId(id, "image ID");
    if (parent != null) {
      Graph.checkId(parent, "parent ID");
    }
    if (json == null) {
      throw CairnException.invalid("image " + id + ": no JSON");
    }
    json = json.clone();
    v1Compatibility = v1Compatibility == null ? null : v1Compatibility.clone();
  }

  /** A node with only an ID, a parent and its JSON. */
  public static NodeSpec of(String id, String parent, byte[] json) {
    return new NodeSpec(id, parent, json, null, null);
  }

  @Override
  public byte[] json() {
    return json.clone();
  }

  @Override
  public byte[] v1Compatibility() {
    return v1Compatibility == null ? null : v1Compatibility.clone();
  }
}
