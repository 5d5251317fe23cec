package dev.cairn.posix;

import java.io.IOException;

/**
 * Copies a file's bytes from one descriptor to another: in the kernel (a reflink where the file
 * system can), else through a buffer, as across file systems (an overlay mount) or where {@code
 * copy_file_range} is not supported. One instance per thread; the buffer is made on first need.
 */
public final class FileCopy {
  private static final long CHUNK = 1L << 30;
  private byte[] buffer;

  /**
   * Copies {@code size} bytes from the descriptors' offsets.
   *
   * @return the bytes copied: fewer than {@code size} only when {@code in} ended first
   */
  public long copy(int in, int out, long size) throws IOException {
    long left = size;
    while (left > 0) {
      long n;
      try {
        n = Posix.copyFileRange(in, out, Math.min(left, CHUNK));
      } catch (PosixException e) {
        int errno = e.errno();
        if (errno != Posix.EXDEV
            && errno != Posix.EINVAL
            && errno != Posix.EOPNOTSUPP
            && errno != Posix.ENOSYS) {
          throw e;
        }
        n = throughBuffer(in, out, left);
      }
      if (n == 0) {
        break;
      }
      left -= n;
    }
    return size - left;
  }

  private long throughBuffer(int in, int out, long max) throws IOException {
    if (buffer == null) {
      buffer = new byte[1 << 20];
    }
    int n = Posix.read(in, buffer, 0, (int) Math.min(buffer.length, max));
    if (n > 0) {
      Posix.writeFully(out, buffer, 0, n);
    }
    return Math.max(n, 0);
  }
}
