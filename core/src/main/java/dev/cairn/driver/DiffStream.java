package dev.cairn.driver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A tar written by a producer on a virtual thread and read through a bounded ring buffer, so that a
 * diff of any size streams in constant memory. The producer's failure surfaces to the reader at the
 * point where the data ends; closing the reader early stops the producer at its next write.
 */
final class DiffStream extends InputStream {
  private static final int CAPACITY = 1 << 20;

  /** Writes the whole tar to {@code out}. */
  @FunctionalInterface
  interface Producer {
    void write(OutputStream out) throws IOException;
  }

  private final byte[] ring = new byte[CAPACITY];
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final Condition writable = lock.newCondition();
  private int head; // next byte to read
  private int count; // bytes buffered
  private boolean writerDone;
  private boolean readerClosed;
  private Throwable failure;

  private DiffStream() {}

  /** Starts {@code producer}; {@code done} runs when it has finished, whatever the outcome. */
  static InputStream start(Producer producer, Runnable done) {
    DiffStream s = new DiffStream();
    Thread.ofVirtual()
        .name("cairn-diff")
        .start(
            () -> {
              Throwable t = null;
              try {
                producer.write(s.new Sink());
              } catch (Throwable x) {
                t = x;
              } finally {
                try {
                  done.run();
                } catch (Throwable x) {
                  t = t == null ? x : t;
                }
                s.finish(t);
              }
            });
    return s;
  }

  private void finish(Throwable t) {
    lock.lock();
    try {
      writerDone = true;
      failure = t;
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The producer's end. */
  private final class Sink extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      lock.lock();
      try {
        while (len > 0) {
          while (count == CAPACITY && !readerClosed) {
            writable.awaitUninterruptibly();
          }
          if (readerClosed) {
            throw new IOException("the diff's reader closed it before its end");
          }
          int tail = (head + count) % CAPACITY;
          int n = Math.min(len, Math.min(CAPACITY - count, CAPACITY - tail));
          System.arraycopy(b, off, ring, tail, n);
          count += n;
          off += n;
          len -= n;
          readable.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    lock.lock();
    try {
      if (readerClosed) {
        throw new IOException("the diff is closed");
      }
      while (count == 0 && !writerDone) {
        readable.await();
      }
      if (count == 0) {
        rethrow(failure);
        return -1;
      }
      int n = Math.min(len, Math.min(count, CAPACITY - head));
      System.arraycopy(ring, head, b, off, n);
      head = (head + n) % CAPACITY;
      count -= n;
      writable.signalAll();
      return n;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading a diff", e);
    } finally {
      lock.unlock();
    }
  }

  private static void rethrow(Throwable t) throws IOException {
    switch (t) {
      case null -> {}
      case IOException io -> throw new IOException("writing the diff: " + io.getMessage(), io);
      case RuntimeException r -> throw r;
      case Error e -> throw e;
      default -> throw new IOException(t);
    }
  }

  @Override
  public int available() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  /** Stops the producer (its next write fails) without waiting for it. */
  @Override
  public void close() {
    lock.lock();
    try {
      readerClosed = true;
      count = 0;
      writable.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
