package dev.cairn.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream on a helper thread a few chunks ahead of its reader, so that decompressing a layer
 * (and receiving it) overlaps with extracting it. Memory is bounded by the chunks in flight. A
 * failure of the source reaches the reader at the position where it happened.
 *
 * <p>Closing stops the helper once its current read returns (at once when the closing thread is
 * interrupted: the helper is interrupted too) and then closes the source. One reader thread.
 */
final class ReadAhead extends InputStream {
  private static final int CHUNK = 1 << 20;
  private static final int CHUNKS = 4;

  /** A filled chunk, the end ({@code length < 0}), or the source's failure. */
  private record Chunk(byte[] buffer, int length, Throwable failure) {}

  private final InputStream source;
  private final BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(CHUNKS);
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
  private final Thread helper;
  private volatile boolean closed;

  private Chunk current;
  private int position;
  private boolean done;

  ReadAhead(InputStream source, String name) {
    this.source = source;
    for (int i = 0; i < CHUNKS; i++) {
      free.add(new byte[CHUNK]);
    }
    // A platform thread: inflating is native code, which would pin a virtual thread's carrier.
    this.helper = Thread.ofPlatform().daemon().name(name).start(this::fill);
  }

  private void fill() {
    try {
      while (!closed) {
        byte[] b = free.take();
        int n = 0;
        Throwable failure = null;
        try {
          for (int r = 0; n < b.length && r >= 0; n += Math.max(r, 0)) {
            r = source.read(b, n, b.length - n);
          }
        } catch (Throwable t) {
          failure = t; // the bytes before it are delivered first
        }
        if (n > 0) {
          filled.put(new Chunk(b, n, null));
        }
        if (failure != null || n < b.length) {
          // The end or the failure; there is room: this thread's buffers are at most all filled.
          filled.put(new Chunk(null, -1, failure));
          return;
        }
      }
    } catch (InterruptedException e) {
      // closed by an interrupted reader: nobody waits for more
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
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (current == null || position == current.length) {
      if (done) {
        return -1;
      }
      if (current != null) {
        free.add(current.buffer);
        current = null;
      }
      Chunk next;
      try {
        next = filled.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading ahead");
      }
      if (next.failure != null) {
        done = true;
        switch (next.failure) {
          case IOException io -> throw io;
          case RuntimeException r -> throw r;
          case Error err -> throw err;
          default -> throw new IOException(next.failure);
        }
      }
      if (next.length < 0) {
        done = true;
        return -1;
      }
      current = next;
      position = 0;
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current.buffer, position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public int available() {
    return current == null ? 0 : current.length - position;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (Thread.currentThread().isInterrupted()) {
      helper.interrupt(); // cancelled: do not wait for the network
    }
    filled.clear(); // unblocks a helper waiting for room
    free.offer(new byte[0]); // unblocks a helper waiting for a buffer: a 0-byte read, then exit
    boolean interrupted = false;
    while (helper.isAlive()) {
      try {
        helper.join();
      } catch (InterruptedException e) {
        interrupted = true;
        helper.interrupt();
      }
      filled.clear();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    source.close();
  }
}
