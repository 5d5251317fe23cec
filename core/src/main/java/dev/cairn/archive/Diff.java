package dev.cairn.archive;

import dev.cairn.CairnException;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The changes between two directory trees as a layer tar: what {@code upper} added, changed or
 * deleted relative to {@code lower}, so that applying the tar to a copy of {@code lower} yields
 * {@code upper}. Deletions become AUFS whiteouts ({@code .wh.NAME}); a directory that replaced a
 * non-directory carries an opaque marker; the directories above a change are written too, so that
 * the tar restores their owners, modes and times. Files are compared by type, mode, owner,
 * modification time (nanoseconds), size, link count, device number, link target, xattrs and, when
 * all of these agree, by content: a rewritten file of the same size and time is still found.
 */
public final class Diff {
  private Diff() {}

  /**
   * What a diff holds.
   *
   * @param entries tar entries written, whiteouts included
   * @param size bytes of regular file content (a file with several links counted once) and of
   *     symlink targets: docker's layer size
   */
  public record Result(long entries, long size) {}

  /**
   * Writes the changes of {@code upper} against {@code lower} to {@code out} as an uncompressed tar
   * (finished, not closed). With {@code lower} null, everything in {@code upper} is new. With
   * {@code upperFormat} {@link WhiteoutFormat#OVERLAY}, {@code upper} is an overlayfs upper
   * directory whose whiteouts (0/0 character devices) and opaque directories are written as AUFS
   * entries. Owners are written as container IDs, through the options' ID maps.
   *
   * @throws CairnException INVALID when an owner lies outside the ID maps
   */
  public static Result write(
      Path lower, Path upper, WhiteoutFormat upperFormat, ApplyOptions ids, OutputStream out)
      throws IOException {
    TarWriter tar = new TarWriter(out);
    Result r = run(lower, upper, upperFormat, ids, tar);
    tar.finish();
    return r;
  }

  /** What {@link #write} would write, without writing it (reads as much: contents are compared). */
  public static Result measure(Path lower, Path upper, WhiteoutFormat upperFormat)
      throws IOException {
    return run(lower, upper, upperFormat, ApplyOptions.defaults(), null);
  }

  private static Result run(
      Path lower, Path upper, WhiteoutFormat upperFormat, ApplyOptions ids, TarWriter tar)
      throws IOException {
    if (lower != null && upperFormat == WhiteoutFormat.OVERLAY) {
      throw new IllegalArgumentException("an overlay upper directory is its own diff: no lower");
    }
    int upperFd = openRoot(upper);
    int lowerFd = -1;
    try {
      lowerFd = lower == null ? -1 : openRoot(lower);
      Walk walk = new Walk(tar, ids, upperFormat == WhiteoutFormat.OVERLAY);
      walk.root(lowerFd, upperFd);
      return new Result(walk.entries, walk.size);
    } finally {
      if (lowerFd >= 0) {
        Posix.close(lowerFd);
      }
      Posix.close(upperFd);
    }
  }

  private static final int DIR_FLAGS = Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_NOFOLLOW;
  private static final byte[] DOT = {'.'};
  private static final byte[] ROOT_NAME = {'.', '/'};

  private static int openRoot(Path p) throws IOException {
    return Posix.openat(Posix.AT_FDCWD, Posix.bytes(p.toAbsolutePath().toString()), DIR_FLAGS, 0);
  }

  /** One file as the comparison sees it. */
  private record Node(
      byte[] name, FileStat st, Map<String, String> xattrs, byte[] link, boolean opaque) {}

  private static final String OVERLAY_XATTR_PREFIX = "trusted.overlay.";
  private static final byte[] Y = {'y'};

  /** One walk over the two trees; {@code tar} null only measures. */
  private static final class Walk {
    private final TarWriter tar;
    private final IdMap uids;
    private final IdMap gids;
    private final boolean overlayUpper;
    private final byte[] a = new byte[1 << 20];
    private final byte[] b = new byte[1 << 20];
    // (dev, ino) of multiply-linked files already written, to the name written.
    private final Map<List<Long>, byte[]> linked = new HashMap<>();
    // Directories above the current position not yet written: written before the first change.
    private final List<Pending> pending = new ArrayList<>();
    long entries;
    long size;

    private record Pending(byte[] path, Node node) {}

