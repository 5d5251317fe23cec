package dev.cairn.graph;

import dev.cairn.digest.Digest;
import java.util.Arrays;

/**
 * The manifest an image was pulled with, byte for byte, and where: a push of the image can send it
 * unchanged when the registry has every blob it names, and so keep its digest.
 *
 * @param digest the manifest's digest as the registry serves it (sha256 of the bytes; for schema1,
 *     of the payload without signatures)
 * @param mediaType its media type
 * @param bytes the manifest as received (for schema1, signatures included)
 * @param host the registry it came from, as the reference's domain
 * @param repository the repository on that registry
 */
public record PulledManifest(
    Digest digest, String mediaType, byte[] bytes, String host, String repository) {

  public PulledManifest {
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PulledManifest m
        && digest.equals(m.digest)
        && mediaType.equals(m.mediaType)
        && Arrays.equals(bytes, m.bytes)
        && host.equals(m.host)
        && repository.equals(m.repository);
  }

  @Override
  public int hashCode() {
    return digest.hashCode() * 31 + host.hashCode() * 7 + repository.hashCode();
  }

  @Override
  public String toString() {
    return "PulledManifest[" + digest + ", " + mediaType + ", " + host + "/" + repository + "]";
  }
}
