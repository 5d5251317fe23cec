package dev.cairn.tarexport;

import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarWriter;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The archive {@code save} writes. Headers come from {@link TarWriter}; a layer's payload is
 * written by the caller straight to the underlying stream, so that when it is a file the graph can
 * hand big files to the kernel instead of copying them through the JVM.
 */
final class ArchiveWriter {
  private static final int BLOCK = 512;

  /** Writes one payload of a size announced beforehand. */
  @FunctionalInterface
  interface Payload {
    /** Returns the number of bytes written. */
    long writeTo(OutputStream out) throws IOException;
  }

  private final OutputStream raw;
  private final BufferedOutputStream out;

  ArchiveWriter(OutputStream raw) {
    this.raw = raw;
    this.out = new BufferedOutputStream(raw, 1 << 16);
  }

  void directory(TarEntry e) throws IOException {
    header(e);
  }

  void file(TarEntry e, byte[] data) throws IOException {
    header(e);
    out.write(data);
    pad(data.length);
  }

  /**
   * An entry of {@code e.size()} bytes that {@code payload} writes; a different count is an error
   * (the archive would be corrupt).
   */
  void stream(TarEntry e, Payload payload) throws IOException {
    header(e);
    long n;
    if (raw instanceof FileOutputStream) {
      out.flush();
      n = payload.writeTo(raw);
    } else {
      n = payload.writeTo(out);
    }
    if (n != e.size()) {
      throw new IOException(
          "entry "
              + dev.cairn.CairnException.quote(e.rawName())
              + ": "
              + n
              + " bytes written, "
              + e.size()
              + " announced");
    }
    pad(n);
  }

  /** Ends the archive with its two zero blocks and flushes; the stream stays open. */
  void finish() throws IOException {
    out.write(new byte[2 * BLOCK]);
    out.flush();
  }

  private void header(TarEntry e) throws IOException {
    ByteArrayOutputStream h = new ByteArrayOutputStream(BLOCK);
    new TarWriter(h).add(e); // only the header; the payload follows here
    h.writeTo(out);
  }

  private void pad(long size) throws IOException {
    int padding = (int) (-size & (BLOCK - 1));
    if (padding > 0) {
      out.write(new byte[padding]);
    }
  }
}
