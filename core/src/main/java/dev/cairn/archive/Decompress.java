package dev.cairn.archive;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.cairn.CairnException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Opens a layer blob as its uncompressed tar, whatever its compression (detected by magic bytes,
 * decompressed in-process; no external program is ever run).
 *
 * <p>The returned stream counts what it yields and fails past a cap, so that a small blob cannot
 * expand without bound. When the decompressor reaches its end, the rest of the blob is read and
 * discarded, so that a digest check wrapped around the blob always sees all of it. A compressed
 * blob is decompressed on a helper thread a few chunks ahead of the reader: close the returned
 * stream to stop it (the blob itself stays open, its owner's to close).
 */
public final class Decompress {
  private Decompress() {}

  /**
   * The default cap on uncompressed bytes: 64 GiB. The largest layers seen in practice (ML images
   * with model weights) reach a few tens of GiB; gzip expands at most about 1000:1 and zstd or xz
   * far more, so without a cap a few megabytes could fill the disk.
   */
  public static final long DEFAULT_MAX_BYTES = 64L << 30;

  private static final int BUFFER = 1 << 16;

  /** {@link #open(InputStream, long)} with {@link #DEFAULT_MAX_BYTES}. */
  public static InputStream open(InputStream blob) throws IOException {
    return open(blob, DEFAULT_MAX_BYTES);
  }

  /**
   * The uncompressed content of {@code blob}; reading past {@code maxBytes} throws an {@code
   * INVALID} {@link CairnException}.
   */
  public static InputStream open(InputStream blob, long maxBytes) throws IOException {
    InputStream raw = blob.markSupported() ? blob : new BufferedInputStream(blob, BUFFER);
    raw.mark(6);
    byte[] head = raw.readNBytes(6);
    raw.reset();
    Compression compression = Compression.detect(head, head.length);
    InputStream all = new KeepOpen(raw); // the blob is the caller's to close
    InputStream plain;
    try {
      // Some decompressors read their header, or a whole first block, here already.
      plain =
          switch (compression) {
            case NONE -> all;
            case GZIP ->
                IsalGunzip.loaded() ? new IsalGunzip(all) : new GZIPInputStream(all, BUFFER);
            case BZIP2 -> new BZip2CompressorInputStream(all, true);
            case XZ -> new XZInputStream(all);
            case ZSTD -> new ZstdInputStreamNoFinalizer(all);
          };
    } catch (IOException | RuntimeException e) {
      throw failure(compression, 0, e);
    }
    if (compression != Compression.NONE) {
      // Decompress on a second thread, overlapping with whatever consumes the tar.
      String name = "cairn-" + compression.name().toLowerCase(java.util.Locale.ROOT);
      plain = new ReadAhead(plain, name);
    }
    return new Capped(plain, raw, compression, maxBytes);
  }

  /**
   * What a decompressor's failure means: the blob's own read failure or an interruption as it was,
   * else corrupt data. Decompressors also fail with runtime exceptions on some corrupt input
   * (commons-compress's bzip2 indexes past its tables), which are corrupt data too.
   */
  private static IOException failure(Compression compression, long count, Exception e) {
    if (e instanceof BlobFailure) {
      return (IOException) e.getCause();
    }
    if (e instanceof CairnException c) {
      throw c;
    }
    if (compression == Compression.NONE || e instanceof InterruptedIOException) {
      if (e instanceof RuntimeException r) {
        throw r;
      }
      return (IOException) e;
    }
    throw new CairnException(
        CairnException.Kind.INVALID,
        compression.name().toLowerCase(java.util.Locale.ROOT)
            + " stream is corrupt after "
            + count
            + " uncompressed bytes: "
            + (e instanceof IOException ? e.getMessage() : "the decoder failed (" + e + ")"),
        e);
  }

  /**
   * The blob under a decompressor, which closes its input: left open for the caller. Its own read
   * failures are marked, so that they reach the caller as they were and are not taken for corrupt
   * compressed data.
   */
  private static final class KeepOpen extends FilterInputStream {
    KeepOpen(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        throw new BlobFailure(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        throw new BlobFailure(e);
      }
    }

    @Override
    public void close() {}
  }

  /** A failure to read the blob itself, carried through the decompressor. */
  private static final class BlobFailure extends IOException {
    private static final long serialVersionUID = 1L;

    BlobFailure(IOException cause) {
      super(cause);
    }
  }

  /** Counts, caps, and drains the blob once the decompressor is done. */
  private static final class Capped extends FilterInputStream {
    private final InputStream raw;
    private final Compression compression;
    private final long max;
    private long count;

    Capped(InputStream plain, InputStream raw, Compression compression, long max) {
      super(plain);
      this.raw = raw;
      this.compression = compression;
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException | RuntimeException e) {
        throw failure(compression, count, e);
      }
      if (n < 0) {
        raw.transferTo(java.io.OutputStream.nullOutputStream());
        return -1;
      }
      count += n;
      if (count > max) {
        throw CairnException.invalid(
            "uncompressed layer is larger than the limit of " + max + " bytes");
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[(int) Math.min(n, BUFFER)];
      long left = n;
      while (left > 0) {
        int r = read(buf, 0, (int) Math.min(left, buf.length));
        if (r < 0) {
          break;
        }
        left -= r;
      }
      return n - left;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
