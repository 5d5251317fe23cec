package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.posix.ChannelLocks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The locks of one store root, shared by every {@link Graph} this JVM opens on it.
 *
 * <p>Locking: each kind of lock is an in-JVM lock paired with a POSIX byte-range lock on {@code
 * graph/.lock}, so that threads and processes exclude each other alike (the JVM refuses overlapping
 * range locks of its own, hence one holder per root and the in-JVM half first). Ranges: byte 0 is
 * held shared by every live process and exclusively by one that is alone, which alone may clean up
 * leftovers; byte 1 guards the tags file; byte 2 guards commits into {@code graph/} and the change
 * counter stored at the file's start; an ID's lock sits at {@code 2^60 + p}, its retain lock at
 * {@code 2^61 + p}, where {@code p} is its first 15 hex digits (IDs that share them merely share a
 * lock).
 *
 * <p>A lock file that opens only for reading (a read-only file system) gives a read-only holder:
 * every range is then locked shared, which still keeps out writers that use the file elsewhere.
 */
final class RootLock {
  private static final long ALIVE = 0;
  private static final long TAGS = 1;
  private static final long COMMIT = 2;
  private static final long ID_BASE = 1L << 60;
  private static final long RETAIN_BASE = 1L << 61;

  private static final Map<Path, RootLock> OPEN = new HashMap<>();

  private final Path key;
  private final FileChannel channel;
  private final boolean readOnly;
  private FileLock alive;
  private int users;
  private final ReentrantLock tags = new ReentrantLock();
  private final ReentrantLock commit = new ReentrantLock();
  private final Map<Long, Slot> slots = new ConcurrentHashMap<>();

  /** One ID position: its in-JVM lock, and how many holds this JVM has on its retain range. */
  private static final class Slot {
    final ReentrantLock lock = new ReentrantLock();
    int users;
    int retained;
    FileLock idLock;
    FileLock retainLock;
  }

  /** A graph's share of the root's locks; {@code alone} when no one else had the root open. */
  record Lease(RootLock lock, boolean alone) {}

  private RootLock(Path key, FileChannel channel, boolean readOnly) {
    this.key = key;
    this.channel = channel;
    this.readOnly = readOnly;
  }

