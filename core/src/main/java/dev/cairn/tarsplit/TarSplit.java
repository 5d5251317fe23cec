package dev.cairn.tarsplit;

import dev.cairn.CairnException;
import dev.cairn.digest.Crc64;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Splits a tar stream into metadata and file contents, and puts it back together byte for byte, in
 * the format of github.com/vbatts/tar-split ({@code tar-data.json.gz}: gzip of JSON lines, one per
 * raw segment or file, each file with the CRC64-ISO of its content).
 */
public final class TarSplit {
  private static final int BUFFER = 1 << 20;
  private static final long PARALLEL_MIN = 4 << 20;

  private TarSplit() {}

  /**
   * Reads {@code tar} to its very end in one pass, hands every entry and its payload to {@code
   * handler} (which extracts it) and writes the gzipped metadata to {@code metadata}, which is
   * finished but not closed. A path may come twice (what {@code tar -r} appends), the later entry
   * replacing the earlier on disk: the earlier one's payload is then no longer there to be read
   * back, which {@link #disassemble(InputStream, Path, EntryHandler, Path)} takes care of.
   *
   * @return the number of bytes read from {@code tar}
   * @throws CairnException INVALID for a malformed tar
   */
  public static long disassemble(InputStream tar, OutputStream metadata, EntryHandler handler)
      throws IOException {
    return record(tar, metadata, handler).size();
  }

  /**
   * {@link #disassemble(InputStream, OutputStream, EntryHandler)} into the file {@code metadata},
   * for a handler that keeps, in the directory {@code replaced}, the file of every entry that a
   * later entry of the tar replaced or removed on disk, named by the entry's ordinal (0 for the
   * first entry). Once the tar is read, those entries' payloads move into the metadata as raw
   * segments and the earlier of two entries with the same path and no payload goes: the metadata
   * names each path once, as tar-split requires, and rebuilds the tar byte for byte from the files
   * left on disk. The file is synced; {@code replaced} is gone.
   *
   * @return the number of bytes read from {@code tar}
   */
  public static long disassemble(
      InputStream tar, Path metadata, EntryHandler handler, Path replaced) throws IOException {
    Recorded r;
    try (FileOutputStream out = new FileOutputStream(metadata.toFile())) {
      r = record(tar, out, handler);
      out.getFD().sync();
    }
    Superseded.embed(metadata, r.superseded(), replaced);
    return r.size();
  }

  /** What a disassembly read: its length, and the ordinals of entries a later one named again. */
  private record Recorded(long size, Set<Long> superseded) {}

  private static Recorded record(InputStream tar, OutputStream metadata, EntryHandler handler)
      throws IOException {
    OutputStream gz = IsalGzip.open(metadata);
    BufferedOutputStream lines = new BufferedOutputStream(gz, 64 * 1024);
    MetadataWriter writer = new MetadataWriter(lines);
    TarReader reader = new TarReader(tar, writer::segment);
    Map<String, Long> seen = new HashMap<>(); // the ordinal of each path's latest entry
    Set<Long> superseded = new HashSet<>();
    CrcStream payload = new CrcStream(reader.payload());
    long ordinal = 0;
    for (TarEntry e; (e = reader.next()) != null; ordinal++) {
      byte[] name = e.rawName();
      Long earlier = seen.put(clean(name), ordinal);
      if (earlier != null) {
        superseded.add(earlier);
      }
      payload.restart();
      if (e.size() > 0) {
        handler.entry(e, payload);
        payload.drain(); // what the handler left: the checksum covers it all
        writer.file(name, e.size(), Crc64.toBytes(payload.crc.getValue()));
      } else {
        handler.entry(e, InputStream.nullInputStream());
        writer.file(name, 0, null);
      }
    }
    lines.flush();
    gz.close(); // finishes the gzip stream; metadata stays open
    return new Recorded(reader.offset(), superseded);
  }

  /**
   * Writes the tar described by {@code metadata} (gzipped tar-split JSON lines) to {@code tar},
   * reading file contents from {@code files}. Each file's size and CRC64 are checked: a file that
   * changed on disk is an error, never a wrong tar. On error the output is incomplete and must be
   * discarded.
   *
   * @return the number of bytes written
   * @throws CairnException INVALID for bad metadata or a file whose content changed
   */
  public static long assemble(InputStream metadata, FileSource files, OutputStream tar)
      throws IOException {
    MetadataReader reader =
        new MetadataReader(new GZIPInputStream(new BufferedInputStream(metadata, 64 * 1024)));
    BufferedOutputStream out = new BufferedOutputStream(tar, 256 * 1024);
    // Straight to a file: large contents go by the kernel while another thread sums them.
    FileChannel direct = tar instanceof FileOutputStream f ? f.getChannel() : null;
    // Native memory for the checksumming thread: one copy from the page cache, none to the heap.
    ByteBuffer sums = direct != null ? ByteBuffer.allocateDirect(BUFFER) : null;
    byte[] buf = null; // on the first file: a layer of directories and empty files needs none
    long written = 0;
    for (Entry e; (e = reader.next()) != null; ) {
      if (e.type() == Entry.SEGMENT) {
        if (e.payload() != null) {
          out.write(e.payload());
          written += e.payload().length;
        }
        continue;
      }
      if (e.size() == 0) {
        continue;
      }
      if (e.payload() == null || e.payload().length != 8) {
        throw CairnException.invalid(
            "tar-split metadata: file " + e.displayName() + " has no CRC64 checksum");
      }
      if (buf == null) {
        buf = new byte[BUFFER];
      }
      copyChecked(e, files, out, direct, sums, buf);
      written += e.size();
    }
    out.flush();
    return written;
  }

