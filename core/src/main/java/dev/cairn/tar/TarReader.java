package dev.cairn.tar;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * Reads a tar stream entry by entry (ustar, GNU, PAX, old V7) and accounts for every byte: what is
 * not payload goes to a {@link RawListener}. Bad input is a {@link CairnException} naming the
 * offset. Sparse entries are refused; PAX and GNU long-name records are limited to {@link
 * #MAX_EXTENSION_SIZE}. After {@link #next()} returns null the whole stream has been read, any data
 * after the end-of-archive marker included, so a digest over the stream is complete.
 */
public final class TarReader {
  /** Largest PAX header or GNU long name/link accepted. */
  public static final int MAX_EXTENSION_SIZE = 1 << 20;

  /** Chunk size in which the bytes after the end-of-archive marker are reported. */
  public static final int TRAILER_CHUNK = 1 << 20;

  static final int BLOCK = 512;

  private final InputStream in;
  private final RawListener listener;
  private final byte[] block = new byte[BLOCK];
  private byte[] raw = new byte[4 * BLOCK];
  private int rawLength;
  private long offset;
  private long remaining;
  private int padding;
  private boolean done;
  private final InputStream payload = new Payload();

  public TarReader(InputStream in) {
    this(in, (b, off, len) -> {});
  }

  public TarReader(InputStream in, RawListener listener) {
    this.in = in;
    this.listener = listener;
  }

  /**
   * The next entry, skipping what is left of the current payload; null at the end of the archive,
   * once the rest of the stream has been read and reported.
   */
  public TarEntry next() throws IOException {
    if (done) {
      return null;
    }
    skipPayload();
    PaxRecords pax = null;
    byte[] longName = null;
    byte[] longLink = null;
    while (true) {
      readRaw(padding); // of the previous payload or extension record
      padding = 0;
      long headerOffset = offset;
      int n = readBlock();
      if (n == 0) {
        return end();
      }
      if (TarHeader.isZero(block)) {
        appendRaw(block, 0, BLOCK);
        if (readBlock() == 0) {
          return end(); // one zero block, then the end: tolerated, as by GNU tar and Go
        }
        if (TarHeader.isZero(block)) {
          appendRaw(block, 0, BLOCK);
          return end();
        }
        throw TarHeader.invalid(offset - BLOCK, "a header follows a zero block (corrupt archive)");
      }
      appendRaw(block, 0, BLOCK);
      TarHeader h = TarHeader.parse(block, headerOffset);
      switch (h.typeflag()) {
        case 'x', 'g' -> {
          byte[] data = readExtension(h, headerOffset, "PAX header");
          PaxRecords records = PaxRecords.parse(data, headerOffset);
          if (h.typeflag() == 'g') {
            // Its padding goes with the next header, as tar-split records it.
            int keep = padding;
            TarEntry global = emit(h.toEntry(h.name(), h.linkname(), 0, records));
            padding = keep;
            return global;
          }
          pax = records;
        }
        case 'L' -> longName = TarHeader.cString(readExtension(h, headerOffset, "GNU long name"));
        case 'K' ->
            longLink = TarHeader.cString(readExtension(h, headerOffset, "GNU long link name"));
        case 'S' -> throw TarHeader.invalid(headerOffset, "GNU sparse entries are not supported");
        default -> {
          return emit(apply(h, pax, longName, longLink, headerOffset));
        }
      }
    }
  }

  /**
   * The payload of the entry last returned by {@link #next()}: exactly {@link TarEntry#size()}
   * bytes. Reading past them gives EOF; closing it does nothing.
   */
  public InputStream payload() {
    return payload;
  }

  /** Bytes consumed from the stream so far. */
  public long offset() {
    return offset;
  }

  private TarEntry apply(TarHeader h, PaxRecords pax, byte[] longName, byte[] longLink, long at) {
    byte[] name = h.name();
    byte[] link = h.linkname();
    long size = h.size();
    long uid = h.uid();
    long gid = h.gid();
    String uname = h.uname();
    String gname = h.gname();
    Instant mtime = h.mtime();
    Map<String, String> records = pax == null ? Map.of() : pax.records();
    for (Map.Entry<String, String> r : records.entrySet()) {
      String key = r.getKey();
      String v = r.getValue();
      if (key.startsWith("GNU.sparse.")) {
        throw TarHeader.invalid(
            at, "PAX sparse entries (" + CairnException.quote(key) + ") are not supported");
      }
      if (v.isEmpty()) {
        // POSIX: an empty value deletes the record, so the header's field stands (as in Go's
        // archive/tar, which tar-split and docker use)
        continue;
      }
      switch (key) {
        case "path" -> name = pax.path();
        case "linkpath" -> link = pax.linkpath();
        case "size" -> size = PaxRecords.number(key, v, at);
        case "uid" -> uid = PaxRecords.number(key, v, at);
        case "gid" -> gid = PaxRecords.number(key, v, at);
        case "uname" -> uname = v;
        case "gname" -> gname = v;
        case "mtime" -> mtime = PaxRecords.time(v, at);
        default -> {} // kept in the entry's records
      }
    }
    // GNU long names win over PAX ones, as in Go's archive/tar which tar-split follows.
    if (longName != null && longName.length > 0) {
      name = longName;
    }
    if (longLink != null && longLink.length > 0) {
      link = longLink;
    }
    byte typeflag = h.typeflag();
    if (typeflag == 0 && name.length > 0 && name[name.length - 1] == '/') {
      typeflag = '5'; // old archives mark directories with a trailing slash only
    }
    TarHeader merged = h.with(typeflag, uid, gid, uname, gname, mtime);
    long payloadSize = TarEntry.headerOnly(typeflag) ? 0 : size;
    return merged.toEntry(name, link, payloadSize, pax == null ? PaxRecords.NONE : pax);
  }

  private TarEntry emit(TarEntry e) throws IOException {
    flushRaw();
    remaining = e.size();
    padding = (int) (-remaining & (BLOCK - 1));
    return e;
  }

  private TarEntry end() throws IOException {
    if (rawLength > 0) {
      flushRaw();
    }
    done = true;
    // Data after the marker is kept, in bounded chunks, until a read meets the end of the
    // stream; that read is reported too (empty), as tar-split records it.
    byte[] chunk = new byte[TRAILER_CHUNK];
    int n;
    do {
      n = in.readNBytes(chunk, 0, TRAILER_CHUNK);
      offset += n;
      listener.raw(chunk, 0, n);
      if (n > 0 && n < TRAILER_CHUNK) {
        listener.raw(chunk, 0, 0);
      }
    } while (n == TRAILER_CHUNK);
    return null;
  }

  private byte[] readExtension(TarHeader h, long at, String what) throws IOException {
    if (h.size() > MAX_EXTENSION_SIZE) {
      throw TarHeader.invalid(
          at, what + " of " + h.size() + " bytes exceeds the limit of " + MAX_EXTENSION_SIZE);
    }
    int size = (int) h.size();
    int before = rawLength;
    readRaw(size);
    byte[] data = Arrays.copyOfRange(raw, before, before + size);
    padding = (int) (-size & (BLOCK - 1));
    return data;
  }

  private void skipPayload() throws IOException {
    if (remaining == 0) {
      return;
    }
    byte[] skip = new byte[8192];
    while (remaining > 0) {
      if (payload.read(skip, 0, (int) Math.min(skip.length, remaining)) < 0) {
        break;
      }
    }
  }

  /** Reads exactly {@code n} bytes into the raw run. */
  private void readRaw(int n) throws IOException {
    ensureRaw(n);
    int got = in.readNBytes(raw, rawLength, n);
    offset += got;
    rawLength += got;
    if (got < n) {
      throw TarHeader.invalid(offset, "unexpected end of stream inside a header or its padding");
    }
  }

  /** Reads one block: returns 0 at a clean end of stream, fails on a partial block. */
  private int readBlock() throws IOException {
    int n = in.readNBytes(block, 0, BLOCK);
    offset += n;
    if (n != 0 && n != BLOCK) {
      appendRaw(block, 0, n);
      throw TarHeader.invalid(offset - n, "unexpected end of stream inside a header block");
    }
    return n;
  }

  private void appendRaw(byte[] b, int off, int len) {
    ensureRaw(len);
    System.arraycopy(b, off, raw, rawLength, len);
    rawLength += len;
  }

  private void ensureRaw(int n) {
    if (raw.length - rawLength < n) {
      raw = Arrays.copyOf(raw, Math.max(raw.length * 2, rawLength + n));
    }
  }

  private void flushRaw() throws IOException {
    listener.raw(raw, 0, rawLength);
    rawLength = 0;
    if (raw.length > 64 * BLOCK) {
      raw = new byte[4 * BLOCK]; // do not keep a large PAX buffer alive
    }
  }

  private final class Payload extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw TarHeader.invalid(offset, "unexpected end of stream inside an entry's payload");
      }
      offset += n;
      remaining -= n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long want = Math.min(n, remaining);
      long skipped = in.skip(want);
      offset += skipped;
      remaining -= skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(in.available(), remaining);
    }
  }
}
