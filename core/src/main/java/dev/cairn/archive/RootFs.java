package dev.cairn.archive;

import dev.cairn.CairnException;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A directory tree that names are resolved in as if it were {@code /}: every component is opened
 * with {@code O_NOFOLLOW} relative to its parent's descriptor; a symlink met on the way is resolved
 * by us, its absolute target re-rooted and its {@code ..} clamped at the root, so the kernel never
 * follows a link out of the tree. Not thread-safe.
 */
final class RootFs implements AutoCloseable {
  /** Symlinks followed while resolving one name, as Linux's limit. */
  static final int MAX_LINK_HOPS = 40;

  private static final int CACHE = 128;
  private static final int DIR_FLAGS = Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_NOFOLLOW;

  /** A resolved directory: an open descriptor and its symlink-free path inside the root. */
  record Dir(int fd, String path, boolean setgid) {}

  final int rootFd;
  final int umask;

  /** Paths inside the root (see {@link Names#key}) created by this layer, for opaque whiteouts. */
  final Set<String> created = new HashSet<>();

  /** Told before anything is removed, to keep the files earlier entries wrote; or null. */
  ReplacedFiles replaced;

  private final Dir root;
  private final Map<String, Dir> cache =
      new LinkedHashMap<>(CACHE * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Dir> eldest) {
          if (size() > CACHE) {
            closeQuietly(eldest.getValue());
            return true;
          }
          return false;
        }
      };

  RootFs(Path path) throws IOException {
    this.rootFd =
        Posix.openat(Posix.AT_FDCWD, Posix.bytes(path.toAbsolutePath().toString()), DIR_FLAGS, 0);
    this.root = new Dir(rootFd, "", false);
    this.umask = Umask.current();
  }

  Dir root() {
    return root;
  }

  /**
   * The directory named by the first {@code count} components, resolved inside the root; missing
   * directories are created (0755) when {@code create}, else the answer is null. The descriptor
   * belongs to this object: do not close it, and do not keep it past the next call.
   */
  Dir dir(List<byte[]> components, int count, boolean create) throws IOException {
    if (count == 0) {
      return root;
    }
    String key = Names.key(components, count);
    Dir hit = cache.get(key);
    if (hit != null) {
      return hit;
    }
    Dir resolved = walk(components.subList(0, count), create);
    if (resolved != null) {
      cache.put(key, resolved);
    }
    return resolved;
  }

  private Dir walk(List<byte[]> components, boolean create) throws IOException {
    Deque<byte[]> pending = new ArrayDeque<>(components);
    List<Integer> fds = new ArrayList<>();
    List<byte[]> names = new ArrayList<>();
    int hops = 0;
    try {
      while (!pending.isEmpty()) {
        byte[] c = pending.pollFirst();
        if (c.length == 0 || Names.isDot(c)) {
          continue;
        }
        if (Names.isDotDot(c)) {
          if (!fds.isEmpty()) { // clamped at the root
            Posix.close(fds.removeLast());
            names.removeLast();
          }
          continue;
        }
        int top = fds.isEmpty() ? rootFd : fds.getLast();
        int fd;
        try {
          fd = Posix.openat(top, c, DIR_FLAGS, 0);
        } catch (PosixException e) {
          if (e.errno() == Posix.ENAMETOOLONG && !create) {
            return null; // no directory can have that name
          }
          if (e.errno() == Posix.ENOENT) {
            if (!create) {
              return null;
            }
            makeDir(top, c, names);
            fd = Posix.openat(top, c, DIR_FLAGS, 0);
          } else if (e.errno() == Posix.ENOTDIR || e.errno() == Posix.ELOOP) {
            FileStat st = Posix.lstatat(top, c);
            if (!st.isSymlink()) {
              throw CairnException.invalid(
                  Names.display(names.isEmpty() ? List.of(c) : append(names, c))
                      + " is not a directory");
            }
            if (++hops > MAX_LINK_HOPS) {
              throw CairnException.invalid(
                  "too many levels of symbolic links at " + Names.display(append(names, c)));
            }
            byte[] target = Posix.readlinkat(top, c);
            if (target.length > 0 && target[0] == '/') {
              while (!fds.isEmpty()) {
                Posix.close(fds.removeLast());
              }
              names.clear();
            }
            List<byte[]> parts = Names.split(target);
            for (int i = parts.size() - 1; i >= 0; i--) {
              pending.addFirst(parts.get(i));
            }
            continue;
          } else {
            throw e;
          }
        }
        fds.add(fd);
        names.add(c);
      }
      if (fds.isEmpty()) {
        return root;
      }
      int fd = fds.removeLast();
      String path = "";
      for (byte[] n : names) {
        path = Names.key(path, n);
      }
      boolean setgid = (Posix.lstatat(fd, new byte[0]).mode() & 02000) != 0;
      return new Dir(fd, path, setgid);
    } finally {
      for (int fd : fds) {
        Posix.close(fd);
      }
    }
  }

  private void makeDir(int parent, byte[] name, List<byte[]> parentNames) throws IOException {
    try {
      Posix.mkdirat(parent, name, 0755);
    } catch (PosixException e) {
      if (e.errno() != Posix.EEXIST) {
        throw e;
      }
      return;
    }
    if ((umask & 0755) != 0) { // implied parents are 0755 whatever the process umask
      Posix.fchmodat(parent, name, 0755);
    }
    String path = "";
    for (byte[] n : parentNames) {
      path = Names.key(path, n);
    }
    created.add(Names.key(path, name));
  }

  private static List<byte[]> append(List<byte[]> names, byte[] c) {
    List<byte[]> l = new ArrayList<>(names);
    l.add(c);
    return l;
  }

  /**
   * Removes {@code name} in {@code parent}: a directory with everything in it, never following
   * links.
   */
  void removeAll(Dir parent, byte[] name, FileStat st) throws IOException {
    removing(parent.fd(), name, Names.key(parent.path(), name), st.isDirectory());
    if (st.isDirectory()) {
      Posix.removeTree(parent.fd(), name);
      invalidateExcept(parent); // cached descriptors may point into the tree that went away
    } else {
      Posix.unlinkat(parent.fd(), name, 0);
    }
  }

  /**
   * Applies an opaque whiteout to {@code dir}: removes everything under it that this layer did not
   * create, keeping what it did, even entries that came before the marker.
   */
  void makeOpaque(Dir dir) throws IOException {
    prune(dir.fd(), dir.path());
    invalidateExcept(dir);
  }

  private void prune(int fd, String path) throws IOException {
    for (Posix.DirEntry e : Posix.readdir(fd)) {
      String key = Names.key(path, e.name());
      if (!created.contains(key)) {
        FileStat st = Posix.lstatat(fd, e.name());
        removing(fd, e.name(), key, st.isDirectory());
        if (st.isDirectory()) {
          Posix.removeTree(fd, e.name());
        } else {
          Posix.unlinkat(fd, e.name(), 0);
        }
      } else if (e.type() == Posix.DT_DIR) {
        int child = Posix.openat(fd, e.name(), DIR_FLAGS, 0);
        try {
          prune(child, key);
        } finally {
          Posix.close(child);
        }
      }
    }
  }

  /** Says that {@code name} in {@code dirFd}, whose key is {@code key}, is about to be removed. */
  void removing(int dirFd, byte[] name, String key, boolean directory) throws IOException {
    if (replaced != null) {
      replaced.removing(dirFd, name, key, directory);
    }
  }

  /** Forgets every cached directory, after a change that may have moved or removed one. */
  void invalidate() {
    invalidateExcept(null);
  }

  /** Forgets every cached directory but {@code keep}, which the caller still uses. */
  private void invalidateExcept(Dir keep) {
    for (Iterator<Dir> it = cache.values().iterator(); it.hasNext(); ) {
      Dir d = it.next();
      if (d != keep) {
        closeQuietly(d);
        it.remove();
      }
    }
  }

  private void closeQuietly(Dir d) {
    if (d.fd() != rootFd) {
      try {
        Posix.close(d.fd());
      } catch (PosixException ignored) {
        // a close failure of an O_PATH descriptor loses no data
      }
    }
  }

  @Override
  public void close() throws IOException {
    invalidate();
    Posix.close(rootFd);
  }
}
