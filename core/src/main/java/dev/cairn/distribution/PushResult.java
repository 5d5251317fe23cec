package dev.cairn.distribution;

import dev.cairn.digest.Digest;
import dev.cairn.image.Reference;

/**
 * What a push did.
 *
 * @param reference the reference pushed
 * @param manifestDigest the digest of the manifest the registry now holds under it
 * @param manifestSize its length in bytes
 * @param uploaded the layers whose bytes were sent (the others were there or mounted)
 */
public record PushResult(
    Reference reference, Digest manifestDigest, long manifestSize, int uploaded) {}
