package dev.cairn.testing;

import dev.cairn.digest.Digester;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A directory tree described for comparison: one line per file with its type, mode, owner, size,
 * link target, content digest, xattrs, modification time and, for a file that has several names in
 * the tree, the first of them (names outside the tree, as a lower layer's in an overlay, do not
 * count). Never follows a symlink. {@code trusted.overlay.*} xattrs (overlayfs's own) are left out.
 */
public final class Trees {
  private Trees() {}

  private static final int DIR = Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_NOFOLLOW;

  /**
   * Deletes {@code path} and all beneath it, if it exists, without following a symlink; directories
   * a layer left unreadable or unwritable are opened up first.
   */
  public static void delete(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        path,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            File dir = d.toFile();
            dir.setReadable(true);
            dir.setWritable(true);
            dir.setExecutable(true);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
            Files.delete(f);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Path (raw bytes as ISO-8859-1, {@code .} for the root) to description. */
  public static Map<String, String> snapshot(Path root) {
    return snapshot(root, true);
  }

  /** As {@link #snapshot(Path)}; without directory times when {@code dirTimes} is false. */
  public static Map<String, String> snapshot(Path root, boolean dirTimes) {
    Map<String, String> out = new TreeMap<>();
    Map<String, String> inodes = new HashMap<>(); // path to device:inode, for multi-linked files
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
    Map<String, List<String>> groups = new TreeMap<>();
    inodes.forEach((path, key) -> groups.computeIfAbsent(key, k -> new ArrayList<>()).add(path));
    for (List<String> names : groups.values()) {
      if (names.size() > 1) {
        String first = names.stream().sorted().findFirst().orElseThrow();
        for (String n : names) {
          out.put(n, out.get(n) + " linked=" + first);
        }
      }
    }
    return out;
  }

  private static void walk(
      int fd, String prefix, Map<String, String> out, Map<String, String> inodes, boolean dt)
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
      int dir, byte[] name, String path, Map<String, String> inodes, boolean dirTimes)
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
        inodes.put(path, st.dev() + ":" + st.ino());
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
