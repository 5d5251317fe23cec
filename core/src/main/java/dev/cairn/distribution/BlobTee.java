package dev.cairn.distribution;

import dev.cairn.digest.Digest;
import dev.cairn.digest.Digester;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Copies a blob's bytes into a file and hashes them as a pull reads them, so that the original
 * compressed blob is kept without a second download; memory is one buffer.
 */
final class BlobTee extends FilterInputStream {
  private final OutputStream file;
  private final Digester digester = Digester.sha256();
  private boolean fileClosed;

  BlobTee(InputStream in, Path file) throws IOException {
    super(in);
    this.file = new BufferedOutputStream(Files.newOutputStream(file), 64 << 10);
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      file.write(b);
      digester.update(new byte[] {(byte) b});
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      file.write(b, off, n);
      digester.update(b, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(n, 8192)];
    int r = read(buf, 0, buf.length); // skipped bytes are kept all the same
    return Math.max(r, 0);
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /**
   * Reads what the consumer left of the blob (its end, whose digest the registry client checks on
   * the way), closes the file and gives the digest of everything that passed.
   */
  Digest finish() throws IOException {
    byte[] buf = new byte[64 << 10];
    while (read(buf, 0, buf.length) >= 0) {
      // to the end
    }
    closeFile();
    return digester.digest();
  }

  long size() {
    return digester.size();
  }

  void closeFile() throws IOException {
    if (!fileClosed) {
      fileClosed = true;
      file.close();
    }
  }
}