  /**
   * Joins the root's lock holder, creating it for the first graph of this JVM. The lease is alone
   * when no other process and no other graph of this JVM has the root open; the caller may then
   * clean up leftovers and must call {@link #shareAlive} afterwards.
   */
  static Lease acquire(Path graphDir) throws IOException {
    Path key = graphDir.toRealPath();
    synchronized (OPEN) {
      RootLock held = OPEN.get(key);
      if (held != null) {
        held.users++;
        return new Lease(held, false);
      }
      Path file = key.resolve(".lock");
      FileChannel ch;
      boolean readOnly = false;
      try {
        ch =
            FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      } catch (IOException e) {
        try {
          ch = FileChannel.open(file, StandardOpenOption.READ); // enough for reading the store
          readOnly = true;
        } catch (IOException again) {
          e.addSuppressed(again);
          throw e;
        }
      }
      try {
        RootLock lock = new RootLock(key, ch, readOnly);
        lock.alive = readOnly ? null : ch.tryLock(ALIVE, 1, false);
        boolean alone = lock.alive != null;
        if (!alone) {
          lock.alive = ChannelLocks.lock(ch, ALIVE, 1, true);
        }
        lock.users = 1;
        OPEN.put(key, lock);
        return new Lease(lock, alone);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    }
  }

  /** Whether the lock file opened only for reading: nothing in the store may be written. */
  boolean readOnly() {
    return readOnly;
  }

  /** After cleaning up as the only user: let other processes in. */
  void shareAlive() throws IOException {
    synchronized (OPEN) {
      if (alive != null && !alive.isShared()) {
        alive.release();
        alive = ChannelLocks.lock(channel, ALIVE, 1, true);
      }
    }
  }

  void release() throws IOException {
    synchronized (OPEN) {
      if (--users > 0) {
        return;
      }
      OPEN.remove(key);
      channel.close(); // releases every range lock
    }
  }

  /** A held lock; closing releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /** Excludes every other thread and process from the ID: register, delete, metadata writes. */
  Held lockId(String id) throws IOException {

    long p = position(id);
    Slot slot = slot(p);
    slot.lock.lock();
    try {
      if (slot.lock.getHoldCount() == 1) {
        slot.idLock = ChannelLocks.lock(channel, ID_BASE + p, 1, readOnly);
      }
    } catch (IOException | RuntimeException e) {
      slot.lock.unlock();
      unslot(p);
      throw e;
    }
    return () -> {
      try {
        if (slot.lock.getHoldCount() == 1 && slot.idLock != null) {
          FileLock l = slot.idLock;
          slot.idLock = null;
          l.release();
        }
      } finally {
        slot.lock.unlock();
        unslot(p);
      }
    };
  }

  /** Takes a shared hold on the ID's retain range, which {@link #retainedElsewhere} tests. */
  void retain(String id) throws IOException {

    long p = position(id);
    Slot slot = slot(p);
    synchronized (slot) {
      if (slot.retained == 0) {
        try {
          slot.retainLock = ChannelLocks.lock(channel, RETAIN_BASE + p, 1, true);
        } catch (IOException | RuntimeException e) {
          unslot(p);
          throw e;
        }
      }
      slot.retained++;
    }
  }

  void unretain(String id) throws IOException {

    long p = position(id);
    Slot slot = slots.get(p);
    if (slot == null) {
      return;
    }
    synchronized (slot) {
      if (--slot.retained == 0 && slot.retainLock != null) {
        FileLock l = slot.retainLock;
        slot.retainLock = null;
        l.release();
      }
    }
    unslot(p);
  }

  /**
   * Whether any thread or process holds a retain on the ID's position. Called under the ID's lock,
   * which retainers also take while checking that the node exists.
   */
  boolean retained(String id) throws IOException {

    long p = position(id);
    Slot slot = slots.get(p);
    if (slot != null) {
      synchronized (slot) {
        if (slot.retained > 0) {
          return true;
        }
      }
    }
    if (readOnly) { // a shared probe cannot see shared holds; nothing can be deleted here anyway
      throw new FileSystemException(
          key.resolve(".lock").toString(), null, "the store is open read-only");
    }
    FileLock probe = channel.tryLock(RETAIN_BASE + p, 1, false);
    if (probe == null) {
      return true;
    }
    probe.release();
    return false;
  }

  /** Serialises writers of the tags file across threads and processes. */
  Held lockTags() throws IOException {
    return lockRange(tags, TAGS);
  }

  /** Serialises commits into {@code graph/} and the change counter. */
  Held lockCommit() throws IOException {
    return lockRange(commit, COMMIT);
  }

  private Held lockRange(ReentrantLock lock, long position) throws IOException {

    lock.lock();
    FileLock file;
    try {
      file = lock.getHoldCount() == 1 ? ChannelLocks.lock(channel, position, 1, readOnly) : null;
    } catch (IOException | RuntimeException e) {
      lock.unlock();
      throw e;
    }
    return () -> {
      try {
        if (file != null) {
          file.release();
        }
      } finally {
        lock.unlock();
      }
    };
  }

  /** The store's change counter: bumped by every commit into or out of {@code graph/}. */
  long changes() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8);
    ChannelLocks.read(channel, b, 0);
    return b.hasRemaining() ? 0 : b.flip().getLong();
  }

  /** Increments the change counter; call under {@link #lockCommit}. Returns the new value. */
  long bump() throws IOException {
    long next = changes() + 1;
    ChannelLocks.write(channel, ByteBuffer.allocate(8).putLong(0, next), 0);
    return next;
  }

  private Slot slot(long p) {
    return slots.compute(
        p,
        (k, s) -> {
          Slot slot = s != null ? s : new Slot();
          slot.users++;
          return slot;
        });
  }

  private void unslot(long p) {
    slots.computeIfPresent(
        p,
        (k, s) -> {
          s.users--;
          return s.users == 0 && s.retained == 0 ? null : s;
        });
  }

  static long position(String id) {
    if (id.length() < 15) {
      throw CairnException.invalid("image ID " + CairnException.quote(id) + " is too short");
    }
    return Long.parseUnsignedLong(id.substring(0, 15), 16);
  }
}