    Walk(TarWriter tar, ApplyOptions ids, boolean overlayUpper) {
      this.tar = tar;
      this.uids = ids.uidMap();
      this.gids = ids.gidMap();
      this.overlayUpper = overlayUpper;
    }

    void root(int lowerFd, int upperFd) throws IOException {
      Node u = node(upperFd, DOT);
      Node l = lowerFd < 0 ? null : node(lowerFd, DOT);
      pending.add(new Pending(ROOT_NAME, u));
      if (l == null || !sameDirectory(l, u)) {
        flush();
      }
      if (overlayUpper && u.opaque()) {
        writeMarker(new byte[0], Names.OPAQUE);
      }
      directory(lowerFd, upperFd, new byte[0]);
      pending.removeLast();
    }

    /** Compares the entries of two directories; {@code lowerFd} is -1 when nothing is below. */
    private void directory(int lowerFd, int upperFd, byte[] prefix) throws IOException {
      List<byte[]> upperNames = sortedNames(upperFd);
      List<byte[]> lowerNames = lowerFd < 0 ? List.of() : sortedNames(lowerFd);
      int i = 0;
      int j = 0;
      while (i < upperNames.size() || j < lowerNames.size()) {
        int c =
            i == upperNames.size()
                ? 1
                : j == lowerNames.size()
                    ? -1
                    : Arrays.compareUnsigned(upperNames.get(i), lowerNames.get(j));
        if (c > 0) {
          writeMarker(prefix, whiteoutName(lowerNames.get(j++)));
        } else if (c < 0) {
          entry(-1, upperFd, upperNames.get(i++), prefix);
        } else {
          entry(lowerFd, upperFd, upperNames.get(i++), prefix);
          j++;
        }
      }
    }

    /** One name of the upper directory, and its lower counterpart unless {@code lowerFd} is -1. */
    private void entry(int lowerFd, int upperFd, byte[] name, byte[] prefix) throws IOException {
      byte[] path = join(prefix, name);
      Node u = node(upperFd, name);
      Node l = lowerFd < 0 ? null : nodeIfExists(lowerFd, name);
      if (overlayUpper && isOverlayWhiteout(u.st())) {
        writeMarker(prefix, whiteoutName(name));
        return;
      }
      if (!u.st().isDirectory()) {
        if (l == null || !sameFile(lowerFd, upperFd, l, u)) {
          write(upperFd, path, u);
        }
        return;
      }
      byte[] dirPath = append(path, (byte) '/');
      pending.add(new Pending(dirPath, u));
      boolean wasDirectory = l != null && l.st().isDirectory();
      if (!wasDirectory || !sameDirectory(l, u)) {
        flush();
      }
      if ((l != null && !wasDirectory) || (overlayUpper && u.opaque())) {
        writeMarker(path, Names.OPAQUE);
      }
      int uc = Posix.openat(upperFd, name, DIR_FLAGS, 0);
      int lc = -1;
      try {
        lc = wasDirectory ? Posix.openat(lowerFd, name, DIR_FLAGS, 0) : -1;
        directory(lc, uc, path);
      } finally {
        if (lc >= 0) {
          Posix.close(lc);
        }
        Posix.close(uc);
      }
      pending.removeLast();
    }

    private boolean sameDirectory(Node l, Node u) {
      FileStat x = l.st();
      FileStat y = u.st();
      return x.mode() == y.mode()
          && x.uid() == y.uid()
          && x.gid() == y.gid()
          && x.mtimeSeconds() == y.mtimeSeconds()
          && x.mtimeNanos() == y.mtimeNanos()
          && l.xattrs().equals(u.xattrs());
    }

    private boolean sameFile(int lowerFd, int upperFd, Node l, Node u) throws IOException {
      FileStat x = l.st();
      FileStat y = u.st();
      if (x.mode() != y.mode()
          || x.uid() != y.uid()
          || x.gid() != y.gid()
          || x.mtimeSeconds() != y.mtimeSeconds()
          || x.mtimeNanos() != y.mtimeNanos()
          || x.size() != y.size()
          || x.nlink() != y.nlink()
          || x.rdevMajor() != y.rdevMajor()
          || x.rdevMinor() != y.rdevMinor()
          || !Arrays.equals(l.link(), u.link())
          || !l.xattrs().equals(u.xattrs())) {
        return false;
      }
      return !x.isRegularFile() || x.size() == 0 || sameContent(lowerFd, upperFd, u.name());
    }

