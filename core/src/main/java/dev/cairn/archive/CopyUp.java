package dev.cairn.archive;

import dev.cairn.CairnException;
import dev.cairn.posix.FileCopy;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Hard links of an overlayfs upper directory to files of the layers below it. The upper directory
 * holds only the layer's own changes, so a link whose target lives below is made as overlayfs makes
 * it through a mount (Docker's overlay2 applying through one): the target is copied up first, with
 * its content, owner, mode, xattrs and times, and the directories on its way as they are below,
 * then the link joins the copy. The target is found in the merged view, upper over lower: a
 * whiteout or an opaque directory of the upper hides what is below, symlinks are followed by us
 * with {@code ..} clamped at the root, and every component is opened without following links, so
 * nothing outside the two trees is ever read or written. Not thread-safe.
 */
final class CopyUp implements AutoCloseable {
  private static final int DIR_FLAGS = Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_NOFOLLOW;
  private static final int READ_FLAGS =
      Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_NONBLOCK | Posix.O_NOCTTY;
  private static final String OVERLAY_XATTR_PREFIX = "trusted.overlay.";
  private static final byte[] DOT = {'.'};

  private final RootFs upper;
  private final LowerView view;
  private int lowerRoot = -1;
  // Keys of what was copied up (directories on the way and the targets), for opaque markers.
  private final List<String> copied = new ArrayList<>();
  private final FileCopy copier = new FileCopy();

  CopyUp(RootFs upper, LowerView view) {
    this.upper = upper;
    this.view = view;
  }

  /** An overlayfs whiteout: a character device numbered 0/0. */
  static boolean whiteout(FileStat st) {
    return st.type() == Posix.S_IFCHR && st.rdevMajor() == 0 && st.rdevMinor() == 0;
  }

  /**
   * The name in the upper directory of the hard link target {@code target} (resolved in the merged
   * view), copied up first when only the layers below hold it; null when neither has it.
   *
   * @throws ParentNeededException when the layers below are not in place yet
   */
  List<byte[]> find(List<byte[]> target, byte[] rawLinkname) throws IOException {
    String linkname = Names.display(rawLinkname);
    if (view == LowerView.PENDING) {
      throw new ParentNeededException(
          "hard link target " + linkname + " is not in the layer: the layers below may hold it");
    }
    Found f = resolve(target, linkname);
    if (f == null || !f.below()) {
      return f == null ? null : f.path();
    }
    if (f.stat().isDirectory()) {
      throw CairnException.invalid("hard link target " + linkname + " is a directory");
    }
    copy(f.path(), f.stat());
    return f.path();
  }

  /** Where a name resolved: its symlink-free path, and whether it is below the upper directory. */
  private record Found(List<byte[]> path, boolean below, FileStat stat) {}

  /** One directory of the merged walk: its descriptors in the upper and lower trees, or -1. */
  private final class Level implements AutoCloseable {
    int u;
    int l;

    Level(int u, int l) {
      this.u = u;
      this.l = l;
    }

    @Override
    public void close() throws IOException {
      if (u >= 0 && u != upper.rootFd) {
        Posix.close(u);
      }
      if (l >= 0 && l != lowerRoot) {
        Posix.close(l);
      }
      u = -1;
      l = -1;
    }
  }

  private Found resolve(List<byte[]> target, String linkname) throws IOException {
    Deque<byte[]> pending = new ArrayDeque<>(target);
    List<byte[]> path = new ArrayList<>();
    Level level = root();
    int hops = 0;
    try {
      while (!pending.isEmpty()) {
        byte[] c = pending.pollFirst();
        if (Names.isDotDot(c)) {
          if (!path.isEmpty()) { // clamped at the root
            path.removeLast();
            level.close();
            level = reopen(path);
          }
          continue;
        }
        FileStat st = level.u < 0 ? null : Posix.lstatIfExists(level.u, c);
        boolean below = st == null;
        if (below && level.l >= 0) {
          st = Posix.lstatIfExists(level.l, c);
        }
        if (st == null || whiteout(st)) {
          return null;
        }
        if (st.isSymlink() && !pending.isEmpty()) { // a final symlink is linked itself
          if (++hops > RootFs.MAX_LINK_HOPS) {
            throw CairnException.invalid(
                "too many levels of symbolic links in hard link target " + linkname);
          }
          byte[] link = Posix.readlinkat(below ? level.l : level.u, c);
          if (link.length > 0 && link[0] == '/') {
            path.clear();
            level.close();
            level = root();
          }
          List<byte[]> parts = Names.split(link);
          for (int i = parts.size() - 1; i >= 0; i--) {
            pending.addFirst(parts.get(i));
          }
          continue;
        }
        path.add(c);
        if (pending.isEmpty()) {
          return new Found(path, below, st);
        }
        if (!st.isDirectory()) {
          return null;
        }
        Level next = descend(level, c, below);
        level.close();
        level = next;
      }
      return null;
    } finally {
      level.close();
    }
  }

  private Level root() throws IOException {
    boolean opaque = isOpaque(upper.rootFd, DOT);
    return new Level(upper.rootFd, opaque ? -1 : lowerRoot());
  }

  /** The level of {@code path}, a symlink-free path of directories, walked again from the root. */
  private Level reopen(List<byte[]> path) throws IOException {
    Level level = root();
    try {
      for (byte[] c : path) {
        boolean below = level.u < 0 || Posix.lstatIfExists(level.u, c) == null;
        Level next = descend(level, c, below);
        level.close();
        level = next;
      }
      return level;
    } catch (IOException | RuntimeException e) {
      level.close();
      throw e;
    }
  }

  private Level descend(Level level, byte[] c, boolean below) throws IOException {
    if (below) {
      return new Level(-1, Posix.openat(level.l, c, DIR_FLAGS, 0));
    }
    int u = Posix.openat(level.u, c, DIR_FLAGS, 0);
    try {
      int l = -1;
      if (level.l >= 0 && !isOpaque(level.u, c)) {
        FileStat st = Posix.lstatIfExists(level.l, c);
        if (st != null && st.isDirectory()) {
          l = Posix.openat(level.l, c, DIR_FLAGS, 0);
        }
      }
      return new Level(u, l);
    } catch (IOException | RuntimeException e) {
      Posix.close(u);
      throw e;
    }
  }

  private static boolean isOpaque(int dir, byte[] name) throws IOException {
    byte[] v = Posix.lgetxattr(dir, name, WhiteoutFormat.OPAQUE_XATTR);
    return v != null && v.length == 1 && v[0] == 'y';
  }

  private int lowerRoot() throws IOException {
    if (lowerRoot < 0) {
      lowerRoot =
          Posix.openat(
              Posix.AT_FDCWD, Posix.bytes(view.open().toAbsolutePath().toString()), DIR_FLAGS, 0);
    }
    return lowerRoot;
  }

  /**
   * Copies {@code path} up from below: the directories on its way that the upper lacks, then the
   * target itself. Directory times are set last, as creating the target changed them.
   */
  private void copy(List<byte[]> path, FileStat st) throws IOException {
    int n = path.size();
    int[] u = new int[n];
    int[] l = new int[n];
    Arrays.fill(u, -1);
    Arrays.fill(l, -1);
    FileStat[] made = new FileStat[n];
    u[0] = upper.rootFd;
    l[0] = lowerRoot();
    try {
      for (int i = 0; i < n - 1; i++) {
        byte[] c = path.get(i);
        if (Posix.lstatIfExists(u[i], c) == null) {
          FileStat dir = Posix.lstatat(l[i], c);
          Posix.mkdirat(u[i], c, 0700);
          ownerModeXattrs(l[i], u[i], c, dir);
          made[i] = dir;
          copied.add(Names.key(path, i + 1));
        }
        u[i + 1] = Posix.openat(u[i], c, DIR_FLAGS, 0);
        l[i + 1] = Posix.openat(l[i], c, DIR_FLAGS, 0);
      }
      byte[] name = path.getLast();
      switch (st.type()) {
        case Posix.S_IFREG -> content(l[n - 1], u[n - 1], name, st.size());
        case Posix.S_IFLNK -> Posix.symlinkat(Posix.readlinkat(l[n - 1], name), u[n - 1], name);
        default -> Posix.mknodat(u[n - 1], name, st.type() | 0600, st.rdevMajor(), st.rdevMinor());
      }
      ownerModeXattrs(l[n - 1], u[n - 1], name, st);
      times(u[n - 1], name, st);
      copied.add(Names.key(path, n));
      for (int i = n - 2; i >= 0; i--) {
        if (made[i] != null) {
          times(u[i], path.get(i), made[i]);
        }
      }
    } finally {
      for (int i = 1; i < n; i++) {
        closeQuietly(u[i]);
        closeQuietly(l[i]);
      }
    }
  }

  private void content(int fromDir, int toDir, byte[] name, long size) throws IOException {
    int in = Posix.openat(fromDir, name, READ_FLAGS, 0);
    try {
      int out =
          Posix.openat(
              toDir, name, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW, 0600);
      try {
        if (copier.copy(in, out, size) < size) {
          throw CairnException.invalid(
              "file " + Names.display(name) + " of the layers below shrank while copied up");
        }
      } finally {
        Posix.close(out);
      }
    } finally {
      Posix.close(in);
    }
  }

  /** Owner, then mode (a chown clears set-id bits), then xattrs, overlayfs's own aside. */
  private static void ownerModeXattrs(int fromDir, int toDir, byte[] name, FileStat st)
      throws IOException {
    Posix.fchownat(toDir, name, st.uid(), st.gid(), Posix.AT_SYMLINK_NOFOLLOW);
    if (!st.isSymlink()) {
      Posix.fchmodat(toDir, name, st.permissions()); // made by us just now: not a symlink
    }
    for (String attr : Posix.llistxattr(fromDir, name)) {
      if (attr.startsWith(OVERLAY_XATTR_PREFIX)) {
        continue;
      }
      byte[] v = Posix.lgetxattr(fromDir, name, attr);
      if (v != null) {
        try {
          Posix.lsetxattr(toDir, name, attr, v);
        } catch (PosixException e) {
          if (e.errno() != Posix.EPERM && e.errno() != Posix.EOPNOTSUPP) {
            throw e; // user.* on a symlink, or a file system without xattrs: as when applying
          }
        }
      }
    }
  }

  private static void times(int dir, byte[] name, FileStat st) throws IOException {
    Posix.utimensat(
        dir,
        name,
        st.atimeSeconds(),
        st.atimeNanos(),
        st.mtimeSeconds(),
        st.mtimeNanos(),
        Posix.AT_SYMLINK_NOFOLLOW);
  }

  /**
   * An opaque marker on {@code dir} hides the layers below: what was copied up from them under it
   * goes too, unless an entry of the layer made that name its own, as applying the layer on a copy
   * of its parent would remove it.
   */
  void opaque(RootFs.Dir dir) throws IOException {
    String prefix = dir.path().isEmpty() ? "" : dir.path() + "/";
    boolean removed = false;
    for (Iterator<String> it = copied.iterator(); it.hasNext(); ) {
      String key = it.next();
      if (!key.startsWith(prefix) || upper.created.contains(key)) {
        continue;
      }
      it.remove();
      List<byte[]> parts = Names.split(key.getBytes(StandardCharsets.ISO_8859_1));
      int parent = parentOf(parts);
      if (parent < 0) {
        continue; // gone, or replaced by something that is not a directory
      }
      try {
        FileStat st = Posix.lstatIfExists(parent, parts.getLast());
        if (st != null) {
          upper.removing(parent, parts.getLast(), key, st.isDirectory());
        }
        if (st != null && st.isDirectory()) {
          Posix.removeTree(parent, parts.getLast());
          removed = true;
        } else if (st != null) {
          Posix.unlinkat(parent, parts.getLast(), 0);
        }
      } finally {
        closeQuietly(parent);
      }
    }
    if (removed) {
      upper.invalidate();
    }
  }

  /** The upper directory holding the last of {@code parts}, never through a symlink; or -1. */
  private int parentOf(List<byte[]> parts) throws IOException {
    int fd = Posix.openat(upper.rootFd, DOT, DIR_FLAGS, 0);
    for (int i = 0; i < parts.size() - 1; i++) {
      int next;
      try {
        next = Posix.openat(fd, parts.get(i), DIR_FLAGS, 0);
      } catch (PosixException e) {
        Posix.close(fd);
        if (e.errno() == Posix.ENOENT || e.errno() == Posix.ENOTDIR || e.errno() == Posix.ELOOP) {
          return -1;
        }
        throw e;
      }
      Posix.close(fd);
      fd = next;
    }
    return fd;
  }

  private static void closeQuietly(int fd) {
    if (fd >= 0) {
      try {
        Posix.close(fd);
      } catch (PosixException ignored) {
        // an O_PATH descriptor: nothing is lost
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (lowerRoot >= 0) {
      Posix.close(lowerRoot);
      lowerRoot = -1;
    }
  }
}
