package dev.cairn.tarexport;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An archive entry kept on disk until the archive says what it is. The file is unlinked as soon as
 * it is open, so nothing is left behind by a crash; the data lives until {@link #close}.
 */
final class Spool implements Closeable {
  private final FileChannel channel;
  private final long size;

  private Spool(FileChannel channel, long size) {
    this.channel = channel;
    this.size = size;
  }

  /** What writes a spool's content. */
  @FunctionalInterface
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Copies {@code data} to a new unlinked file in {@code dir}. */
  static Spool of(Path dir, InputStream data) throws IOException {
    return written(dir, data::transferTo);
  }

  /** A new unlinked file in {@code dir} holding what {@code content} writes. */
  static Spool written(Path dir, Content content) throws IOException {
    Path file = Files.createTempFile(dir, "load.", ".spool");
    FileChannel ch;
    try {
      ch =
          FileChannel.open(
              file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    } finally {
      Files.deleteIfExists(file);
    }
    try {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
      content.writeTo(out);
      out.flush();
      return new Spool(ch, ch.size());
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  long size() {
    return size;
  }

  /** A fresh stream over the whole content; several may be read one after another. */
  InputStream open() {
    return new InputStream() {
      private long at;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (at >= size) {
          return -1;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, size - at)), at);
        if (n > 0) {
          at += n;
        }
        return n;
      }
    };
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
