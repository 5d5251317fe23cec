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
 * @param diffId the DiffID the layer must have (its uncompressed tar's SHA-256), checked before the
 *     node commits; null to take whatever the layer hashes to
 * @param unfinished whether the node is part of an image still being made (a pull, a load): it
 *     commits marked as such and lists as no image of its own until {@link Graph#finish} (see
 *     {@link Graph#isUnfinished})
 */
public record NodeSpec(
    String id,
    String parent,
    byte[] json,
    byte[] v1Compatibility,
    Digest layerDigest,
    Digest diffId,
    boolean unfinished) {

  public NodeSpec {
    Graph.checkId(id, "image ID");
    if (parent != null) {
      Graph.checkId(parent, "parent ID");
    }
    if (json == null) {
      throw CairnException.invalid("image " + id + ": no JSON");
    }
    if (diffId != null && diffId.algorithm() != Digest.Algorithm.SHA256) {
      throw CairnException.invalid("image " + id + ": DiffID " + diffId + " is not sha256");
    }
    json = json.clone();
    v1Compatibility = v1Compatibility == null ? null : v1Compatibility.clone();
  }

  /** A finished node: one that is an image by itself once committed. */
  public NodeSpec(
      String id,
      String parent,
      byte[] json,
      byte[] v1Compatibility,
      Digest layerDigest,
      Digest diffId) {
    this(id, parent, json, v1Compatibility, layerDigest, diffId, false);
  }

  /** A node with only an ID, a parent and its JSON. */
  public static NodeSpec of(String id, String parent, byte[] json) {
    return new NodeSpec(id, parent, json, null, null, null);
  }

  /** This spec with the DiffID the layer must hash to. */
  public NodeSpec withDiffId(Digest expected) {
    return new NodeSpec(id, parent, json, v1Compatibility, layerDigest, expected, unfinished);
  }

  /** This spec as part of an image still being made ({@code unfinished}). */
  public NodeSpec asUnfinished() {
    return new NodeSpec(id, parent, json, v1Compatibility, layerDigest, diffId, true);
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
