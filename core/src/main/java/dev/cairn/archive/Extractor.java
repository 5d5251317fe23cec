package dev.cairn.archive;

import dev.cairn.CairnException;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import dev.cairn.tar.TarEntry;
import dev.cairn.tarsplit.EntryHandler;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies tar entries, one at a time, to a root directory: AUFS whiteouts, owners, modes, times,
 * links, devices and xattrs, never touching anything outside the root. Call {@link #finish} after
 * the last entry: directory metadata is applied then, as creating entries changes directory times.
 */
final class Extractor implements EntryHandler, AutoCloseable {
  /** Linux's PATH_MAX: a symbolic link's target is shorter. */
  private static final int PATH_MAX = 4096;

  private static final int BUFFER = 1 << 20;
  private static final int FILE_FLAGS =
      Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW;

  private final RootFs fs;
  private final ApplyOptions options;
  private final boolean root;
  private final boolean overlay;
  private final int euid;
  private final int egid;
  private final byte[] buffer = new byte[BUFFER];
  private final List<DeferredDir> dirs = new ArrayList<>();
  private final CopyUp copyUp; // overlay on layers below: hard links to their files
  private final ReplacedFiles replaced; // when tar-split records the layer

  private long size;
  private long ordinal = -1; // of the entry at hand, counting every entry as tar-split does
  private long entries;
  private long whiteouts;
  private long skipped;
  private boolean rootEntry;

  /** A directory whose owner, mode and times are set once every entry is in place. */
  private record DeferredDir(
      List<byte[]> path, int uid, int gid, int mode, long[] atime, long[] mtime) {}

  Extractor(Path root, ApplyOptions options, LowerView lowers, Path replacedFiles)
      throws IOException {
    this.fs = new RootFs(root);
    this.options = options;
    this.euid = Posix.geteuid();
    this.egid = Posix.getegid();
    this.root = euid == 0;
    this.overlay = options.whiteouts() == WhiteoutFormat.OVERLAY;
    if (overlay && !this.root) {
      fs.close();
      throw CairnException.invalid("overlay whiteouts can only be written as root");
    }
    this.copyUp = overlay && lowers != null ? new CopyUp(fs, lowers) : null;
    this.replaced = replacedFiles == null ? null : new ReplacedFiles(replacedFiles);
    fs.replaced = replaced;
  }

  @Override
  public void entry(TarEntry e, InputStream payload) throws IOException {
    ordinal++;
    if (e.type() == TarEntry.Type.GLOBAL_HEADER) {
      return;
    }
    entries++;
    try {
      apply(e, payload);
    } catch (CairnException x) {
      throw x.in(
          "entry "
              + Names.display(e.rawName())); // named only on failure: most layers have many entries
    } catch (PosixException x) {
      throw new IOException("entry " + Names.display(e.rawName()) + ": " + x.getMessage(), x);
    }
  }

  private void apply(TarEntry e, InputStream payload) throws IOException {
    List<byte[]> path = Names.clean(e.rawName(), "the name");
    TarEntry.Type type = e.type();
    if (path.isEmpty()) {
      if (type != TarEntry.Type.DIRECTORY) {
        throw CairnException.invalid("the layer root must be a directory, not a " + type);
      }
      rootEntry = true;
      dirs.add(deferred(e, path));
      return;
    }
    byte[] base = path.getLast();
    if (Names.startsWith(base, Names.WHITEOUT_PREFIX)) {
      whiteout(path, base);
      return;
    }
    int uid = options.uidMap().toHost(e.uid(), "uid");
    int gid = options.gidMap().toHost(e.gid(), "gid");
    RootFs.Dir parent = fs.dir(path, path.size() - 1, true);
    switch (type) {
      case DIRECTORY -> directory(e, path, parent, base);
      case REGULAR -> regular(e, payload, parent, base, uid, gid);
      case HARDLINK -> hardlink(e, path, parent, base, uid, gid);
      case SYMLINK -> symlink(e, parent, base, uid, gid);
      case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> node(e, parent, base, uid, gid);
      default ->
          throw CairnException.invalid(
              "unsupported entry type " + CairnException.quote(new byte[] {e.typeflag()}));
    }
    String key = Names.key(parent.path(), base);
    fs.created.add(key);
    if (replaced != null && type == TarEntry.Type.REGULAR && e.size() > 0) {
      replaced.wrote(parent.path(), key, ordinal);
    }
  }

  private void whiteout(List<byte[]> path, byte[] base) throws IOException {
    whiteouts++;
    if (overlay) {
      overlayWhiteout(path, base);
      return;
    }
    if (java.util.Arrays.equals(base, Names.OPAQUE)) {
      RootFs.Dir dir = fs.dir(path, path.size() - 1, true);
      fs.makeOpaque(dir);
      return;
    }
    if (Names.startsWith(base, Names.WHITEOUT_META_PREFIX)) {
      return; // other AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): nothing to apply
    }
    byte[] target = java.util.Arrays.copyOfRange(base, Names.WHITEOUT_PREFIX.length, base.length);
    if (target.length == 0 || Names.isDot(target) || Names.isDotDot(target)) {
      throw CairnException.invalid(
          "whiteout " + Names.display(base) + " names no file (empty, . or ..)");
    }
    RootFs.Dir parent = fs.dir(path, path.size() - 1, false);
    if (parent == null) {
      return; // nothing below to hide
    }
    FileStat st = Posix.lstatIfExists(parent.fd(), target);
    if (st != null) {
      fs.removeAll(parent, target, st); // a symlink is removed itself, never its target
    }
  }

  /**
   * Records a whiteout in an overlayfs upper directory: the names below live in lower layers, so
   * nothing is deleted; overlayfs hides them when it meets the marker.
   */
  private void overlayWhiteout(List<byte[]> path, byte[] base) throws IOException {
    RootFs.Dir parent = fs.dir(path, path.size() - 1, true);
    if (java.util.Arrays.equals(base, Names.OPAQUE)) {
      Posix.lsetxattr(parent.fd(), DOT, WhiteoutFormat.OPAQUE_XATTR, new byte[] {'y'});
      if (copyUp != null) {
        copyUp.opaque(parent);
      }
      return;
    }
    if (Names.startsWith(base, Names.WHITEOUT_META_PREFIX)) {
      return;
    }
    byte[] target = java.util.Arrays.copyOfRange(base, Names.WHITEOUT_PREFIX.length, base.length);
    if (target.length == 0 || Names.isDot(target) || Names.isDotDot(target)) {
      throw CairnException.invalid(
          "whiteout " + Names.display(base) + " names no file (empty, . or ..)");
    }
    replaceExisting(parent, target); // this layer's own earlier entry goes too
    Posix.mknodat(parent.fd(), target, Posix.S_IFCHR, 0, 0);
    fs.created.add(Names.key(parent.path(), target));
  }

  private static final byte[] DOT = {'.'};

  private void directory(TarEntry e, List<byte[]> path, RootFs.Dir parent, byte[] base)
      throws IOException {
    FileStat st = Posix.lstatIfExists(parent.fd(), base);
    boolean replaced = false;
    if (st != null && !st.isDirectory()) {
      fs.removeAll(parent, base, st);
      st = null;
      replaced = true;
    }
    if (st == null) {
      // Owner-writable until finish(), so that entries can still be created inside.
      Posix.mkdirat(parent.fd(), base, 0700);
      if (replaced && overlay) {
        // What it replaced hid the lower layers' directory of that name: so must it.
        Posix.lsetxattr(parent.fd(), base, WhiteoutFormat.OPAQUE_XATTR, new byte[] {'y'});
      }
    }
    setXattrsAt(e, parent, base);
    dirs.add(deferred(e, path));
  }

  private DeferredDir deferred(TarEntry e, List<byte[]> path) {
    int uid = options.uidMap().toHost(e.uid(), "uid");
    int gid = options.gidMap().toHost(e.gid(), "gid");
    return new DeferredDir(path, uid, gid, (int) (e.mode() & 07777), atime(e), mtime(e));
  }

  private void regular(
      TarEntry e, InputStream payload, RootFs.Dir parent, byte[] base, int uid, int gid)
      throws IOException {
    int mode = (int) (e.mode() & 07777);
    int fd = createFile(parent, base, mode & 0777);
    try {
      long left = e.size();
      while (left > 0) {
        int n = payload.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw CairnException.invalid("the archive ends inside the file's content");
        }
        Posix.writeFully(fd, buffer, 0, n);
        left -= n;
      }
      size += e.size();
      boolean chowned = false;
      if (root && (uid != euid || gid != egid || parent.setgid())) {
        Posix.fchown(fd, uid, gid);
        chowned = true;
      }
      // chown clears set-id bits, and creation applied the umask: set the mode when either matters
      if ((mode & ~0777) != 0 || (mode & umask()) != 0 || (chowned && (mode & 06000) != 0)) {
        Posix.fchmod(fd, mode);
      }
      Map<String, byte[]> xattrs = e.xattrs();
      for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
        setXattr(() -> Posix.fsetxattr(fd, x.getKey(), x.getValue()), x.getKey());
      }
      long[] m = mtime(e);
      long[] a = atime(e);
      Posix.futimens(fd, a[0], (int) a[1], m[0], (int) m[1]);
    } finally {
      Posix.close(fd);
    }
  }

  private int createFile(RootFs.Dir parent, byte[] base, int mode) throws IOException {
    try {
      return Posix.openat(parent.fd(), base, FILE_FLAGS, mode);
    } catch (PosixException x) {
      if (x.errno() != Posix.EEXIST) {
        throw x;
      }
    }
    replaceExisting(parent, base);
    return Posix.openat(parent.fd(), base, FILE_FLAGS, mode);
  }

  /** Removes what has the name of a new non-directory entry (a directory with its content). */
  private void replaceExisting(RootFs.Dir parent, byte[] base) throws IOException {
    FileStat st = Posix.lstatIfExists(parent.fd(), base);
    if (st != null) {
      fs.removeAll(parent, base, st);
    }
  }

  private void hardlink(
      TarEntry e, List<byte[]> path, RootFs.Dir parent, byte[] base, int uid, int gid)
      throws IOException {
    List<byte[]> target =
        Names.clean(e.rawLinkname(), "the link target " + Names.display(e.rawLinkname()));
    if (target.isEmpty()) {
      throw CairnException.invalid("hard link to the layer root");
    }
    RootFs.Dir targetDir = fs.dir(target, target.size() - 1, false);
    FileStat targetSt =
        targetDir == null ? null : Posix.lstatIfExists(targetDir.fd(), target.getLast());
    if (copyUp != null && (targetSt == null || CopyUp.whiteout(targetSt))) {
      target = copyUp.find(target, e.rawLinkname()); // copied up when only the layers below have it
      targetDir = target == null ? null : fs.dir(target, target.size() - 1, false);
      targetSt = targetDir == null ? null : Posix.lstatIfExists(targetDir.fd(), target.getLast());
    }
    if (targetSt == null) {
      throw CairnException.invalid(
          "hard link target " + Names.display(e.rawLinkname()) + " does not exist");
    }
    if (targetSt.isDirectory()) {
      throw CairnException.invalid(
          "hard link target " + Names.display(e.rawLinkname()) + " is a directory");
    }
    // Resolving the target may have evicted the parent from the cache: resolve it again.
    parent = fs.dir(path, path.size() - 1, true);
    FileStat st = Posix.lstatIfExists(parent.fd(), base);
    boolean already = st != null && st.ino() == targetSt.ino() && st.dev() == targetSt.dev();
    if (!already) {
      if (st != null) {
        fs.removeAll(parent, base, st);
        targetDir = fs.dir(target, target.size() - 1, false);
        if (targetDir == null || Posix.lstatIfExists(targetDir.fd(), target.getLast()) == null) {
          // The target lay under the name being replaced: docker's link(2) fails the same way.
          throw CairnException.invalid(
              "hard link target "
                  + Names.display(e.rawLinkname())
                  + " was removed with what the link replaces");
        }
      }
      try {
        Posix.linkat(targetDir.fd(), target.getLast(), parent.fd(), base);
      } catch (PosixException x) {
        if (x.errno() != Posix.EPERM) {
          throw x;
        }
        // The layer's own links and symlinks made this link impossible (its name resolves under
        // its target, which the link's own directories replaced); docker's link(2) fails too.
        throw CairnException.invalid(
            "cannot hard link to " + Names.display(e.rawLinkname()) + ": " + x.getMessage());
      }
    }
    linkHeader(e, fs.dir(path, path.size() - 1, true), base, uid, gid, targetSt.isSymlink());
  }

  /**
   * Gives the linked file the link entry's owner, xattrs, mode and times, in that order, as docker
   * does after every entry (pkg/archive createTarFile): the file ends as the link's header says. A
   * linked symlink takes the owner and xattrs only, as docker leaves its mode and times alone.
   */
  private void linkHeader(
      TarEntry e, RootFs.Dir parent, byte[] base, int uid, int gid, boolean symlink)
      throws IOException {
    if (root) {
      Posix.fchownat(parent.fd(), base, uid, gid, Posix.AT_SYMLINK_NOFOLLOW);
    }
    setXattrsAt(e, parent, base);
    if (symlink) {
      return;
    }
    Posix.fchmodat(parent.fd(), base, (int) (e.mode() & 07777)); // after chown: set-id bits stay
    long[] m = mtime(e);
    long[] a = atime(e);
    Posix.utimensat(
        parent.fd(), base, a[0], (int) a[1], m[0], (int) m[1], Posix.AT_SYMLINK_NOFOLLOW);
  }

  private void symlink(TarEntry e, RootFs.Dir parent, byte[] base, int uid, int gid)
      throws IOException {
    if (e.rawLinkname().length == 0) {
      // No file system holds one (symlink(2) fails with ENOENT, so docker's apply fails too).
      throw CairnException.invalid("symbolic link with an empty target");
    }
    if (e.rawLinkname().length >= PATH_MAX) {
      // symlink(2) takes a target shorter than PATH_MAX, and fails with ENAMETOOLONG as docker's
      // apply does.
      throw CairnException.invalid(
          "symbolic link target of "
              + e.rawLinkname().length
              + " bytes is longer than "
              + (PATH_MAX - 1));
    }
    replaceExisting(parent, base);
    Posix.symlinkat(e.rawLinkname(), parent.fd(), base);
    size += e.rawLinkname().length; // its lstat size, which docker's layer size counts
    if (root && (uid != euid || gid != egid || parent.setgid())) {
      Posix.fchownat(parent.fd(), base, uid, gid, Posix.AT_SYMLINK_NOFOLLOW);
    }
    setXattrsAt(e, parent, base);
    long[] m = mtime(e);
    long[] a = atime(e);
    Posix.utimensat(
        parent.fd(), base, a[0], (int) a[1], m[0], (int) m[1], Posix.AT_SYMLINK_NOFOLLOW);
  }

  private void node(TarEntry e, RootFs.Dir parent, byte[] base, int uid, int gid)
      throws IOException {
    int typeBits =
        switch (e.type()) {
          case CHAR_DEVICE -> Posix.S_IFCHR;
          case BLOCK_DEVICE -> Posix.S_IFBLK;
          default -> Posix.S_IFIFO;
        };
    if (typeBits != Posix.S_IFIFO) {
      if (e.devMajor() < 0
          || e.devMajor() > Posix.MAX_DEV_MAJOR
          || e.devMinor() < 0
          || e.devMinor() > Posix.MAX_DEV_MINOR) {
        throw CairnException.invalid(
            "device number " + e.devMajor() + ":" + e.devMinor() + " is out of range");
      }
      if (!root) {
        skipped++;
        return;
      }
    }
    replaceExisting(parent, base);
    int mode = (int) (e.mode() & 07777);
    Posix.mknodat(parent.fd(), base, typeBits | (mode & 0777), e.devMajor(), e.devMinor());
    if (root && (uid != euid || gid != egid || parent.setgid())) {
      Posix.fchownat(parent.fd(), base, uid, gid, Posix.AT_SYMLINK_NOFOLLOW);
    }
    if ((mode & ~0777) != 0 || (mode & umask()) != 0) {
      Posix.fchmodat(parent.fd(), base, mode); // just created by us: not a symlink
    }
    setXattrsAt(e, parent, base);
    long[] m = mtime(e);
    long[] a = atime(e);
    Posix.utimensat(
        parent.fd(), base, a[0], (int) a[1], m[0], (int) m[1], Posix.AT_SYMLINK_NOFOLLOW);
  }

  private void setXattrsAt(TarEntry e, RootFs.Dir parent, byte[] base) throws IOException {
    Map<String, byte[]> xattrs = e.xattrs();
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      setXattr(() -> Posix.lsetxattr(parent.fd(), base, x.getKey(), x.getValue()), x.getKey());
    }
  }

  private interface XattrCall {
    void run() throws PosixException;
  }

  private void setXattr(XattrCall call, String name) throws PosixException {
    if (overlay && name.startsWith(OVERLAY_XATTR_PREFIX)) {
      skipped++; // a layer may not steer overlayfs (redirects, opaque flags) through its xattrs
      return;
    }
    try {
      call.run();
    } catch (PosixException x) {
      // Skipped as docker skips them: a file system without xattrs; an xattr not ours to set
      // (trusted.* or security.* when not root, user.* on a symlink, which a hard link may name).
      if (x.errno() == Posix.EOPNOTSUPP || x.errno() == Posix.EPERM) {
        skipped++;
        return;
      }
      throw x;
    }
  }

  private static final String OVERLAY_XATTR_PREFIX = "trusted.overlay.";

  private int umask() {
    return fs.umask;
  }

  private static long[] mtime(TarEntry e) {
    Instant t = e.mtime();
    return new long[] {t.getEpochSecond(), t.getNano()};
  }

  /** The PAX access time when present and not before the modification time, else the latter. */
  private static long[] atime(TarEntry e) {
    long[] m = mtime(e);
    String v = e.pax().get("atime");
    if (v != null) {
      try {
        BigDecimal d = new BigDecimal(v);
        long sec = d.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        int nanos = d.subtract(BigDecimal.valueOf(sec)).movePointRight(9).intValue();
        if (sec > m[0] || (sec == m[0] && nanos >= m[1])) {
          return new long[] {sec, nanos};
        }
      } catch (ArithmeticException | NumberFormatException ignored) {
        // an unreadable atime is not worth failing the layer for
      }
    }
    return m;
  }

  /**
   * Sets directory owners, modes and times, deepest and latest first; of a directory named twice,
   * the later entry's.
   */
  ApplyStats finish() throws IOException {
    java.util.Set<String> done = new java.util.HashSet<>();
    for (int i = dirs.size() - 1; i >= 0; i--) {
      DeferredDir d = dirs.get(i);
      if (!done.add(d.path().isEmpty() ? "" : Names.key(d.path(), d.path().size()))) {
        continue;
      }
      try {
        finishDir(d);
      } catch (PosixException x) {
        throw new IOException("entry " + Names.display(d.path()) + ": " + x.getMessage(), x);
      }
    }
    dirs.clear();
    return new ApplyStats(size, entries, whiteouts, skipped, rootEntry);
  }

  record ApplyStats(long size, long entries, long whiteouts, long skipped, boolean rootEntry) {}

  private void finishDir(DeferredDir d) throws IOException {
    RootFs.Dir parent;
    byte[] base;
    if (d.path().isEmpty()) {
      parent = fs.root();
      base = new byte[] {'.'};
    } else {
      parent = fs.dir(d.path(), d.path().size() - 1, false);
      base = d.path().getLast();
      if (parent == null) {
        return; // removed later in the layer
      }
      FileStat st = Posix.lstatIfExists(parent.fd(), base);
      if (st == null || !st.isDirectory()) {
        return; // replaced later in the layer; never chmod through a symlink
      }
    }
    if (root) {
      Posix.fchownat(parent.fd(), base, d.uid(), d.gid(), Posix.AT_SYMLINK_NOFOLLOW);
    }
    Posix.fchmodat(parent.fd(), base, d.mode());
    Posix.utimensat(
        parent.fd(),
        base,
        d.atime()[0],
        (int) d.atime()[1],
        d.mtime()[0],
        (int) d.mtime()[1],
        Posix.AT_SYMLINK_NOFOLLOW);
  }

  @Override
  public void close() throws IOException {
    try (fs;
        ReplacedFiles r = replaced) {
      if (copyUp != null) {
        copyUp.close();
      }
    }
  }
}
