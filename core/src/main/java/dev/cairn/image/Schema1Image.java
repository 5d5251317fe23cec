package dev.cairn.image;

import dev.cairn.digest.Digest;

/**
 * One image of a validated schema1 manifest: its legacy {@code id} and {@code parent} from the
 * v1Compatibility, the v1Compatibility bytes as Docker decoded them from the manifest, and the
 * layer's blobSum. {@code index} is its position in the manifest's {@code history}.
 */
public record Schema1Image(
    int index, String id, String parent, byte[] v1Compatibility, Digest blobSum) {}
