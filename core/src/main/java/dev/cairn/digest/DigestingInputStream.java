package dev.cairn.digest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Passes bytes through and digests every byte the reader consumed. */
public class DigestingInputStream extends FilterInputStream {
  private final Digester digester;

  public DigestingInputStream(InputStream in, Digest.Algorithm algorithm) {
    super(in);
    this.digester = Digester.of(algorithm);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n == 1 ? one[0] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      digester.update(b, off, n);
    } else if (n < 0) {
      atEof();
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes must be digested too, so read them.
    byte[] buf = new byte[(int) Math.min(n, 8192)];
    long left = n;
    while (left > 0) {
      int r = read(buf, 0, (int) Math.min(left, buf.length));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  /** Called once the underlying stream reports its end. */
  protected void atEof() throws IOException {}

  /** Bytes read so far. */
  public long size() {
    return digester.size();
  }

  /** The digest of everything read; call once, after the end. */
  public Digest digest() {
    return digester.digest();
  }
}
