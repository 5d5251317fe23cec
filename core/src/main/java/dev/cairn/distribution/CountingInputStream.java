package dev.cairn.distribution;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/**
 * Counts the bytes read and reports the count every {@code step} bytes and at the end, for
 * progress; remembers whether the underlying stream failed, so a caller can tell a bad blob from a
 * failure further down the pipeline.
 */
final class CountingInputStream extends FilterInputStream {
  private static final long STEP = 256 * 1024;
  private final LongConsumer report;
  private long count;
  private long reported;
  private volatile Throwable failure;
  private boolean ended;

  CountingInputStream(InputStream in, LongConsumer report) {
    super(in);
    this.report = report;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = in.read(b, off, len);
    } catch (IOException | RuntimeException e) {
      failure = e;
      throw e;
    }
    if (n < 0) {
      if (!ended) {
        ended = true;
        report.accept(count);
      }
      return n;
    }
    count += n;
    if (count - reported >= STEP) {
      reported = count;
      report.accept(count);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
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

  /** Reads what is left, so that a bad blob shows itself ({@link #failure}) at its end. */
  void drainQuietly() {
    if (failure != null) {
      return;
    }
    try {
      transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException | RuntimeException e) {
      // recorded as the failure
    }
  }

  long count() {
    return count;
  }

  /** The failure the underlying stream threw, or null. */
  Throwable failure() {
    return failure;
  }
}
