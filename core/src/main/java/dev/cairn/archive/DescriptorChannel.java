package dev.cairn.archive;

import dev.cairn.posix.Posix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only channel over a descriptor this object owns, reading with plain {@code read(2)}: far
 * cheaper to set up than a {@code FileChannel} when tens of thousands of small files are read once
 * each. Not thread-safe.
 */
final class DescriptorChannel implements SeekableByteChannel {
  private final int fd;
  private final long size;
  private long position;
  private boolean open = true;
  private byte[] bounce;

  DescriptorChannel(int fd, long size) {
    this.fd = fd;
    this.size = size;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    ensureOpen();
    if (!dst.hasRemaining()) {
      return 0;
    }
    int n;
    if (dst.hasArray()) {
      n = Posix.read(fd, dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
      if (n > 0) {
        dst.position(dst.position() + n);
      }
    } else {
      int want = Math.min(dst.remaining(), 64 * 1024);
      if (bounce == null || bounce.length < want) {
        bounce = new byte[want];
      }
      n = Posix.read(fd, bounce, 0, want);
      if (n > 0) {
        dst.put(bounce, 0, n);
      }
    }
    if (n == 0) {
      return -1;
    }
    position += n;
    return n;
  }

  /** The size when the file was opened. */
  @Override
  public long size() throws IOException {
    ensureOpen();
    return size;
  }

  @Override
  public long position() throws IOException {
    ensureOpen();
    return position;
  }

  /** Only the current position is accepted: the file is read once, front to back. */
  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    ensureOpen();
    if (newPosition != position) {
      throw new UnsupportedOperationException("a descriptor channel reads front to back");
    }
    return this;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public SeekableByteChannel truncate(long size) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() throws IOException {
    if (open) {
      open = false;
      Posix.close(fd);
    }
  }

  private void ensureOpen() throws ClosedChannelException {
    if (!open) {
      throw new ClosedChannelException();
    }
  }
}
