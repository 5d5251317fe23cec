package dev.cairn.testing;

import dev.cairn.digest.Digester;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A directory tree described for comparison: one line per file with its type, mode, owner, size,
 * link target, content digest, xattrs, modification time and, for files with several names, the
 * first of them. Never follows a symlink. {@code trusted.overlay.*} xattrs (overlayfs's own) are
 * left out.
 */
public final class Trees {
  private Trees() {}

  private static final int DIR = Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_NOFOLLOW;

  /** Path (raw bytes as ISO-8859-1, {@code .} for the root) to description. */
  public static Map<String, String> snapshot(Path root) {
    return snapshot(root, true);
  }

  /** As {@link #snapshot(Path)}; without directory times when {@code dirTimes} is false. */
  public static Map<String, String> snapshot(Path root, boolean dirTimes) {
    Map<String, String> out = new TreeMap<>();
    Map<List<Long>, String> inodes = new HashMap<>();
    try {
      int fd = Posix.openat(Posix.AT_FDCWD, Posix.bytes(root.toString()), DIR, 0);
      try {
        out.put(".", describe(fd, new byte[] {'.'}, ".", inodes, dirTimes));
        walk(fd, "", out, inodes, dirTimes);
      } finally {
        Posix.close(fd);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static void walk(
      int fd, String prefix, Map<String, String> out, Map<List<Long>, String> inodes, boolean dt)
      throws IOException {
    List<Posix.DirEntry> entries = Posix.readdir(fd);
    entries.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
    for (Posix.DirEntry e : entries) {
      String path = prefix + new String(e.name(), StandardCharsets.ISO_8859_1);
      out.put(path, describe(fd, e.name(), path, inodes, dt));
      if (Posix.lstatat(fd, e.name()).isDirectory()) {
        int child = Posix.openat(fd, e.name(), DIR, 0);
        try {
          walk(child, path + "/", out, inodes, dt);
        } finally {
          Posix.close(child);
        }
      }
    }
  }

  private static String describe(
      int dir, byte[] name, String path, Map<List<Long>, String> inodes, boolean dirTimes)
      throws IOException {
    FileStat st = Posix.lstatat(dir, name);
    StringBuilder b = new StringBuilder();
    b.append(Integer.toOctalString(st.mode()))
        .append(' ')
        .append(Integer.toUnsignedString(st.uid()))
        .append(':')
        .append(Integer.toUnsignedString(st.gid()));
    if (!st.isDirectory() || dirTimes) {
      b.append(" mtime=").append(st.mtimeSeconds()).append('.').append(st.mtimeNanos());
    }
    if (st.isRegularFile()) {
      b.append(" size=").append(st.size()).append(" sha256=").append(content(dir, name));
      if (st.nlink() > 1) {
        String first = inodes.putIfAbsent(List.of(st.dev(), st.ino()), path);
        b.append(" linked=").append(first == null ? path : first);
      }
    }
    if (st.isSymlink()) {
      b.append(" -> ").append(new String(Posix.readlinkat(dir, name), StandardCharsets.UTF_8));
    }
    if (st.type() == Posix.S_IFCHR || st.type() == Posix.S_IFBLK) {
      b.append(" dev=").append(st.rdevMajor()).append(',').append(st.rdevMinor());
    }
    Map<String, String> xattrs = new TreeMap<>();
    for (String attr : Posix.llistxattr(dir, name)) {
      if (!attr.startsWith("trusted.overlay.")) {
        byte[] v = Posix.lgetxattr(dir, name, attr);
        xattrs.put(attr, v == null ? "" : new String(v, StandardCharsets.ISO_8859_1));
      }
    }
    if (!xattrs.isEmpty()) {
      b.append(" xattrs=").append(xattrs);
    }
    return b.toString();
  }

  private static String content(int dir, byte[] name) throws IOException {
    Digester d = Digester.sha256();
    int fd = Posix.openat(dir, name, Posix.O_RDONLY | Posix.O_NOFOLLOW, 0);
    try {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = Posix.read(fd, buf, 0, buf.length)) > 0; ) {
        d.update(buf, 0, n);
      }
    } finally {
      Posix.close(fd);
    }
    return d.digest().hex().substring(0, 16);
  }
}
