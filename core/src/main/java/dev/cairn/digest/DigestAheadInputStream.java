package dev.cairn.digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads its source ahead in large chunks and digests each chunk on a second thread while the reader
 * consumes it, so that hashing a layer costs no time on the thread that extracts it. Like {@link
 * DigestingInputStream}, the digest covers exactly the bytes read from the source; read to the end
 * before asking for {@link #digest()}. Close it to stop the hashing thread. Not thread-safe: one
 * reader.
 */
public final class DigestAheadInputStream extends InputStream {
  private static final int CHUNK = 1 << 20;
  private static final int CHUNKS = 4;
  private static final Chunk END = new Chunk(new byte[0], -1);

  /** A filled chunk on its way to the hashing thread; {@code length < 0} ends the stream. */
  private record Chunk(byte[] buffer, int length) {}

  private final InputStream in;
  private final Digester digester;
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS + 1);
  private final Thread hasher;
  private volatile Throwable hashFailure;

  private byte[] current;
  private int position;
  private int limit;
  private boolean eof;
  private boolean ended;
  private long size;
  private Digest digest;

  public DigestAheadInputStream(InputStream in, Digest.Algorithm algorithm) {
    this.in = in;
    this.digester = Digester.of(algorithm);
    for (int i = 0; i < CHUNKS; i++) {
      free.add(new byte[CHUNK]);
    }
    this.hasher = Thread.ofPlatform().name("cairn-digest").daemon().start(this::hash);
  }

  private void hash() {
    try {
      for (Chunk c = full.take(); c.length() >= 0; c = full.take()) {
        digester.update(c.buffer(), 0, c.length());
        free.put(c.buffer());
      }
    } catch (InterruptedException e) {
      hashFailure = e; // closed before the end: the digest is not wanted
    } catch (RuntimeException | Error e) {
      hashFailure = e;
      free.offer(new byte[CHUNK]); // unblock a reader waiting for a buffer
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
    java.util.Objects.checkFromIndexSize(off, len, b.length);
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

  /** Fills the next chunk and hands it to the hashing thread; false at the end of the source. */
  private boolean advance() throws IOException {
    if (eof) {
      return false;
    }
    failIfHashFailed();
    byte[] next;
    try {
      next = free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading ahead");
    }
    failIfHashFailed();
    int n = 0;
    while (n < CHUNK) { // a full chunk, so that hand-offs stay few
      int r = in.read(next, n, CHUNK - n);
      if (r < 0) {
        eof = true;
        break;
      }
      n += r;
    }
    if (n == 0) {
      return false;
    }
    size += n;
    submit(new Chunk(next, n));
    current = next;
    position = 0;
    limit = n;
    return true;
  }

  private void submit(Chunk c) throws InterruptedIOException {
    try {
      full.put(c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading ahead");
    }
  }

  private void failIfHashFailed() {
    Throwable t = hashFailure;
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
  }

  /** Bytes read from the source so far (ahead of the reader by up to a chunk). */
  public long size() {
    return size;
  }

  /**
   * The digest of everything read from the source. Waits for the hashing thread; call it once the
   * stream has been read to its end.
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
    finishHashing();
    failIfHashFailed();
    digest = digester.digest();
    return digest;
  }

  private void finishHashing() throws IOException {
    if (ended) {
      return;
    }
    ended = true;
    submit(END);
    try {
      hasher.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while digesting");
    }
  }

  /** Stops the hashing thread; does not close the source. */
  @Override
  public void close() throws IOException {
    if (!ended) {
      ended = true;
      hasher.interrupt();
    }
  }
}
