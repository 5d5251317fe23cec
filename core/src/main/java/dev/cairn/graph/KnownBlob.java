package dev.cairn.graph;

import dev.cairn.digest.Digest;

/**
 * A compressed blob a node's layer is known under (Docker 1.10's "v2metadata"): where it was seen,
 * so that a push can find it on the target registry or mount it from a repository that holds it
 * instead of compressing the layer again.
 *
 * @param digest the blob's digest
 * @param size the blob's size in bytes, or -1 when unknown (a schema1 manifest says none)
 * @param mediaType the layer's media type in the manifest it came with
 * @param host the registry it was seen on, as the reference's domain ({@code docker.io}, {@code
 *     127.0.0.1:5000})
 * @param repository the repository on that registry ({@code library/alpine})
 */
public record KnownBlob(
    Digest digest, long size, String mediaType, String host, String repository) {

  /** Whether it names the same blob in the same place (size and media type aside). */
  boolean samePlace(KnownBlob o) {
    return digest.equals(o.digest) && host.equals(o.host) && repository.equals(o.repository);
  }
}
