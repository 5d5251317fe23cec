package dev.cairn.digest;

import java.security.MessageDigest;

/** A running digest over bytes as they pass, with the count of bytes seen. */
public final class Digester {
  private final Digest.Algorithm algorithm;
  private final MessageDigest md;
  private long size;

  private Digester(Digest.Algorithm algorithm) {
    this.algorithm = algorithm;
    this.md = algorithm.newMessageDigest();
  }

  public static Digester of(Digest.Algorithm algorithm) {
    return new Digester(algorithm);
  }

  public static Digester sha256() {
    return new Digester(Digest.Algorithm.SHA256);
  }

  public void update(byte[] b, int off, int len) {
    md.update(b, off, len);
    size += len;
  }

  public void update(byte[] b) {
    update(b, 0, b.length);
  }

  public void update(java.nio.ByteBuffer buffer) {
    size += buffer.remaining();
    md.update(buffer);
  }

  /** Bytes seen so far. */
  public long size() {
    return size;
  }

  /** The digest of everything seen; the digester starts over afterwards. */
  public Digest digest() {
    size = 0;
    return Digest.fromBytes(algorithm, md.digest());
  }
}