  /**
   * The length of the tar that {@link #assemble} would write from {@code metadata}: the segments'
   * bytes plus the files' sizes, computed without reading any file.
   *
   * @throws CairnException INVALID for bad metadata
   */
  public static long size(InputStream metadata) throws IOException {
    MetadataReader reader =
        new MetadataReader(new GZIPInputStream(new BufferedInputStream(metadata, 64 * 1024)));
    long total = 0;
    for (Entry e; (e = reader.next()) != null; ) {
      total +=
          e.type() == Entry.SEGMENT ? (e.payload() == null ? 0 : e.payload().length) : e.size();
    }
    return total;
  }

  private static void copyChecked(
      Entry e, FileSource files, OutputStream out, FileChannel direct, ByteBuffer sums, byte[] buf)
      throws IOException {
    try (SeekableByteChannel ch = files.open(e.name())) {
      long onDisk = ch.size();
      if (onDisk != e.size()) {
        throw changed(e, "size is " + onDisk + " bytes, the layer had " + e.size());
      }
      long crc =
          direct != null && e.size() >= PARALLEL_MIN && ch instanceof FileChannel file
              ? transferSummed(e, file, out, direct, sums)
              : copySummed(e, ch, out, buf);
      if (crc != ByteBuffer.wrap(e.payload()).getLong()) {
        throw changed(e, "CRC64 mismatch");
      }
    }
  }

  private static long copySummed(Entry e, SeekableByteChannel ch, OutputStream out, byte[] buf)
      throws IOException {
    Crc64 crc = new Crc64();
    ByteBuffer bb = ByteBuffer.wrap(buf);
    long left = e.size();
    while (left > 0) {
      bb.clear().limit((int) Math.min(buf.length, left));
      int n = ch.read(bb);
      if (n < 0) {
        throw changed(e, "it ended " + left + " bytes early");
      }
      crc.update(buf, 0, n);
      out.write(buf, 0, n);
      left -= n;
    }
    return crc.getValue();
  }

  /** Copies in the kernel while a second thread reads the same file again and checksums it. */
  private static long transferSummed(
      Entry e, FileChannel ch, OutputStream out, FileChannel direct, ByteBuffer bb)
      throws IOException {
    out.flush();
    long size = e.size();
    Crc64 crc = new Crc64();
    IOException[] failed = new IOException[1];
    Thread summer =
        Thread.ofPlatform()
            .start(
                () -> {
                  // (Mapping the file instead cost more CPU: page faults, then unmapping.)
                  try {
                    for (long at = 0; at < size; ) {
                      bb.clear().limit((int) Math.min(bb.capacity(), size - at));
                      int n = ch.read(bb, at);
                      if (n < 0) {
                        break;
                      }
                      crc.update(bb.flip());
                      at += n;
                    }
                  } catch (IOException ex) {
                    failed[0] = ex;
                  }
                });
    try {
      long done = 0;
      while (done < size) {
        long n = ch.transferTo(done, size - done, direct);
        if (n <= 0) {
          throw changed(e, "it ended " + (size - done) + " bytes early");
        }
        done += n;
      }
    } finally {
      try {
        summer.join();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while checksumming");
      }
    }
    if (failed[0] != null) {
      throw failed[0];
    }
    return crc.getValue();
  }

  private static CairnException changed(Entry e, String why) {
    return CairnException.invalid("file " + e.displayName() + " changed on disk: " + why);
  }

  /**
   * The path as Go's filepath.Clean writes it, the key under which tar-split spots duplicates. The
   * names of most layers are clean but for a leading "./" or a directory's trailing "/": those take
   * one allocation, the rest the general way.
   */
  static String clean(byte[] name) {
    int from = 0;
    int to = name.length;
    while (to - from > 2 && name[from] == '.' && name[from + 1] == '/' && name[from + 2] != '/') {
      from += 2;
    }
    if (to - from > 1 && name[to - 1] == '/') {
      to--;
    }
    if (isClean(name, from, to)) {
      return new String(name, from, to - from, StandardCharsets.ISO_8859_1);
    }
    return cleanSlowly(name);
  }

  /** No empty, "." or ".." component and no trailing slash (a lone "/" is clean). */
  private static boolean isClean(byte[] name, int from, int to) {
    if (to == from) {
      return false;
    }
    if (to - from == 1 && name[from] == '/') {
      return true;
    }
    int start = name[from] == '/' ? from + 1 : from;
    for (int i = start; i <= to; i++) {
      if (i == to || name[i] == '/') {
        int len = i - start;
        if (len == 0 || name[start] == '.' && (len == 1 || len == 2 && name[start + 1] == '.')) {
          return false;
        }
        start = i + 1;
      }
    }
    return true;
  }

  static String cleanSlowly(byte[] name) {
    String s = new String(name, StandardCharsets.ISO_8859_1);
    boolean rooted = s.startsWith("/");
    String[] parts = s.split("/");
    String[] stack = new String[parts.length];
    int n = 0;
    for (String part : parts) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (n > 0 && !stack[n - 1].equals("..")) {
          n--;
        } else if (!rooted) {
          stack[n++] = part;
        }
        continue;
      }
      stack[n++] = part;
    }
    String joined = String.join("/", Arrays.copyOf(stack, n));
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }

  /** Checksums what the handler reads. */
  private static final class CrcStream extends FilterInputStream {
    final Crc64 crc = new Crc64();
    private final byte[] scratch = new byte[64 * 1024]; // for skips: one per layer, not per file

    CrcStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        crc.update(b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        crc.update(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      int r = read(scratch, 0, (int) Math.min(n, scratch.length));
      return Math.max(r, 0);
    }

    void drain() throws IOException {
      while (read(scratch, 0, scratch.length) >= 0) {
        // checksummed by read
      }
    }

    @Override
    public void close() {}

    void restart() {
      crc.reset();
    }
  }
}
