package dev.cairn.digest;

import java.security.MessageDigest;

/**
 * A running digest over bytes as they pass, with the count of bytes seen. SHA-256 goes through the
 * system's libcrypto when it loads ({@link NativeSha256}), else through the JDK.
 */
public final class Digester {
  private final Digest.Algorithm algorithm;
  private final MessageDigest md; // null when native
  private final NativeSha256 sha256;
  private long size;

  private Digester(Digest.Algorithm algorithm) {
    this.algorithm = algorithm;
    this.sha256 = algorithm == Digest.Algorithm.SHA256 ? NativeSha256.create().orElse(null) : null;
    this.md = sha256 == null ? algorithm.newMessageDigest() : null;
  }

  public static Digester of(Digest.Algorithm algorithm) {
    return new Digester(algorithm);
  }

  public static Digester sha256() {
    return new Digester(Digest.Algorithm.SHA256);
  }

  public void update(byte[] b, int off, int len) {
    if (sha256 != null) {
      sha256.update(b, off, len);
    } else {
      md.update(b, off, len);
    }
    size += len;
  }

  public void update(byte[] b) {
    update(b, 0, b.length);
  }

  public void update(java.nio.ByteBuffer buffer) {
    size += buffer.remaining();
    if (sha256 == null) {
      md.update(buffer);
    } else if (buffer.hasArray()) {
      sha256.update(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
      buffer.position(buffer.limit());
    } else {
      sha256.update(java.lang.foreign.MemorySegment.ofBuffer(buffer));
      buffer.position(buffer.limit());
    }
  }

  /** Bytes seen so far. */
  public long size() {
    return size;
  }

  /** The digest of everything seen; the digester starts over afterwards. */
  public Digest digest() {
    size = 0;
    return Digest.fromBytes(algorithm, sha256 != null ? sha256.digest() : md.digest());
  }
}
