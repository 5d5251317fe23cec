package dev.cairn.driver;

import dev.cairn.posix.FileCopy;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whole directory trees: an exact copy (hard links within the tree, symlinks, owners, modes with
 * set-id bits, nanosecond times, xattrs, FIFOs and devices) and a removal that never follows a
 * link. Names are bytes, so any name a layer holds is copied as it is.
 */
final class Trees {
  private static final int DIR_FLAGS = Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_NOFOLLOW;
  private static final byte[] DOT = {'.'};

  private Trees() {}

  /** Copies the tree at {@code from} to {@code to}, which must not exist. */
  static void copy(Path from, Path to) throws IOException {
    int src = open(from);
    try {
      FileStat st = Posix.lstatat(src, new byte[0]);
      byte[] dest = Posix.bytes(to.toAbsolutePath().toString());
      Posix.mkdirat(Posix.AT_FDCWD, dest, 0700);
      int dst = Posix.openat(Posix.AT_FDCWD, dest, DIR_FLAGS, 0);
      try {
        Copier copier = new Copier(dst);
        copier.directory(src, dst, new byte[0]);
        copier.metadata(src, DOT, dst, DOT, st, true);
      } finally {
        Posix.close(dst);
      }
    } finally {
      Posix.close(src);
    }
  }

  /** Removes the tree at {@code path}; nothing there is not an error. */
  static void remove(Path path) throws IOException {
    byte[] p = Posix.bytes(path.toAbsolutePath().toString());
    FileStat st = Posix.lstatIfExists(Posix.AT_FDCWD, p);
    if (st == null) {
      return;
    }
    if (!st.isDirectory()) {
      Posix.unlinkat(Posix.AT_FDCWD, p, 0);
      return;
    }
    Posix.removeTree(Posix.AT_FDCWD, p);
  }

  private static int open(Path dir) throws IOException {
    return Posix.openat(Posix.AT_FDCWD, Posix.bytes(dir.toAbsolutePath().toString()), DIR_FLAGS, 0);
  }

  /** One copy: remembers multiply-linked files so that their other names become links again. */
  private static final class Copier {
    private final int destRoot;
    private final Map<List<Long>, byte[]> links = new HashMap<>();
    private final int euid = Posix.geteuid();
    private final int egid = Posix.getegid();
    private final int umask = umask();
    private final FileCopy copier = new FileCopy();

    Copier(int destRoot) {
      this.destRoot = destRoot;
    }

    void directory(int src, int dst, byte[] prefix) throws IOException {
      for (Posix.DirEntry e : Posix.readdir(src)) {
        byte[] name = e.name();
        byte[] path = join(prefix, name);
        FileStat st = Posix.lstatat(src, name);
        switch (st.type()) {
          case Posix.S_IFDIR -> {
            Posix.mkdirat(dst, name, 0700);
            int s = Posix.openat(src, name, DIR_FLAGS, 0);
            try {
              int d = Posix.openat(dst, name, DIR_FLAGS, 0);
              try {
                directory(s, d, path);
              } finally {
                Posix.close(d);
              }
            } finally {
              Posix.close(s);
            }
            metadata(src, name, dst, name, st, true); // after the content, which changes its times
          }
          case Posix.S_IFREG -> regular(src, dst, name, path, st);
          case Posix.S_IFLNK -> {
            if (!linkedAgain(dst, name, path, st)) {
              Posix.symlinkat(Posix.readlinkat(src, name), dst, name);
              metadata(src, name, dst, name, st, false);
            }
          }
          default -> {
            if (!linkedAgain(dst, name, path, st)) {
              Posix.mknodat(dst, name, st.type() | 0600, st.rdevMajor(), st.rdevMinor());
              metadata(src, name, dst, name, st, true);
            }
          }
        }
      }
    }

    /** Links {@code name} to the copy of the same source inode when there is one. */
    private boolean linkedAgain(int dst, byte[] name, byte[] path, FileStat st) throws IOException {
      if (st.nlink() < 2) {
        return false;
      }
      List<Long> key = List.of(st.dev(), st.ino());
      byte[] first = links.get(key);
      if (first == null) {
        links.put(key, path);
        return false;
      }
      Posix.linkat(destRoot, first, dst, name);
      return true;
    }

    private void regular(int src, int dst, byte[] name, byte[] path, FileStat st)
        throws IOException {
      if (linkedAgain(dst, name, path, st)) {
        return;
      }
      int in = Posix.openat(src, name, Posix.O_RDONLY | Posix.O_NOFOLLOW, 0);
      try {
        int out =
            Posix.openat(
                dst,
                name,
                Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW,
                st.permissions() & 0777);
        try {
          content(in, out, st.size());
        } finally {
          Posix.close(out);
        }
      } finally {
        Posix.close(in);
      }
      int mode = st.permissions();
      metadata(src, name, dst, name, st, (mode & ~0777) != 0 || (mode & umask) != 0);
    }

    /** Copies what the file holds now, up to its listed size. */
    private void content(int in, int out, long size) throws IOException {
      // A file that shrank since it was listed gives what there is; one that grew keeps its listed
      // size: layers are not copied live.
      copier.copy(in, out, size);
    }

    /**
     * Owner, mode, xattrs and times of {@code srcName} onto {@code dstName}, in that order; the
     * mode only when {@code chmod} or a chown happened (it clears set-id bits). New files belong to
     * this process: the destination directories stay 0700, without set-gid, until their content is
     * done.
     */
    void metadata(int src, byte[] srcName, int dst, byte[] dstName, FileStat st, boolean chmod)
        throws IOException {
      boolean chown = euid == 0 && (st.uid() != euid || st.gid() != egid);
      if (chown) {
        Posix.fchownat(dst, dstName, st.uid(), st.gid(), Posix.AT_SYMLINK_NOFOLLOW);
      }
      if (!st.isSymlink() && (chmod || chown)) {
        Posix.fchmodat(dst, dstName, st.permissions());
      }
      for (String attr : Posix.llistxattr(src, srcName)) {
        byte[] v = Posix.lgetxattr(src, srcName, attr);
        if (v != null) {
          try {
            Posix.lsetxattr(dst, dstName, attr, v);
          } catch (PosixException e) {
            if (e.errno() != Posix.EPERM && e.errno() != Posix.EOPNOTSUPP) {
              throw e; // not root: trusted.* and the like stay behind, as when applying
            }
          }
        }
      }
      Posix.utimensat(
          dst,
          dstName,
          st.atimeSeconds(),
          st.atimeNanos(),
          st.mtimeSeconds(),
          st.mtimeNanos(),
          Posix.AT_SYMLINK_NOFOLLOW);
    }
  }

  /** The process umask, from /proc (umask(2) would change it, racing other threads). */
  private static int umask() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Umask:")) {
          return Integer.parseInt(line.substring(6).trim(), 8);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through: assume the strictest, so that every mode is set explicitly
    }
    return 0777;
  }

  private static byte[] join(byte[] prefix, byte[] name) {
    if (prefix.length == 0) {
      return name;
    }
    byte[] p = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
    p[prefix.length] = '/';
    System.arraycopy(name, 0, p, prefix.length + 1, name.length);
    return p;
  }
}
