package dev.cairn.tar;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One tar header as the archive states it, after GNU long names and PAX records have been applied.
 * Names keep their raw bytes (a name need not be UTF-8); {@link #name()} decodes them leniently for
 * display and path handling. {@link #size()} is the number of payload bytes that follow the header:
 * always 0 for links, directories, devices and fifos.
 *
 * @param rawName the name's bytes exactly as stored (ustar prefix joined, GNU long name, PAX path)
 * @param typeflag the header's type byte, see {@link #type()}
 * @param pax the PAX records of this entry (for a global header: its records), except the {@code
 *     SCHILY.xattr.*} ones, which are in {@code xattrs}
 * @param xattrs the extended attributes ({@code SCHILY.xattr.NAME} records) by name, their values
 *     as raw bytes: a value such as {@code security.capability} is binary, not text
 */
public record TarEntry(
    byte[] rawName,
    byte typeflag,
    long mode,
    long uid,
    long gid,
    String uname,
    String gname,
    long size,
    Instant mtime,
    byte[] rawLinkname,
    long devMajor,
    long devMinor,
    Map<String, String> pax,
    Map<String, byte[]> xattrs) {

  /** The PAX record prefix that carries an extended attribute, as GNU tar and star write it. */
  public static final String XATTR_PREFIX = "SCHILY.xattr.";

  /**
   * An entry without extended attributes, or with them as text in {@code SCHILY.xattr.} records.
   */
  public TarEntry(
      byte[] rawName,
      byte typeflag,
      long mode,
      long uid,
      long gid,
      String uname,
      String gname,
      long size,
      Instant mtime,
      byte[] rawLinkname,
      long devMajor,
      long devMinor,
      Map<String, String> pax) {
    this(
        rawName,
        typeflag,
        mode,
        uid,
        gid,
        uname,
        gname,
        size,
        mtime,
        rawLinkname,
        devMajor,
        devMinor,
        pax,
        Map.of());
  }

  /** What an entry is, from its typeflag. */
  public enum Type {
    REGULAR,
    HARDLINK,
    SYMLINK,
    CHAR_DEVICE,
    BLOCK_DEVICE,
    DIRECTORY,
    FIFO,
    /** A PAX global header ('g'): records meant for the whole archive, no file. */
    GLOBAL_HEADER,
    /** Any other typeflag: a file-like entry whose payload is kept as is. */
    OTHER
  }

  public TarEntry {
    rawName = rawName.clone();
    rawLinkname = rawLinkname.clone();
    uname = uname == null ? "" : uname;
    gname = gname == null ? "" : gname;
    mtime = mtime == null ? Instant.EPOCH : mtime;
    Map<String, byte[]> x = new TreeMap<>();
    Map<String, String> records = new HashMap<>();
    if (pax != null) {
      // Text-valued xattr records (from withPax) become byte values, UTF-8 encoded.
      pax.forEach(
          (k, v) -> {
            if (k.startsWith(XATTR_PREFIX)) {
              x.put(k.substring(XATTR_PREFIX.length()), utf8(v));
            } else {
              records.put(k, v);
            }
          });
    }
    if (xattrs != null) {
      xattrs.forEach((k, v) -> x.put(k, v.clone()));
    }
    pax = Map.copyOf(records);
    xattrs = x.isEmpty() ? Map.of() : Collections.unmodifiableMap(x);
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
  }

  /** A regular file of {@code size} bytes, mode 0644, owned by root, at the epoch. */
  public static TarEntry regular(String name, long size) {
    return of(name, (byte) '0', 0644, size, "");
  }

  public static TarEntry directory(String name) {
    return of(name, (byte) '5', 0755, 0, "");
  }

  public static TarEntry symlink(String name, String target) {
    return of(name, (byte) '2', 0777, 0, target);
  }

  public static TarEntry hardlink(String name, String target) {
    return of(name, (byte) '1', 0644, 0, target);
  }

  public static TarEntry fifo(String name) {
    return of(name, (byte) '6', 0644, 0, "");
  }

  /** A character ('3') or block ('4') device. */
  public static TarEntry device(String name, byte typeflag, long major, long minor) {
    return new TarEntry(
        utf8(name),
        typeflag,
        0600,
        0,
        0,
        "",
        "",
        0,
        Instant.EPOCH,
        new byte[0],
        major,
        minor,
        Map.of());
  }

  /** A PAX global header carrying {@code records}. */
  public static TarEntry globalHeader(String name, Map<String, String> records) {
    return of(name, (byte) 'g', 0644, 0, "").withPax(records);
  }

  private static TarEntry of(String name, byte typeflag, long mode, long size, String link) {
    return new TarEntry(
        utf8(name), typeflag, mode, 0, 0, "", "", size, Instant.EPOCH, utf8(link), 0, 0, Map.of());
  }

  /** The name decoded as UTF-8, malformed bytes replaced by U+FFFD. */
  public String name() {
    return new String(rawName, StandardCharsets.UTF_8);
  }

  /** The link target (hardlink or symlink) decoded as UTF-8, leniently. */
  public String linkname() {
    return new String(rawLinkname, StandardCharsets.UTF_8);
  }

  @Override
  public byte[] rawName() {
    return rawName.clone();
  }

  @Override
  public byte[] rawLinkname() {
    return rawLinkname.clone();
  }

  public Type type() {
    return switch (typeflag) {
      case '0', 0, '7' -> Type.REGULAR;
      case '1' -> Type.HARDLINK;
      case '2' -> Type.SYMLINK;
      case '3' -> Type.CHAR_DEVICE;
      case '4' -> Type.BLOCK_DEVICE;
      case '5' -> Type.DIRECTORY;
      case '6' -> Type.FIFO;
      case 'g' -> Type.GLOBAL_HEADER;
      default -> Type.OTHER;
    };
  }

  /** True for types whose header is never followed by payload, whatever its size field says. */
  static boolean headerOnly(byte typeflag) {
    return switch (typeflag) {
      case '1', '2', '3', '4', '5', '6' -> true;
      default -> false;
    };
  }

  /**
   * The extended attributes by name, sorted, each value a fresh copy of its raw bytes (from the
   * {@code SCHILY.xattr.} PAX records).
   */
  @Override
  public Map<String, byte[]> xattrs() {
    if (xattrs.isEmpty()) {
      return xattrs;
    }
    Map<String, byte[]> copy = new TreeMap<>();
    xattrs.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  public TarEntry withName(byte[] name) {
    return new TarEntry(
        name,
        typeflag,
        mode,
        uid,
        gid,
        uname,
        gname,
        size,
        mtime,
        rawLinkname,
        devMajor,
        devMinor,
        pax,
        xattrs);
  }

  public TarEntry withMode(long newMode) {
    return new TarEntry(
        rawName,
        typeflag,
        newMode,
        uid,
        gid,
        uname,
        gname,
        size,
        mtime,
        rawLinkname,
        devMajor,
        devMinor,
        pax,
        xattrs);
  }

  public TarEntry withOwner(long newUid, long newGid, String newUname, String newGname) {
    return new TarEntry(
        rawName,
        typeflag,
        mode,
        newUid,
        newGid,
        newUname,
        newGname,
        size,
        mtime,
        rawLinkname,
        devMajor,
        devMinor,
        pax,
        xattrs);
  }

  public TarEntry withMtime(Instant newMtime) {
    return new TarEntry(
        rawName,
        typeflag,
        mode,
        uid,
        gid,
        uname,
        gname,
        size,
        newMtime,
        rawLinkname,
        devMajor,
        devMinor,
        pax,
        xattrs);
  }

  public TarEntry withPax(Map<String, String> records) {
    return new TarEntry(
        rawName,
        typeflag,
        mode,
        uid,
        gid,
        uname,
        gname,
        size,
        mtime,
        rawLinkname,
        devMajor,
        devMinor,
        records,
        xattrs);
  }

  /** This entry with {@code values} as its extended attributes, by name without the prefix. */
  public TarEntry withXattrs(Map<String, byte[]> values) {
    return new TarEntry(
        rawName,
        typeflag,
        mode,
        uid,
        gid,
        uname,
        gname,
        size,
        mtime,
        rawLinkname,
        devMajor,
        devMinor,
        pax,
        values);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TarEntry e
        && Arrays.equals(rawName, e.rawName)
        && typeflag == e.typeflag
        && mode == e.mode
        && uid == e.uid
        && gid == e.gid
        && uname.equals(e.uname)
        && gname.equals(e.gname)
        && size == e.size
        && mtime.equals(e.mtime)
        && Arrays.equals(rawLinkname, e.rawLinkname)
        && devMajor == e.devMajor
        && devMinor == e.devMinor
        && pax.equals(e.pax)
        && sameXattrs(xattrs, e.xattrs);
  }

  private static boolean sameXattrs(Map<String, byte[]> a, Map<String, byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (Map.Entry<String, byte[]> x : a.entrySet()) {
      if (!Arrays.equals(x.getValue(), b.get(x.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(rawName) * 31 + Long.hashCode(size);
  }

  @Override
  public String toString() {
    return "TarEntry[" + name() + ", type " + type() + ", " + size + " bytes]";
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
