package dev.cairn.distribution;

import dev.cairn.digest.Digest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks that pulls, loads and pushes in this and other processes honour, on byte ranges of {@code
 * ROOT/.pull-lock}: byte 0 serialises reuse decisions (one store-wide lock; ARCHITECTURE.md,
 * Locks); a node's range at {@code 2^60 + p} ({@code p} its first 15 hex digits) is held while one
 * pull or load fetches and registers it, so that a second one waits and then finds the node instead
 * of making it again; and {@code 2^61 + q} ({@code q} from a hash of registry and node) is held
 * while one push places a node's layer on a registry, so that a second waits and then finds the
 * blob the first recorded. Each range is an in-JVM lock paired with a POSIX lock, since the JVM
 * refuses overlapping locks of its own.
 */
public final class PullLocks {
  private static final long STORE = 0;
  private static final long NODE_BASE = 1L << 60;
  private static final long PUSH_BASE = 1L << 61;
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

  /**
   * Excludes every other push from placing node {@code id}'s layer on registry {@code domain};
   * {@code waiting} runs once when the lock is held elsewhere, before the wait.
   */
  Held push(String domain, String id, Runnable waiting) throws IOException {
    String h = Digest.sha256((domain + "\0" + id).getBytes(StandardCharsets.UTF_8)).hex();
    return lock(PUSH_BASE + Long.parseLong(h, 0, 15, 16), waiting);
  }

  static long position(String id) {
    return NODE_BASE + Long.parseLong(id.substring(0, 15), 16);
  }

  private Held lock(long position) throws IOException {
    return lock(position, () -> {});
  }

  private Held lock(long position, Runnable waiting) throws IOException {
    ReentrantLock local = inJvm.computeIfAbsent(position, p -> new ReentrantLock());
    boolean[] said = {false};
    Runnable once =
        () -> {
          if (!said[0]) {
            said[0] = true;
            waiting.run();
          }
        };
    try {
      if (!local.tryLock()) {
        once.run();
        local.lockInterruptibly();
      }
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
              channel, position, 1, false, once); // an interrupt must not close it
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
