package dev.cairn.tar;

import dev.cairn.CairnException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a POSIX tar stream: ustar headers, preceded by a PAX extended header when a value does not
 * fit (long or non-ASCII-safe names, large sizes or ids, sub-second times, extra PAX records such
 * as xattrs). Call {@link #add} for each entry, write exactly its size in payload bytes, then
 * {@link #finish} or {@link #close}.
 */
public final class TarWriter implements Closeable {
  private static final int BLOCK = TarReader.BLOCK;
  private static final long MAX_OCTAL_8 = 07777777L;
  private static final long MAX_OCTAL_12 = 077777777777L;

  private final OutputStream out;
  private long remaining;
  private int padding;
  private boolean finished;

  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /** Starts an entry; its {@link TarEntry#size()} payload bytes must follow. */
  public void add(TarEntry e) throws IOException {
    endEntry();
    Map<String, byte[]> pax = new LinkedHashMap<>();
    e.pax().forEach((k, v) -> pax.put(k, utf8(v)));
    e.xattrs().forEach((k, v) -> pax.put(TarEntry.XATTR_PREFIX + k, v));
    byte[] name = e.rawName();
    byte[] link = e.rawLinkname();
    if (e.typeflag() == 'g') {
      writeExtension((byte) 'g', name, records(pax)); // a global header keeps its own name
      remaining = 0;
      return;
    }
    if (name.length > 100) {
      pax.put("path", name);
    }
    if (link.length > 100) {
      pax.put("linkpath", link);
    }
    if (e.size() > MAX_OCTAL_12) {
      pax.put("size", utf8(Long.toString(e.size())));
    }
    if (e.uid() > MAX_OCTAL_8) {
      pax.put("uid", utf8(Long.toString(e.uid())));
    }
    if (e.gid() > MAX_OCTAL_8) {
      pax.put("gid", utf8(Long.toString(e.gid())));
    }
    if (utf8(e.uname()).length > 32) {
      pax.put("uname", utf8(e.uname()));
    }
    if (utf8(e.gname()).length > 32) {
      pax.put("gname", utf8(e.gname()));
    }
    Instant t = e.mtime();
    if (t.getNano() != 0 || t.getEpochSecond() < 0 || t.getEpochSecond() > MAX_OCTAL_12) {
      pax.put("mtime", utf8(paxTime(t)));
    }
    if (!pax.isEmpty()) {
      writeExtension((byte) 'x', paxHeaderName(name), records(pax));
    }
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, name);
    octal(h, 100, 8, e.mode() & MAX_OCTAL_8);
    octal(h, 108, 8, e.uid() > MAX_OCTAL_8 ? 0 : e.uid());
    octal(h, 116, 8, e.gid() > MAX_OCTAL_8 ? 0 : e.gid());
    octal(h, 124, 12, e.size() > MAX_OCTAL_12 ? 0 : e.size());
    long seconds = t.getEpochSecond();
    octal(h, 136, 12, seconds < 0 || seconds > MAX_OCTAL_12 ? 0 : seconds);
    h[156] = e.typeflag();
    put(h, 157, 100, link);
    put(h, 257, 8, "ustar\00000".getBytes(StandardCharsets.US_ASCII));
    put(h, 265, 32, utf8(e.uname()));
    put(h, 297, 32, utf8(e.gname()));
    numeric(h, 329, e.devMajor());
    numeric(h, 337, e.devMinor());
    checksum(h);
    out.write(h);
    remaining = TarEntry.headerOnly(e.typeflag()) ? 0 : e.size();
    padding = (int) (-remaining & (BLOCK - 1));
  }

  /** Starts an entry and copies its payload from {@code payload}, which must hold enough bytes. */
  public void add(TarEntry e, InputStream payload) throws IOException {
    add(e);
    byte[] buf = new byte[(int) Math.min(64 * 1024, Math.max(1, remaining))];
    while (remaining > 0) {
      int n = payload.read(buf, 0, (int) Math.min(buf.length, remaining));
      if (n < 0) {
        throw new IOException(
            "payload of "
                + CairnException.quote(e.rawName())
                + " ended "
                + remaining
                + " bytes before its size");
      }
      write(buf, 0, n);
    }
  }

  /** Payload bytes of the current entry. */
  public void write(byte[] b, int off, int len) throws IOException {
    if (len > remaining) {
      throw new IOException("payload longer than the entry's size by " + (len - remaining));
    }
    out.write(b, off, len);
    remaining -= len;
  }

  /** Ends the archive with its two zero blocks; the underlying stream stays open. */
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    endEntry();
    out.write(new byte[2 * BLOCK]);
    out.flush();
    finished = true;
  }

  @Override
  public void close() throws IOException {
    try {
      finish();
    } finally {
      out.close();
    }
  }

  private void endEntry() throws IOException {
    if (remaining != 0) {
      throw new IOException("the previous entry is " + remaining + " payload bytes short");
    }
    out.write(new byte[padding]);
    padding = 0;
  }

  private void writeExtension(byte type, byte[] name, byte[] data) throws IOException {
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, name);
    octal(h, 100, 8, 0644);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, data.length);
    octal(h, 136, 12, 0);
    h[156] = type;
    put(h, 257, 8, "ustar\00000".getBytes(StandardCharsets.US_ASCII));
    checksum(h);
    out.write(h);
    out.write(data);
    out.write(new byte[-data.length & (BLOCK - 1)]);
  }

  /** PAX records, each "length key=value\n" where length counts itself. */
  static byte[] records(Map<String, byte[]> pax) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> r : pax.entrySet()) {
      byte[] key = utf8(r.getKey());
      int body = key.length + r.getValue().length + 3; // ' ', '=', '\n'
      int len = body + Integer.toString(body).length();
      if (Integer.toString(len).length() != Integer.toString(body).length()) {
        len++;
      }
      b.writeBytes(utf8(len + " "));
      b.writeBytes(key);
      b.write('=');
      b.writeBytes(r.getValue());
      b.write('\n');
    }
    return b.toByteArray();
  }

  private static String paxTime(Instant t) {
    java.math.BigDecimal s =
        java.math.BigDecimal.valueOf(t.getEpochSecond())
            .add(java.math.BigDecimal.valueOf(t.getNano(), 9));
    String text = s.stripTrailingZeros().toPlainString();
    return text;
  }

  private static void put(byte[] h, int off, int len, byte[] value) {
    System.arraycopy(value, 0, h, off, Math.min(len, value.length));
  }

  private static void octal(byte[] h, int off, int len, long v) {
    String s = Long.toOctalString(v);
    String padded = "0".repeat(len - 1 - s.length()) + s;
    put(h, off, len - 1, padded.getBytes(StandardCharsets.US_ASCII));
  }

  /** Octal when it fits the 8-byte field, else GNU base-256. */
  private static void numeric(byte[] h, int off, long v) {
    if (v >= 0 && v <= MAX_OCTAL_8) {
      octal(h, off, 8, v);
      return;
    }
    for (int i = 7; i >= 1; i--) {
      h[off + i] = (byte) v;
      v >>= 8;
    }
    h[off] = (byte) (0x80 | (v & 0x7f));
  }

  private static void checksum(byte[] h) {
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    String s = String.format("%06o", sum);
    put(h, 148, 6, s.getBytes(StandardCharsets.US_ASCII));
    h[154] = 0;
    h[155] = ' ';
  }

  /** "dir/PaxHeaders.0/base", cut to the field, as other writers name it. */
  private static byte[] paxHeaderName(byte[] name) {
    int slash = lastSlash(name);
    byte[] base = Arrays.copyOfRange(name, slash + 1, name.length);
    byte[] dir = Arrays.copyOf(name, slash + 1);
    byte[] pname = concat(dir, utf8("PaxHeaders.0/"), base);
    return Arrays.copyOf(pname, Math.min(100, pname.length));
  }

  private static int lastSlash(byte[] name) {
    int end = name.length;
    while (end > 0 && name[end - 1] == '/') {
      end--;
    }
    for (int i = end - 1; i >= 0; i--) {
      if (name[i] == '/') {
        return i;
      }
    }
    return -1;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] r = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, r, at, p.length);
      at += p.length;
    }
    return r;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
