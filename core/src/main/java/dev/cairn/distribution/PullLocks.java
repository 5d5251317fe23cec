package dev.cairn.distribution;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks that pulls and loads in this and other processes honour, on byte ranges of {@code
 * ROOT/.pull-lock}: byte 0 serialises reuse decisions (one store-wide lock; ARCHITECTURE.md,
 * Locks), and a node's range at {@code 2^60 + p} ({@code p} its first 15 hex digits) is held while
 * one pull or load fetches and registers it, so that a second one waits and then finds the node
 * instead of making it again. Each range is an in-JVM lock paired with a POSIX lock, since the JVM
 * refuses overlapping locks of its own.
 */
public final class PullLocks {
  private static final long STORE = 0;
  private static final long NODE_BASE = 1L << 60;
  private static final Map<Path, PullLocks> OPEN = new HashMap<>();

  private final FileChannel channel;
  private final Map<Long, ReentrantLock> inJvm = new ConcurrentHashMap<>();

  /** Nodes a pull of this JVM is fetching, by lock position; others wait for the future. */
  final Map<Long, java.util.concurrent.CompletableFuture<Void>> fetching =
      new ConcurrentHashMap<>();

  private PullLocks(FileChannel channel) {
    this.channel = channel;
  }

  /** The locks of the store at {@code root}, shared by every puller and loader of this JVM. */
  public static PullLocks of(Path root) throws IOException {
    Path key = root.toRealPath();
    synchronized (OPEN) {
      PullLocks l = OPEN.get(key);
      if (l == null) {
        l =
            new PullLocks(
                FileChannel.open(
                    key.resolve(".pull-lock"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE));
        OPEN.put(key, l);
      }
      return l;
    }
  }

  /** A held lock; closing releases it. */
  public interface Held extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  Held store() throws IOException {
    return lock(STORE);
  }

  /** Excludes every other puller and loader from making node {@code id}. */
  public Held node(String id) throws IOException {
    return lock(position(id));
  }

  static long position(String id) {
    return NODE_BASE + Long.parseLong(id.substring(0, 15), 16);
  }

  private Held lock(long position) throws IOException {
    ReentrantLock local = inJvm.computeIfAbsent(position, p -> new ReentrantLock());
    try {
      local.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for a store lock");
    }
    if (local.getHoldCount() > 1) {
      return local::unlock; // the file range is already ours
    }
    FileLock file;
    try {
      file =
          dev.cairn.posix.ChannelLocks.lock(
              channel, position, 1, false); // an interrupt must not close it
    } catch (IOException | RuntimeException e) {
      local.unlock();
      throw e;
    }
    return () -> {
      try {
        file.release();
      } finally {
        local.unlock();
      }
    };
  }
}
