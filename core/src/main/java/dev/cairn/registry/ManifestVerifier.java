package dev.cairn.registry;

import dev.cairn.digest.Digest;

/**
 * Looks into a manifest's JSON for the two checks the transport cannot make alone: that the content
 * agrees with its media type, and what its digest is (schema1: over the JWS payload).
 */
public interface ManifestVerifier {

  /** The outcome: the media type the content really is, and its digest. */
  record Verified(String mediaType, Digest digest) {}

  /**
   * Checks {@code bytes} against the media type the registry declared.
   *
   * @param contentType the Content-Type without parameters, or null when the registry sent none
   * @throws dev.cairn.CairnException INVALID when the content and type disagree or it is no
   *     manifest
   */
  Verified verify(byte[] bytes, String contentType);

  /** The built-in check: structural, on the fields that tell manifest kinds apart. */
  static ManifestVerifier structural() {
    return new StructuralManifestVerifier();
  }
}
