package dev.cairn.digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads its source ahead in large chunks and digests each chunk on a second thread while the reader
 * consumes it, so that hashing a layer costs no time on the thread that extracts it. When the
 * hashing thread falls behind (a busy machine), the reader hashes the oldest chunk itself rather
 * than wait for it; chunks are always hashed in order, one at a time. Like {@link
 * DigestingInputStream}, the digest covers exactly the bytes read from the source; read to the end
 * before asking for {@link #digest()}. Close it to stop the hashing thread. One reader thread.
 */
public final class DigestAheadInputStream extends InputStream {
  private static final int CHUNK = 1 << 20;
  private static final int CHUNKS = 4;

  /** A filled chunk waiting to be hashed. */
  private record Chunk(byte[] buffer, int length) {}

  private final InputStream in;
  private final Digester digester;
  private final Thread hasher;

  // Guarded by lock: chunks filled but not hashed (oldest first), empty buffers, state flags.
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Chunk> pending = new ArrayDeque<>();
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();
  private boolean hashing;
  private boolean closed;
  private RuntimeException hashFailure;

  // The reader's own state.
  private byte[] current;
  private int position;
  private int limit;
  private boolean eof;
  private long size;
  private Digest digest;

  public DigestAheadInputStream(InputStream in, Digest.Algorithm algorithm) {
    this.in = in;
    this.digester = Digester.of(algorithm);
    for (int i = 0; i < CHUNKS; i++) {
      free.add(new byte[CHUNK]);
    }
    this.hasher = Thread.ofPlatform().name("cairn-digest").daemon().start(this::hashLoop);
  }

  private void hashLoop() {
    while (true) {
      Chunk c;
      lock.lock();
      try {
        while (!closed && (hashing || pending.isEmpty())) {
          changed.awaitUninterruptibly();
        }
        if (closed) {
          return;
        }
        c = claim();
      } finally {
        lock.unlock();
      }
      hash(c);
    }
  }

  /** Takes the oldest pending chunk for hashing; the caller holds the lock. */
  private Chunk claim() {
    hashing = true;
    return pending.poll();
  }

  /** Hashes a claimed chunk, then returns its buffer and lets the next chunk be claimed. */
  private void hash(Chunk c) {
    RuntimeException failure = null;
    try {
      digester.update(c.buffer(), 0, c.length());
    } catch (RuntimeException e) {
      failure = e;
    }
    lock.lock();
    try {
      hashing = false;
      if (failure != null && hashFailure == null) {
        hashFailure = failure;
      }
      free.add(c.buffer());
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int read() throws IOException {
    if (position == limit && !advance()) {
      return -1;
    }
    return current[position++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (position == limit && !advance()) {
      return -1;
    }
    int n = Math.min(len, limit - position);
    System.arraycopy(current, position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long left = n;
    while (left > 0 && (position < limit || advance())) {
      int k = (int) Math.min(left, limit - position);
      position += k;
      left -= k;
    }
    return n - left;
  }

  @Override
  public int available() {
    return limit - position;
  }

  /** Fills the next chunk and queues it for hashing; false at the end of the source. */
  private boolean advance() throws IOException {
    if (eof) {
      return false;
    }
    byte[] next = emptyBuffer();
    int n = 0;
    while (n < CHUNK) { // a full chunk, so that hand-offs stay few
      int r = in.read(next, n, CHUNK - n);
      if (r < 0) {
        eof = true;
        break;
      }
      n += r;
    }
    lock.lock();
    try {
      if (n == 0) {
        free.add(next);
        return false;
      }
      pending.add(new Chunk(next, n));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    size += n;
    current = next;
    position = 0;
    limit = n;
    return true;
  }

  /**
   * A buffer to fill: a free one, else one this thread frees by hashing the oldest chunk itself;
   * waits only while the hashing thread is in the middle of a chunk.
   */
  private byte[] emptyBuffer() throws IOException {
    while (true) {
      Chunk mine = null;
      lock.lock();
      try {
        failIfHashFailed();
        if (closed) {
          throw new IOException("stream closed");
        }
        // The chunk just read to its end may come back here: no one else reads it any more.
        if (!free.isEmpty()) {
          return free.poll();
        }
        if (!hashing && !pending.isEmpty()) {
          mine = claim();
        } else {
          try {
            changed.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading ahead");
          }
        }
      } finally {
        lock.unlock();
      }
      if (mine != null) {
        hash(mine);
      }
    }
  }

  private void failIfHashFailed() {
    if (hashFailure != null) {
      throw hashFailure;
    }
  }

  /** Bytes read from the source so far (ahead of the reader by up to a chunk). */
  public long size() {
    return size;
  }

  /**
   * The digest of everything read from the source, once every chunk is hashed (by the hashing
   * thread, or here if it is behind). Call it once the stream has been read to its end.
   *
   * @throws IllegalStateException when the stream has not been read to its end
   */
  public Digest digest() throws IOException {
    if (digest != null) {
      return digest;
    }
    if (!eof) {
      throw new IllegalStateException("the stream has not been read to its end");
    }
    while (true) {
      Chunk mine = null;
      lock.lock();
      try {
        failIfHashFailed();
        if (!hashing && pending.isEmpty()) {
          break;
        }
        if (!hashing) {
          mine = claim();
        } else {
          try {
            changed.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while digesting");
          }
        }
      } finally {
        lock.unlock();
      }
      if (mine != null) {
        hash(mine);
      }
    }
    digest = digester.digest();
    close();
    return digest;
  }

  /** Stops the hashing thread; does not close the source. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
