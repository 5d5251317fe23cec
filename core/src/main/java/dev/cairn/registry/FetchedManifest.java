package dev.cairn.registry;

import dev.cairn.digest.Digest;

/**
 * A manifest as the registry sent it, checked: its bytes (never re-serialised), its media type, and
 * its digest (for schema1, over the JWS payload, as registries compute it).
 */
public record FetchedManifest(byte[] bytes, String mediaType, Digest digest) {
  public FetchedManifest {
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FetchedManifest m
        && java.util.Arrays.equals(bytes, m.bytes)
        && mediaType.equals(m.mediaType)
        && digest.equals(m.digest);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return "FetchedManifest[" + mediaType + ", " + digest + ", " + bytes.length + " bytes]";
  }
}
