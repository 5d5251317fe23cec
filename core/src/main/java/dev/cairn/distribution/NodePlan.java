package dev.cairn.distribution;

import dev.cairn.digest.Digest;

/**
 * One graph node a pull needs, with the ID chosen for it (ARCHITECTURE.md, Reuse and probing).
 *
 * @param index position in the image, base first
 * @param id the node ID chosen: strong ID / ChainID / config digest, a legacy ID, or a probed one
 * @param parent the ID chosen for the node below, or null for the base
 * @param json the node's image JSON, for registering it
 * @param v1Compatibility the manifest's v1Compatibility (schema1), or null
 * @param blob the layer blob's digest
 * @param blobSize the blob's size, or -1 when the manifest does not say (schema1)
 * @param diffId the DiffID the uncompressed layer must have, or null when the manifest names none
 * @param exists whether the node is already in the graph and verified
 */
record NodePlan(
    int index,
    String id,
    String parent,
    byte[] json,
    byte[] v1Compatibility,
    Digest blob,
    long blobSize,
    Digest diffId,
    boolean exists) {

  /** How progress names the layer: 12 hex digits of its blob digest, as Docker shows it. */
  String label() {
    return blob.hex().substring(0, 12);
  }
}
