package dev.cairn.graph;

import dev.cairn.digest.Digest;
import java.time.Instant;

/**
 * One node of the graph: a layer and the image JSON that produced it, as held in memory.
 *
 * @param id the node ID, 64 lowercase hex
 * @param parent the parent node's ID, or null for a base layer
 * @param created when the image was created, from its JSON, or null when the JSON has no time
 * @param size bytes of the files the layer changed; -1 while not yet computed for a node written
 *     without {@code layersize} ({@link Graph#get} computes it)
 * @param diffId SHA-256 of the uncompressed layer tar, or null while not yet computed for a node
 *     written without it ({@link Graph#diffId} computes it)
 * @param layerDigest the digest of the layer blob it was pulled from, or null when unknown
 * @param imageConfig whether its JSON is an image config (it holds {@code rootfs}): the top of an
 *     image as docker 1.10 and later make them, whose ancestors are its layers and no images
 *     (ARCHITECTURE.md, Holds, mounts and unfinished nodes)
 */
public record Node(
    String id,
    String parent,
    Instant created,
    long size,
    Digest diffId,
    Digest layerDigest,
    boolean imageConfig) {

  Node withSize(long newSize) {
    return new Node(id, parent, created, newSize, diffId, layerDigest, imageConfig);
  }

  Node withDiffId(Digest newDiffId) {
    return new Node(id, parent, created, size, newDiffId, layerDigest, imageConfig);
  }

  Node withLayerDigest(Digest newDigest) {
    return new Node(id, parent, created, size, diffId, newDigest, imageConfig);
  }
}