    private boolean sameContent(int lowerFd, int upperFd, byte[] name) throws IOException {
      int lf = Posix.openat(lowerFd, name, Posix.O_RDONLY | Posix.O_NOFOLLOW, 0);
      try {
        int uf = Posix.openat(upperFd, name, Posix.O_RDONLY | Posix.O_NOFOLLOW, 0);
        try {
          while (true) {
            int n = readFully(lf, a);
            int m = readFully(uf, b);
            if (n != m || !Arrays.equals(a, 0, n, b, 0, m)) {
              return false;
            }
            if (n < a.length) {
              return true;
            }
          }
        } finally {
          Posix.close(uf);
        }
      } finally {
        Posix.close(lf);
      }
    }

    private static int readFully(int fd, byte[] buf) throws IOException {
      int off = 0;
      while (off < buf.length) {
        int n = Posix.read(fd, buf, off, buf.length - off);
        if (n == 0) {
          break;
        }
        off += n;
      }
      return off;
    }

    /** Writes the directories above the current position that are not written yet. */
    private void flush() throws IOException {
      for (int k = 0; k < pending.size(); k++) {
        Pending p = pending.get(k);
        if (p.node() != null) {
          header(p.path(), p.node(), TarEntry.Type.DIRECTORY, new byte[0], 0);
          pending.set(k, new Pending(p.path(), null));
        }
      }
    }

    private void writeMarker(byte[] dir, byte[] marker) throws IOException {
      flush();
      entries++;
      if (tar != null) {
        TarEntry e =
            new TarEntry(
                join(dir, marker),
                (byte) '0',
                0,
                0,
                0,
                "",
                "",
                0,
                Instant.EPOCH,
                new byte[0],
                0,
                0,
                Map.of());
        tar.add(e);
      }
    }

    /** Writes a non-directory entry. */
    private void write(int dirFd, byte[] path, Node u) throws IOException {
      flush();
      FileStat st = u.st();
      int type = st.type();
      if (type == Posix.S_IFSOCK) {
        return; // a tar cannot hold a socket; it belongs to a running process anyway
      }
      if (type == Posix.S_IFREG && st.nlink() > 1) {
        List<Long> key = List.of(st.dev(), st.ino());
        byte[] first = linked.get(key);
        if (first != null) {
          header(path, u, TarEntry.Type.HARDLINK, first, 0);
          return;
        }
        linked.put(key, path);
      }
      switch (type) {
        case Posix.S_IFREG -> {
          header(path, u, TarEntry.Type.REGULAR, new byte[0], st.size());
          size += st.size();
          if (tar != null && st.size() > 0) {
            content(dirFd, u.name(), st.size(), path);
          }
        }
        case Posix.S_IFLNK -> {
          header(path, u, TarEntry.Type.SYMLINK, u.link(), 0);
          size += st.size(); // the target's length, which docker's layer size counts
        }
        case Posix.S_IFCHR -> header(path, u, TarEntry.Type.CHAR_DEVICE, new byte[0], 0);
        case Posix.S_IFBLK -> header(path, u, TarEntry.Type.BLOCK_DEVICE, new byte[0], 0);
        case Posix.S_IFIFO -> header(path, u, TarEntry.Type.FIFO, new byte[0], 0);
        default ->
            throw CairnException.invalid(
                Names.display(path) + ": unknown file type " + Integer.toOctalString(type));
      }
    }

    private void content(int dirFd, byte[] name, long length, byte[] path) throws IOException {
      int fd = Posix.openat(dirFd, name, Posix.O_RDONLY | Posix.O_NOFOLLOW, 0);
      try {
        long left = length;
        while (left > 0) {
          int n = Posix.read(fd, a, 0, (int) Math.min(a.length, left));
          if (n == 0) {
            throw new IOException(
                Names.display(path) + ": the file shrank while its diff was written");
          }
          tar.write(a, 0, n);
          left -= n;
        }
      } finally {
        Posix.close(fd);
      }
    }

