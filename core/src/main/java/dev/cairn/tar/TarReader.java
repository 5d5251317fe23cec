package dev.cairn.tar;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
    Pax pax = null;
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
      if (isZero(block)) {
        appendRaw(block, 0, BLOCK);
        if (readBlock() == 0) {
          return end(); // one zero block, then the end: tolerated, as by GNU tar and Go
        }
        if (isZero(block)) {
          appendRaw(block, 0, BLOCK);
          return end();
        }
        throw invalid(offset - BLOCK, "a header follows a zero block (corrupt archive)");
      }
      appendRaw(block, 0, BLOCK);
      Header h = parseHeader(block, headerOffset);
      switch (h.typeflag) {
        case 'x', 'g' -> {
          byte[] data = readExtension(h, headerOffset, "PAX header");
          Pax records = parsePax(data, headerOffset);
          if (h.typeflag == 'g') {
            // Its padding goes with the next header, as tar-split records it.
            int keep = padding;
            TarEntry global = emit(h.toEntry(h.name, h.linkname, 0, records));
            padding = keep;
            return global;
          }
          pax = records;
        }
        case 'L' -> longName = cString(readExtension(h, headerOffset, "GNU long name"));
        case 'K' -> longLink = cString(readExtension(h, headerOffset, "GNU long link name"));
        case 'S' -> throw invalid(headerOffset, "GNU sparse entries are not supported");
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

  private TarEntry apply(Header h, Pax pax, byte[] longName, byte[] longLink, long at) {
    byte[] name = h.name;
    byte[] link = h.linkname;
    long size = h.size;
    long uid = h.uid;
    long gid = h.gid;
    String uname = h.uname;
    String gname = h.gname;
    Instant mtime = h.mtime;
    Map<String, String> records = pax == null ? Map.of() : pax.records();
    for (Map.Entry<String, String> r : records.entrySet()) {
      String key = r.getKey();
      String v = r.getValue();
      if (key.startsWith("GNU.sparse.")) {
        throw invalid(
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
        case "size" -> size = paxNumber(key, v, at);
        case "uid" -> uid = paxNumber(key, v, at);
        case "gid" -> gid = paxNumber(key, v, at);
        case "uname" -> uname = v;
        case "gname" -> gname = v;
        case "mtime" -> mtime = paxTime(v, at);
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
    byte typeflag = h.typeflag;
    if (typeflag == 0 && name.length > 0 && name[name.length - 1] == '/') {
      typeflag = '5'; // old archives mark directories with a trailing slash only
    }
    Header merged = h.with(typeflag, uid, gid, uname, gname, mtime);
    long payloadSize = TarEntry.headerOnly(typeflag) ? 0 : size;
    return merged.toEntry(name, link, payloadSize, pax == null ? Pax.NONE : pax);
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

  private byte[] readExtension(Header h, long at, String what) throws IOException {
    if (h.size > MAX_EXTENSION_SIZE) {
      throw invalid(
          at, what + " of " + h.size + " bytes exceeds the limit of " + MAX_EXTENSION_SIZE);
    }
    int size = (int) h.size;
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
      throw invalid(offset, "unexpected end of stream inside a header or its padding");
    }
  }

  /** Reads one block: returns 0 at a clean end of stream, fails on a partial block. */
  private int readBlock() throws IOException {
    int n = in.readNBytes(block, 0, BLOCK);
    offset += n;
    if (n != 0 && n != BLOCK) {
      appendRaw(block, 0, n);
      throw invalid(offset - n, "unexpected end of stream inside a header block");
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
        throw invalid(offset, "unexpected end of stream inside an entry's payload");
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

  // ---- header parsing ----

  enum Format {
    V7,
    USTAR,
    GNU,
    STAR
  }

  private record Header(
      byte[] name,
      byte typeflag,
      long mode,
      long uid,
      long gid,
      String uname,
      String gname,
      long size,
      Instant mtime,
      byte[] linkname,
      long devMajor,
      long devMinor,
      Format format) {

    Header with(byte t, long u, long g, String un, String gn, Instant m) {
      return new Header(name, t, mode, u, g, un, gn, size, m, linkname, devMajor, devMinor, format);
    }

    TarEntry toEntry(byte[] n, byte[] link, long payloadSize, Pax pax) {
      return new TarEntry(
          n,
          typeflag,
          mode,
          uid,
          gid,
          uname,
          gname,
          payloadSize,
          mtime,
          link,
          devMajor,
          devMinor,
          pax.records(),
          pax.xattrs());
    }
  }

  private Header parseHeader(byte[] b, long at) {
    try {
      checksum(b, at);
    } catch (CairnException e) {
      if (at == 0) {
        // The first block is no header: say so, and what gave it away.
        throw CairnException.invalid("not a tar archive: " + e.getMessage());
      }
      throw e;
    }
    Format format = format(b);
    byte[] name = field(b, 0, 100);
    if (format == Format.USTAR || format == Format.STAR) {
      byte[] prefix = field(b, 345, format == Format.STAR ? 131 : 155);
      if (prefix.length > 0) {
        byte[] joined = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
        joined[prefix.length] = '/';
        System.arraycopy(name, 0, joined, prefix.length + 1, name.length);
        name = joined;
      }
    }
    long size = numeric(b, 124, 12, at, "size");
    boolean modern = format != Format.V7;
    return new Header(
        name,
        b[156],
        numeric(b, 100, 8, at, "mode"),
        numeric(b, 108, 8, at, "uid"),
        numeric(b, 116, 8, at, "gid"),
        modern ? string(b, 265, 32) : "",
        modern ? string(b, 297, 32) : "",
        size,
        Instant.ofEpochSecond(signedNumeric(b, 136, 12, at, "mtime")),
        field(b, 157, 100),
        modern ? numeric(b, 329, 8, at, "devmajor") : 0,
        modern ? numeric(b, 337, 8, at, "devminor") : 0,
        format);
  }

  private void checksum(byte[] b, long at) {
    long stored = octal(b, 148, 8, at, "checksum");
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      int v = i >= 148 && i < 156 ? ' ' : b[i];
      unsigned += v & 0xff;
      signed += v;
    }
    if (stored != unsigned && stored != signed) {
      throw invalid(
          at,
          "header checksum mismatch: stored "
              + stored
              + ", computed "
              + unsigned
              + " (not a tar stream, or corrupt)");
    }
  }

  private static Format format(byte[] b) {
    boolean ustarMagic = regionIs(b, 257, "ustar\0");
    if (ustarMagic) {
      return regionIs(b, 508, "tar\0") ? Format.STAR : Format.USTAR;
    }
    if (regionIs(b, 257, "ustar ") && regionIs(b, 263, " \0")) {
      return Format.GNU;
    }
    return Format.V7;
  }

  private static boolean regionIs(byte[] b, int off, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      if (b[off + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** A NUL-terminated field: the bytes before the first NUL. */
  private static byte[] field(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return Arrays.copyOfRange(b, off, end);
  }

  private static byte[] cString(byte[] data) {
    int end = 0;
    while (end < data.length && data[end] != 0) {
      end++;
    }
    return Arrays.copyOf(data, end);
  }

  private static String string(byte[] b, int off, int len) {
    return new String(field(b, off, len), StandardCharsets.UTF_8);
  }

  private long numeric(byte[] b, int off, int len, long at, String what) {
    long v = signedNumeric(b, off, len, at, what);
    if (v < 0) {
      throw invalid(at, what + " field is negative (" + v + ")");
    }
    return v;
  }

  /** Octal, or GNU base-256 when the high bit of the first byte is set. */
  private long signedNumeric(byte[] b, int off, int len, long at, String what) {
    if ((b[off] & 0x80) == 0) {
      return octal(b, off, len, at, what);
    }
    // Base-256, two's complement; bit 6 of the first byte gives the sign.
    boolean negative = (b[off] & 0x40) != 0;
    long v = negative ? -1 : 0;
    int significant = 0;
    for (int i = 0; i < len; i++) {
      int x = i == 0 ? (b[off] & 0x7f) | (negative ? 0x80 : 0) : b[off + i] & 0xff;
      if (significant > 0 || x != (negative ? 0xff : 0)) {
        significant++;
      }
      if (significant > 8) {
        throw invalid(at, what + " field overflows 64 bits");
      }
      v = (v << 8) | x;
    }
    if (negative != (v < 0)) {
      throw invalid(at, what + " field overflows 64 bits");
    }
    return v;
  }

  private long octal(byte[] b, int off, int len, long at, String what) {
    int start = off;
    int end = off + len;
    while (start < end && (b[start] == ' ' || b[start] == 0)) {
      start++;
    }
    while (end > start && (b[end - 1] == ' ' || b[end - 1] == 0)) {
      end--;
    }
    long v = 0;
    for (int i = start; i < end; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 7) {
        throw invalid(
            at,
            what
                + " field is not octal: "
                + CairnException.quote(Arrays.copyOfRange(b, off, off + len)));
      }
      if (v >>> 60 != 0) {
        throw invalid(at, what + " field overflows 64 bits");
      }
      v = v << 3 | d;
    }
    return v;
  }

  /**
   * PAX records; path and linkpath also as raw bytes, since they need not be UTF-8, and the
   * extended attributes only as raw bytes, since their values are often binary.
   */
  private record Pax(
      Map<String, String> records, byte[] path, byte[] linkpath, Map<String, byte[]> xattrs) {
    static final Pax NONE = new Pax(Map.of(), null, null, Map.of());
  }

  private static Pax parsePax(byte[] data, long at) {
    Map<String, String> records = new LinkedHashMap<>();
    Map<String, byte[]> xattrs = new LinkedHashMap<>();
    byte[] path = null;
    byte[] linkpath = null;
    int pos = 0;
    while (pos < data.length) {
      int sp = pos;
      long len = 0;
      while (sp < data.length && data[sp] >= '0' && data[sp] <= '9' && len < data.length) {
        len = len * 10 + (data[sp] - '0');
        sp++;
      }
      if (sp == pos || sp >= data.length || data[sp] != ' ' || len <= sp - pos + 1) {
        throw paxError(at, pos);
      }
      long end = pos + len;
      if (end > data.length || data[(int) end - 1] != '\n') {
        throw paxError(at, pos);
      }
      int eq = sp + 1;
      while (eq < end - 1 && data[eq] != '=') {
        eq++;
      }
      if (eq >= end - 1 || eq == sp + 1) {
        throw paxError(at, pos);
      }
      String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
      if (key.startsWith(TarEntry.XATTR_PREFIX)) {
        byte[] value = Arrays.copyOfRange(data, eq + 1, (int) end - 1);
        xattrs.put(key.substring(TarEntry.XATTR_PREFIX.length()), value);
        pos = (int) end;
        continue;
      }
      String value = new String(data, eq + 1, (int) end - 1 - eq - 1, StandardCharsets.UTF_8);
      records.put(key, value);
      if (key.equals("path") || key.equals("linkpath")) {
        byte[] v = Arrays.copyOfRange(data, eq + 1, (int) end - 1);
        path = key.equals("path") ? v : path;
        linkpath = key.equals("linkpath") ? v : linkpath;
      }
      pos = (int) end;
    }
    return new Pax(records, path, linkpath, xattrs);
  }

  private static CairnException paxError(long at, int pos) {
    return invalid(at, "malformed PAX record at byte " + pos + " of the extended header");
  }

  private static long paxNumber(String key, String v, long at) {
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw invalid(at, "PAX " + key + " is negative (" + v + ")");
      }
      return n;
    } catch (NumberFormatException e) {
      throw invalid(at, "PAX " + key + " is not a decimal integer: " + CairnException.quote(v));
    }
  }

  private static Instant paxTime(String v, long at) {
    try {
      BigDecimal seconds = new BigDecimal(v);
      long whole = seconds.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
      long nanos =
          seconds
              .subtract(BigDecimal.valueOf(whole))
              .movePointRight(9)
              .setScale(0, java.math.RoundingMode.FLOOR)
              .longValueExact();
      return Instant.ofEpochSecond(whole, nanos);
    } catch (NumberFormatException | ArithmeticException | java.time.DateTimeException e) {
      throw invalid(at, "PAX mtime is not a decimal time: " + CairnException.quote(v));
    }
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static CairnException invalid(long at, String why) {
    return CairnException.invalid("tar header at offset " + at + ": " + why);
  }
}
