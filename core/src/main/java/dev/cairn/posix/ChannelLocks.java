package dev.cairn.posix;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;

/**
 * File locks and small positional I/O on a {@link FileChannel} that many threads share, safe from
 * interrupts. A FileChannel closes itself for everyone when a thread that blocks in it (or enters
 * it with its interrupt flag set) is interrupted, so a cancelled pull would break the store's lock
 * file for the whole process. Here a blocking lock is a polling {@code tryLock} (which never closes
 * the channel), and reads and writes run with the interrupt flag cleared, then restored.
 */
public final class ChannelLocks {
  private static final long MAX_SLEEP_MILLIS = 20;

  private ChannelLocks() {}

  /**
   * Locks a range, waiting as long as another process holds it. An interrupt while waiting ends the
   * wait with {@link InterruptedIOException} (the interrupt flag stays set); the channel stays open
   * either way.
   */
  public static FileLock lock(FileChannel channel, long position, long size, boolean shared)
      throws IOException {
    return lock(channel, position, size, shared, () -> {});
  }

  /** As {@link #lock(FileChannel, long, long, boolean)}; {@code waiting} runs before a wait. */
  public static FileLock lock(
      FileChannel channel, long position, long size, boolean shared, Runnable waiting)
      throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      long sleep = 1;
      while (true) {
        FileLock lock = channel.tryLock(position, size, shared);
        if (lock != null) {
          return lock;
        }
        if (interrupted) {
          throw new InterruptedIOException("interrupted while waiting for a file lock");
        }
        if (sleep == 1) {
          waiting.run();
        }
        try {
          Thread.sleep(sleep);
        } catch (InterruptedException e) {
          interrupted = true;
          throw new InterruptedIOException("interrupted while waiting for a file lock");
        }
        sleep = Math.min(sleep * 2, MAX_SLEEP_MILLIS);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Reads into {@code b} from {@code position} until it is full or the file ends. */
  public static void read(FileChannel channel, ByteBuffer b, long position) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      while (b.hasRemaining()) {
        if (channel.read(b, position + b.position()) < 0) {
          return;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Writes all of {@code b} at {@code position}. */
  public static void write(FileChannel channel, ByteBuffer b, long position) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      while (b.hasRemaining()) {
        channel.write(b, position + b.position());
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