    private void header(byte[] path, Node u, TarEntry.Type type, byte[] link, long length)
        throws IOException {
      entries++;
      if (tar == null) {
        return;
      }
      FileStat st = u.st();
      String what = Names.display(path);
      long uid = uids.toContainer(Integer.toUnsignedLong(st.uid()));
      long gid = gids.toContainer(Integer.toUnsignedLong(st.gid()));
      if (uid < 0 || gid < 0) {
        throw CairnException.invalid(
            what
                + ": owner "
                + Integer.toUnsignedLong(st.uid())
                + ":"
                + Integer.toUnsignedLong(st.gid())
                + " is outside the ID maps (uid "
                + uids
                + ", gid "
                + gids
                + ")");
      }
      Map<String, String> pax = new TreeMap<>();
      u.xattrs()
          .forEach(
              (k, v) ->
                  pax.put(
                      "SCHILY.xattr." + k,
                      new String(v.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)));
      byte flag =
          switch (type) {
            case REGULAR -> (byte) '0';
            case HARDLINK -> (byte) '1';
            case SYMLINK -> (byte) '2';
            case CHAR_DEVICE -> (byte) '3';
            case BLOCK_DEVICE -> (byte) '4';
            case DIRECTORY -> (byte) '5';
            case FIFO -> (byte) '6';
            default -> throw new IllegalArgumentException(type.toString());
          };
      boolean device = type == TarEntry.Type.CHAR_DEVICE || type == TarEntry.Type.BLOCK_DEVICE;
      tar.add(
          new TarEntry(
              path,
              flag,
              st.permissions(),
              uid,
              gid,
              "",
              "",
              length,
              Instant.ofEpochSecond(st.mtimeSeconds(), st.mtimeNanos()),
              link,
              device ? st.rdevMajor() : 0,
              device ? st.rdevMinor() : 0,
              type == TarEntry.Type.HARDLINK ? Map.of() : pax));
    }

    private Node nodeIfExists(int dirFd, byte[] name) throws IOException {
      try {
        return node(dirFd, name);
      } catch (PosixException e) {
        if (e.errno() == Posix.ENOENT) {
          return null;
        }
        throw e;
      }
    }

    private Node node(int dirFd, byte[] name) throws IOException {
      FileStat st = Posix.lstatat(dirFd, name);
      Map<String, String> xattrs = new TreeMap<>();
      boolean opaque = false;
      for (String attr : Posix.llistxattr(dirFd, name)) {
        byte[] v = Posix.lgetxattr(dirFd, name, attr);
        if (overlayUpper && attr.startsWith(OVERLAY_XATTR_PREFIX)) {
          // overlayfs bookkeeping: only the opaque flag means something in a layer
          opaque |= attr.equals(WhiteoutFormat.OPAQUE_XATTR) && v != null && Arrays.equals(v, Y);
          continue;
        }
        if (v != null) {
          xattrs.put(attr, new String(v, StandardCharsets.ISO_8859_1));
        }
      }
      byte[] link = st.isSymlink() ? Posix.readlinkat(dirFd, name) : new byte[0];
      return new Node(name, st, xattrs, link, opaque);
    }

    private static boolean isOverlayWhiteout(FileStat st) {
      return st.type() == Posix.S_IFCHR && st.rdevMajor() == 0 && st.rdevMinor() == 0;
    }

    private static List<byte[]> sortedNames(int dirFd) throws IOException {
      List<byte[]> names = new ArrayList<>();
      for (Posix.DirEntry e : Posix.readdir(dirFd)) {
        names.add(e.name());
      }
      names.sort(Arrays::compareUnsigned);
      return names;
    }
  }

  private static byte[] whiteoutName(byte[] name) {
    byte[] w = new byte[Names.WHITEOUT_PREFIX.length + name.length];
    System.arraycopy(Names.WHITEOUT_PREFIX, 0, w, 0, Names.WHITEOUT_PREFIX.length);
    System.arraycopy(name, 0, w, Names.WHITEOUT_PREFIX.length, name.length);
    return w;
  }

  private static byte[] join(byte[] dir, byte[] name) {
    if (dir.length == 0) {
      return name.clone();
    }
    int len = dir[dir.length - 1] == '/' ? dir.length - 1 : dir.length;
    byte[] p = new byte[len + 1 + name.length];
    System.arraycopy(dir, 0, p, 0, len);
    p[len] = '/';
    System.arraycopy(name, 0, p, len + 1, name.length);
    return p;
  }

  private static byte[] append(byte[] path, byte b) {
    byte[] p = Arrays.copyOf(path, path.length + 1);
    p[path.length] = b;
    return p;
  }
}
