package dev.cairn.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The few Linux libc calls the JDK lacks, bound with the foreign function API.
 *
 * <p>Names are raw bytes (no terminating NUL) so that any name a tar can hold, UTF-8 or not,
 * reaches the file system unchanged; every call that takes a directory descriptor resolves the name
 * relative to it ({@link #AT_FDCWD} for the working directory). Failures throw {@link
 * PosixException} with the errno. Needs {@code --enable-native-access=ALL-UNNAMED}.
 */
public final class Posix {
  private Posix() {}

  public static final int AT_FDCWD = -100;
  public static final int AT_SYMLINK_NOFOLLOW = 0x100;
  public static final int AT_REMOVEDIR = 0x200;
  public static final int AT_EMPTY_PATH = 0x1000;

  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_CREAT = 0100;
  public static final int O_EXCL = 0200;
  public static final int O_TRUNC = 01000;
  public static final int O_NOCTTY = 0400;
  public static final int O_NONBLOCK = 04000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_PATH = 010000000;
  public static final int O_DIRECTORY;
  public static final int O_NOFOLLOW;

  public static final int S_IFMT = 0170000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFIFO = 0010000;

  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EINTR = 4;
  public static final int EACCES = 13;
  public static final int EEXIST = 17;
  public static final int EXDEV = 18;
  public static final int ENOTDIR = 20;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int ERANGE = 34;
  public static final int ENAMETOOLONG = 36;
  public static final int ENOTEMPTY = 39;
  public static final int ELOOP = 40;
  public static final int EBUSY = 16;
  public static final int ENOSYS = 38;
  public static final int ENODATA = 61;
  public static final int EOPNOTSUPP = 95;

  public static final int MNT_DETACH = 2;

  /** Largest major and minor device numbers the Linux kernel can represent (12 and 20 bits). */
  public static final int MAX_DEV_MAJOR = 0xfff;

  public static final int MAX_DEV_MINOR = 0xfffff;

  private static final long UTIME_OMIT = (1L << 30) - 2;

  static {
    // O_DIRECTORY and O_NOFOLLOW are the only open flags whose values differ between our targets.
    String arch = System.getProperty("os.arch");
    switch (arch) {
      case "amd64", "x86_64", "riscv64", "s390x" -> {
        O_DIRECTORY = 0200000;
        O_NOFOLLOW = 0400000;
      }
      case "aarch64", "arm64", "ppc64le" -> {
        O_DIRECTORY = 040000;
        O_NOFOLLOW = 0100000;
      }
      default -> throw new ExceptionInInitializerError("unsupported architecture " + arch);
    }
  }

  /**
   * The linker and the C library, looked up on first use: the first link costs tens of
   * milliseconds, which commands that never call libc should not pay.
   */
  private static final class Libc {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO =
        CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  }

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  private static final ValueLayout PTR = ValueLayout.ADDRESS;

  private static MethodHandle errnoCall(String name, ValueLayout ret, MemoryLayout... args) {
    MemorySegment symbol =
        Libc.LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc lacks " + name));
    return Libc.LINKER.downcallHandle(
        symbol, FunctionDescriptor.of(ret, args), Linker.Option.captureCallState("errno"));
  }

  private static MethodHandle plainCall(String name, FunctionDescriptor fd) {
    MemorySegment symbol =
        Libc.LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc lacks " + name));
    return Libc.LINKER.downcallHandle(symbol, fd);
  }

  // One holder class per call: a call is linked when first made (each new shape of call costs
  // milliseconds to link, and a command makes only some of them), and a static final handle stays
  // a constant to the JIT.
  private static final class Openat {
    // int openat(int dirfd, const char *path, int flags, mode_t mode): variadic, the mode an int.
    static final MethodHandle HANDLE =
        Libc.LINKER.downcallHandle(
            Libc.LOOKUP.find("openat").orElseThrow(),
            FunctionDescriptor.of(INT, INT, PTR, INT, INT),
            Linker.Option.firstVariadicArg(3),
            Linker.Option.captureCallState("errno"));
  }

  private static final class Close {
    static final MethodHandle HANDLE = errnoCall("close", INT, INT);
  }

  private static final class Syncfs {
    static final MethodHandle HANDLE = errnoCall("syncfs", INT, INT);
  }

  private static final class Mkdirat {
    static final MethodHandle HANDLE = errnoCall("mkdirat", INT, INT, PTR, INT);
  }

  private static final class Symlinkat {
    static final MethodHandle HANDLE = errnoCall("symlinkat", INT, PTR, INT, PTR);
  }

  private static final class Linkat {
    static final MethodHandle HANDLE = errnoCall("linkat", INT, INT, PTR, INT, PTR, INT);
  }

  private static final class Unlinkat {
    static final MethodHandle HANDLE = errnoCall("unlinkat", INT, INT, PTR, INT);
  }

  private static final class Renameat {
    static final MethodHandle HANDLE = errnoCall("renameat", INT, INT, PTR, INT, PTR);
  }

  private static final class Fchownat {
    static final MethodHandle HANDLE = errnoCall("fchownat", INT, INT, PTR, INT, INT, INT);
  }

  private static final class Fchown {
    static final MethodHandle HANDLE = errnoCall("fchown", INT, INT, INT, INT);
  }

  private static final class Fchmodat {
    static final MethodHandle HANDLE = errnoCall("fchmodat", INT, INT, PTR, INT, INT);
  }

  private static final class Fchmod {
    static final MethodHandle HANDLE = errnoCall("fchmod", INT, INT, INT);
  }

  private static final class Utimensat {
    static final MethodHandle HANDLE = errnoCall("utimensat", INT, INT, PTR, PTR, INT);
  }

  private static final class Futimens {
    static final MethodHandle HANDLE = errnoCall("futimens", INT, INT, PTR);
  }

  private static final class Mknodat {
    static final MethodHandle HANDLE = errnoCall("mknodat", INT, INT, PTR, INT, LONG);
  }

  private static final class Statx {
    static final MethodHandle HANDLE = errnoCall("statx", INT, INT, PTR, INT, INT, PTR);
  }

  private static final class Readlinkat {
    static final MethodHandle HANDLE = errnoCall("readlinkat", LONG, INT, PTR, PTR, LONG);
  }

  private static final class Write {
    static final MethodHandle HANDLE = errnoCall("write", LONG, INT, PTR, LONG);
  }

  private static final class Read {
    static final MethodHandle HANDLE = errnoCall("read", LONG, INT, PTR, LONG);
  }

  private static final class ReadHeap {
    // read(2) straight into a Java array, as WriteHeap writes from one.
    static final MethodHandle HANDLE =
        Libc.LINKER.downcallHandle(
            Libc.LOOKUP.find("read").orElseThrow(),
            FunctionDescriptor.of(LONG, INT, PTR, LONG),
            Linker.Option.critical(true),
            Linker.Option.captureCallState("errno"));
  }

  private static final class CopyFileRange {
    static final MethodHandle HANDLE =
        errnoCall("copy_file_range", LONG, INT, PTR, INT, PTR, LONG, INT);
  }

  private static final class WriteHeap {
    // write(2) straight from a Java array: no copy into native memory for file content.
    static final MethodHandle HANDLE =
        Libc.LINKER.downcallHandle(
            Libc.LOOKUP.find("write").orElseThrow(),
            FunctionDescriptor.of(LONG, INT, PTR, LONG),
            Linker.Option.critical(true),
            Linker.Option.captureCallState("errno"));
  }

  private static final class Lsetxattr {
    static final MethodHandle HANDLE = errnoCall("lsetxattr", INT, PTR, PTR, PTR, LONG, INT);
  }

  private static final class Fsetxattr {
    static final MethodHandle HANDLE = errnoCall("fsetxattr", INT, INT, PTR, PTR, LONG, INT);
  }

  private static final class Lgetxattr {
    static final MethodHandle HANDLE = errnoCall("lgetxattr", LONG, PTR, PTR, PTR, LONG);
  }

  private static final class Llistxattr {
    static final MethodHandle HANDLE = errnoCall("llistxattr", LONG, PTR, PTR, LONG);
  }

  private static final class Fdopendir {
    static final MethodHandle HANDLE = errnoCall("fdopendir", PTR, INT);
  }

  private static final class Readdir {
    static final MethodHandle HANDLE = errnoCall("readdir", PTR, PTR);
  }

  private static final class Closedir {
    static final MethodHandle HANDLE = errnoCall("closedir", INT, PTR);
  }

  private static final class Mount {
    static final MethodHandle HANDLE = errnoCall("mount", INT, PTR, PTR, PTR, LONG, PTR);
  }

  private static final class Umount2 {
    static final MethodHandle HANDLE = errnoCall("umount2", INT, PTR, INT);
  }

  private static final class Geteuid {
    static final MethodHandle HANDLE = plainCall("geteuid", FunctionDescriptor.of(INT));
  }

  private static final class Isatty {
    static final MethodHandle HANDLE = plainCall("isatty", FunctionDescriptor.of(INT, INT));
  }

  private static final class Getegid {
    static final MethodHandle HANDLE = plainCall("getegid", FunctionDescriptor.of(INT));
  }

  private static final class ErrnoLocation {
    static final MethodHandle HANDLE = plainCall("__errno_location", FunctionDescriptor.of(PTR));
  }

  private static final class Strerror {
    static final MethodHandle HANDLE = plainCall("strerror", FunctionDescriptor.of(PTR, INT));
  }

  /** The text of an errno value, as {@code strerror} gives it. */
  static String strerror(int errno) {
    try {
      MemorySegment s = (MemorySegment) Strerror.HANDLE.invokeExact(errno);
      return s.reinterpret(1024).getString(0);
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }

  /** A name for messages: quoted, with what is not printable UTF-8 escaped. */
  public static String display(byte[] name) {
    return dev.cairn.CairnException.quote(name);
  }

  /** The bytes of a name given as text (UTF-8). */
  public static byte[] bytes(String name) {
    return name.getBytes(StandardCharsets.UTF_8);
  }

  private static MemorySegment cstring(Arena arena, byte[] name) {
    MemorySegment s = arena.allocate(name.length + 1L);
    MemorySegment.copy(name, 0, s, ValueLayout.JAVA_BYTE, 0, name.length);
    s.set(ValueLayout.JAVA_BYTE, name.length, (byte) 0);
    return s;
  }

  private static int errno(MemorySegment state) {
    return (int) Libc.ERRNO.get(state, 0L);
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  private static void check(int rc, MemorySegment state, String call, byte[] name)
      throws PosixException {
    if (rc < 0) { // the name is decoded for the message only
      throw new PosixException(call, display(name), errno(state));
    }
  }

  private static void check(int rc, MemorySegment state, String call, String what)
      throws PosixException {
    if (rc < 0) {
      throw new PosixException(call, what, errno(state));
    }
  }

  private static void check(int rc, MemorySegment state, String call, int fd)
      throws PosixException {
    if (rc < 0) { // the descriptor is named for the message only: these run once per file
      throw new PosixException(call, fdName(fd), errno(state));
    }
  }

  /** {@code openat(2)}; returns the new descriptor. {@code O_CLOEXEC} is always added. */
  public static int openat(int dirfd, byte[] name, int flags, int mode) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      MemorySegment path = scratch.name1(name);
      while (true) {
        int fd = (int) Openat.HANDLE.invokeExact(state, dirfd, path, flags | O_CLOEXEC, mode);
        if (fd >= 0) {
          return fd;
        }
        if (errno(state) != EINTR) { // opening a FIFO may be interrupted
          throw new PosixException("open", display(name), errno(state));
        }
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code syncfs(2)}: forces everything written to the file system that holds {@code dir} to disk,
   * in one call (cheaper than an fsync per file of a layer).
   */
  public static void syncfs(String dir) throws PosixException {
    int fd = openat(AT_FDCWD, bytes(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CAPTURE);
      int rc = (int) Syncfs.HANDLE.invokeExact(state, fd);
      if (rc < 0) {
        throw new PosixException("syncfs", dir, errno(state));
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    } finally {
      close(fd);
    }
  }

  /** {@code close(2)}. */
  public static void close(int fd) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      int rc = (int) Close.HANDLE.invokeExact(state, fd);
      if (rc < 0 && errno(state) != EINTR) {
        throw new PosixException("close", "fd " + fd, errno(state));
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code mkdirat(2)}. */
  public static void mkdirat(int dirfd, byte[] name, int mode) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      check(
          (int) Mkdirat.HANDLE.invokeExact(state, dirfd, scratch.name1(name), mode),
          state,
          "mkdir",
          name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code symlinkat(2)}: creates {@code name} holding {@code target} verbatim. */
  public static void symlinkat(byte[] target, int dirfd, byte[] name) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      check(
          (int)
              Symlinkat.HANDLE.invokeExact(
                  state, scratch.name1(target), dirfd, scratch.name2(name)),
          state,
          "symlink",
          name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code linkat(2)} without {@code AT_SYMLINK_FOLLOW}: a link to a symlink links the symlink
   * itself.
   */
  public static void linkat(int olddirfd, byte[] oldname, int newdirfd, byte[] newname)
      throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      check(
          (int)
              Linkat.HANDLE.invokeExact(
                  state, olddirfd, scratch.name1(oldname), newdirfd, scratch.name2(newname), 0),
          state,
          "link",
          newname);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code unlinkat(2)}; {@code flags} is 0 or {@link #AT_REMOVEDIR}. */
  public static void unlinkat(int dirfd, byte[] name, int flags) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      check(
          (int) Unlinkat.HANDLE.invokeExact(state, dirfd, scratch.name1(name), flags),
          state,
          "unlink",
          name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code renameat(2)}. */
  public static void renameat(int olddirfd, byte[] oldname, int newdirfd, byte[] newname)
      throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      check(
          (int)
              Renameat.HANDLE.invokeExact(
                  state, olddirfd, scratch.name1(oldname), newdirfd, scratch.name2(newname)),
          state,
          "rename",
          oldname);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code fchownat(2)}; pass {@link #AT_SYMLINK_NOFOLLOW} to change a symlink itself. */
  public static void fchownat(int dirfd, byte[] name, int uid, int gid, int flags)
      throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      check(
          (int) Fchownat.HANDLE.invokeExact(state, dirfd, scratch.name1(name), uid, gid, flags),
          state,
          "chown",
          name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code fchown(2)}. */
  public static void fchown(int fd, int uid, int gid) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      check((int) Fchown.HANDLE.invokeExact(state, fd, uid, gid), state, "chown", fd);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code fchmodat(2)} with no flags. It follows a final symlink, so callers check the type first
   * (Linux cannot change a symlink's mode anyway).
   */
  public static void fchmodat(int dirfd, byte[] name, int mode) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      check(
          (int) Fchmodat.HANDLE.invokeExact(state, dirfd, scratch.name1(name), mode, 0),
          state,
          "chmod",
          name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code fchmod(2)}. */
  public static void fchmod(int fd, int mode) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      check((int) Fchmod.HANDLE.invokeExact(state, fd, mode), state, "chmod", fd);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static MemorySegment timespecs(
      MemorySegment times, long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec) {
    boolean omit = atimeSec == Long.MIN_VALUE;
    times.set(LONG, 0, omit ? 0L : atimeSec);
    times.set(LONG, 8, omit ? UTIME_OMIT : atimeNsec);
    times.set(LONG, 16, mtimeSec);
    times.set(LONG, 24, mtimeNsec);
    return times;
  }

  /**
   * {@code utimensat(2)}, nanosecond times; pass {@link #AT_SYMLINK_NOFOLLOW} to set a symlink's
   * own times. An {@code atimeSec} of {@link Long#MIN_VALUE} leaves the access time alone.
   */
  public static void utimensat(
      int dirfd, byte[] name, long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec, int flags)
      throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      MemorySegment times = timespecs(scratch.times, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
      check(
          (int) Utimensat.HANDLE.invokeExact(state, dirfd, scratch.name1(name), times, flags),
          state,
          "utimensat",
          name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code futimens(3)}; same time conventions as {@link #utimensat}. */
  public static void futimens(int fd, long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec)
      throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      MemorySegment times = timespecs(scratch.times, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
      check((int) Futimens.HANDLE.invokeExact(state, fd, times), state, "futimens", fd);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** glibc's {@code makedev}: the 64-bit {@code dev_t} of a major and minor number. */
  public static long makedev(long major, long minor) {
    return ((major & 0xfffff000L) << 32)
        | ((major & 0xfffL) << 8)
        | ((minor & 0xffffff00L) << 12)
        | (minor & 0xffL);
  }

  /**
   * {@code mknodat(2)}: a device, FIFO or socket node; {@code mode} includes the type bits. Refuses
   * device numbers the kernel cannot hold before calling it.
   */
  public static void mknodat(int dirfd, byte[] name, int mode, long major, long minor)
      throws PosixException {
    if (major < 0 || major > MAX_DEV_MAJOR || minor < 0 || minor > MAX_DEV_MINOR) {
      throw new PosixException("mknod", display(name) + " " + major + ":" + minor, ERANGE);
    }
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      check(
          (int)
              Mknodat.HANDLE.invokeExact(
                  state, dirfd, scratch.name1(name), mode, makedev(major, minor)),
          state,
          "mknod",
          name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static final int STATX_BASIC_STATS = 0x7ff;

  /**
   * {@code statx(2)} of {@code name} relative to {@code dirfd}, never following a final symlink; an
   * empty name with {@code AT_EMPTY_PATH} semantics describes {@code dirfd} itself.
   */
  public static FileStat lstatat(int dirfd, byte[] name) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      MemorySegment buf = scratch.stat;
      int flags = AT_SYMLINK_NOFOLLOW | (name.length == 0 ? AT_EMPTY_PATH : 0);
      check(
          (int)
              Statx.HANDLE.invokeExact(
                  state, dirfd, scratch.name1(name), flags, STATX_BASIC_STATS, buf),
          state,
          "stat",
          name);
      // struct statx is the same on every architecture (linux/stat.h).
      return new FileStat(
          Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, 28)),
          buf.get(INT, 20),
          buf.get(INT, 24),
          buf.get(LONG, 40),
          buf.get(INT, 16),
          buf.get(LONG, 32),
          ((long) buf.get(INT, 136) << 32) | Integer.toUnsignedLong(buf.get(INT, 140)),
          buf.get(LONG, 112),
          buf.get(INT, 120),
          buf.get(LONG, 64),
          buf.get(INT, 72),
          buf.get(INT, 128),
          buf.get(INT, 132));
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Like {@link #lstatat} but answers null when nothing has that name. */
  public static FileStat lstatIfExists(int dirfd, byte[] name) throws PosixException {
    try {
      return lstatat(dirfd, name);
    } catch (PosixException e) {
      if (e.errno() == ENOENT) {
        return null;
      }
      throw e;
    }
  }

  /** {@code readlinkat(2)}: the target bytes of a symlink. */
  public static byte[] readlinkat(int dirfd, byte[] name) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CAPTURE);
      MemorySegment path = cstring(arena, name);
      for (long size = 256; ; size *= 4) {
        MemorySegment buf = arena.allocate(size);
        long n = (long) Readlinkat.HANDLE.invokeExact(state, dirfd, path, buf, size);
        if (n < 0) {
          throw new PosixException("readlink", display(name), errno(state));
        }
        if (n < size) {
          return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
        if (size > 1 << 20) {
          throw new PosixException("readlink", display(name), ERANGE);
        }
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code write(2)} of all {@code len} bytes of {@code buf}, retrying short writes. */
  public static void writeFully(int fd, MemorySegment buf, long len) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      long off = 0;
      while (off < len) {
        long n = (long) Write.HANDLE.invokeExact(state, fd, buf.asSlice(off), len - off);
        if (n < 0) {
          if (errno(state) == EINTR) {
            continue;
          }
          throw new PosixException("write", fdName(fd), errno(state));
        }
        off += n;
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code write(2)} of {@code len} bytes of an array from {@code off}, retrying short writes. */
  public static void writeFully(int fd, byte[] b, int off, int len) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      MemorySegment heap = MemorySegment.ofArray(b);
      long pos = off;
      long end = (long) off + len;
      while (pos < end) {
        long n = (long) WriteHeap.HANDLE.invokeExact(state, fd, heap.asSlice(pos), end - pos);
        if (n < 0) {
          if (errno(state) == EINTR) {
            continue;
          }
          throw new PosixException("write", fdName(fd), errno(state));
        }
        pos += n;
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code read(2)} into an array from {@code off}; returns the count, 0 at the end. */
  public static int read(int fd, byte[] b, int off, int len) throws PosixException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      MemorySegment heap = MemorySegment.ofArray(b).asSlice(off, len);
      while (true) {
        long n = (long) ReadHeap.HANDLE.invokeExact(state, fd, heap, (long) len);
        if (n >= 0) {
          return (int) n;
        }
        if (errno(state) != EINTR) {
          throw new PosixException("read", fdName(fd), errno(state));
        }
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code read(2)} into {@code buf}; returns the count, 0 at the end. */
  public static long read(int fd, MemorySegment buf, long len) throws PosixException {
    Scratch scratch = Scratch.current();
    try {
      MemorySegment state = scratch.state;
      while (true) {
        long n = (long) Read.HANDLE.invokeExact(state, fd, buf, len);
        if (n >= 0) {
          return n;
        }
        if (errno(state) != EINTR) {
          throw new PosixException("read", fdName(fd), errno(state));
        }
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code copy_file_range(2)} of up to {@code len} bytes from the current offset of {@code in} to
   * that of {@code out}, in the kernel (a reflink where the file system shares extents); returns
   * the count, 0 at the end of {@code in}. Fails with {@link #EXDEV}, {@link #EINVAL} or {@link
   * #EOPNOTSUPP} where the kernel cannot copy between the two, for the caller to fall back.
   */
  public static long copyFileRange(int in, int out, long len) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CAPTURE);
      while (true) {
        long n =
            (long)
                CopyFileRange.HANDLE.invokeExact(
                    state, in, MemorySegment.NULL, out, MemorySegment.NULL, len, 0);
        if (n >= 0) {
          return n;
        }
        if (errno(state) != EINTR) {
          throw new PosixException("copy_file_range", fdName(in), errno(state));
        }
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static byte[] procPath(int dirfd, byte[] name) {
    byte[] prefix = ("/proc/self/fd/" + dirfd + "/").getBytes(StandardCharsets.US_ASCII);
    if (dirfd == AT_FDCWD || (name.length > 0 && name[0] == '/')) {
      return name;
    }
    byte[] path = new byte[prefix.length + name.length];
    System.arraycopy(prefix, 0, path, 0, prefix.length);
    System.arraycopy(name, 0, path, prefix.length, name.length);
    return path;
  }

  /**
   * {@code lsetxattr(2)} on {@code name} relative to {@code dirfd} (through {@code /proc/self/fd},
   * as Linux has no {@code *at} form before 6.13); never follows a final symlink.
   */
  public static void lsetxattr(int dirfd, byte[] name, String attr, byte[] value)
      throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CAPTURE);
      MemorySegment v = arena.allocate(Math.max(1, value.length));
      MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
      check(
          (int)
              Lsetxattr.HANDLE.invokeExact(
                  state,
                  cstring(arena, procPath(dirfd, name)),
                  cstring(arena, bytes(attr)),
                  v,
                  (long) value.length,
                  0),
          state,
          "setxattr " + attr,
          name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code fsetxattr(2)} on an open file. */
  public static void fsetxattr(int fd, String attr, byte[] value) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CAPTURE);
      MemorySegment v = arena.allocate(Math.max(1, value.length));
      MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
      check(
          (int)
              Fsetxattr.HANDLE.invokeExact(
                  state, fd, cstring(arena, bytes(attr)), v, (long) value.length, 0),
          state,
          "setxattr " + attr,
          fdName(fd));
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code lgetxattr(2)}; null when the file lacks the attribute. */
  public static byte[] lgetxattr(int dirfd, byte[] name, String attr) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CAPTURE);
      MemorySegment path = cstring(arena, procPath(dirfd, name));
      MemorySegment a = cstring(arena, bytes(attr));
      for (long size = 256; size <= 1 << 20; size *= 16) {
        MemorySegment buf = arena.allocate(size);
        long n = (long) Lgetxattr.HANDLE.invokeExact(state, path, a, buf, size);
        if (n >= 0) {
          return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
        if (errno(state) == ENODATA) {
          return null;
        }
        if (errno(state) != ERANGE) {
          throw new PosixException("getxattr " + attr, display(name), errno(state));
        }
      }
      throw new PosixException("getxattr " + attr, display(name), ERANGE);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code llistxattr(2)}: the attribute names of a file, not following a final symlink. */
  public static List<String> llistxattr(int dirfd, byte[] name) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CAPTURE);
      MemorySegment path = cstring(arena, procPath(dirfd, name));
      for (long size = 1024; size <= 1 << 20; size *= 16) {
        MemorySegment buf = arena.allocate(size);
        long n = (long) Llistxattr.HANDLE.invokeExact(state, path, buf, size);
        if (n >= 0) {
          List<String> names = new ArrayList<>();
          byte[] all = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
          int start = 0;
          for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
              if (i > start) {
                names.add(new String(all, start, i - start, StandardCharsets.UTF_8));
              }
              start = i + 1;
            }
          }
          return names;
        }
        if (errno(state) == EOPNOTSUPP) {
          return List.of();
        }
        if (errno(state) != ERANGE) {
          throw new PosixException("listxattr", display(name), errno(state));
        }
      }
      throw new PosixException("listxattr", display(name), ERANGE);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** One directory entry: its name and {@code d_type} (0 when the file system does not say). */
  public record DirEntry(byte[] name, int type) {}

  /** The d_type values. */
  public static final int DT_DIR = 4;

  public static final int DT_LNK = 10;

  /**
   * The entries of the directory open as {@code dirfd}, without {@code .} and {@code ..}; the
   * descriptor stays open and usable.
   */
  public static List<DirEntry> readdir(int dirfd) throws PosixException {
    // A fresh descriptor: dirfd may be O_PATH, which cannot be read, and closedir closes its own.
    int fd = openat(dirfd, new byte[] {'.'}, O_RDONLY | O_DIRECTORY, 0);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CAPTURE);
      MemorySegment dir = (MemorySegment) Fdopendir.HANDLE.invokeExact(state, fd);
      if (dir.address() == 0) {
        int errno = errno(state);
        close(fd);
        throw new PosixException("opendir", fdName(dirfd), errno);
      }
      List<DirEntry> entries = new ArrayList<>();
      try {
        MemorySegment errnoCell =
            ((MemorySegment) ErrnoLocation.HANDLE.invokeExact()).reinterpret(4);
        while (true) {
          errnoCell.set(INT, 0, 0); // readdir signals an error only through errno
          MemorySegment ent = (MemorySegment) Readdir.HANDLE.invokeExact(state, dir);
          if (ent.address() == 0) {
            if (errno(state) != 0) {
              throw new PosixException("readdir", fdName(dirfd), errno(state));
            }
            break;
          }
          // struct dirent on 64-bit glibc: d_ino, d_off, d_reclen (u16), d_type (u8), d_name.
          MemorySegment e = ent.reinterpret(19 + 256);
          int type = Byte.toUnsignedInt(e.get(ValueLayout.JAVA_BYTE, 18));
          MemorySegment nameSeg = e.asSlice(19);
          long len = 0;
          while (nameSeg.get(ValueLayout.JAVA_BYTE, len) != 0) {
            len++;
          }
          byte[] name = nameSeg.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
          if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
            continue;
          }
          entries.add(new DirEntry(name, type));
        }
      } finally {
        int rc = (int) Closedir.HANDLE.invokeExact(state, dir);
        if (rc < 0) {
          throw new PosixException("closedir", fdName(dirfd), errno(state));
        }
      }
      return entries;
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code mount(2)}; {@code source}, {@code fstype} and {@code data} may be null. */
  public static void mount(String source, String target, String fstype, long flags, String data)
      throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CAPTURE);
      // invokeExact needs MemorySegment-typed arguments, not a conditional's inferred type.
      MemorySegment src = source == null ? MemorySegment.NULL : cstring(arena, bytes(source));
      MemorySegment fs = fstype == null ? MemorySegment.NULL : cstring(arena, bytes(fstype));
      MemorySegment d = data == null ? MemorySegment.NULL : cstring(arena, bytes(data));
      int rc =
          (int) Mount.HANDLE.invokeExact(state, src, cstring(arena, bytes(target)), fs, flags, d);
      check(rc, state, "mount", bytes(target));
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code umount2(2)}; {@code flags} may be {@link #MNT_DETACH}. */
  public static void umount2(String target, int flags) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CAPTURE);
      check(
          (int) Umount2.HANDLE.invokeExact(state, cstring(arena, bytes(target)), flags),
          state,
          "umount",
          bytes(target));
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * Removes {@code name} under {@code parentFd} and everything beneath it, never following a
   * symlink (a link is removed, not its target).
   */
  public static void removeTree(int parentFd, byte[] name) throws PosixException {
    int fd = openat(parentFd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
    try {
      for (DirEntry e : readdir(fd)) {
        if (e.type() == DT_DIR) {
          removeTree(fd, e.name());
          continue;
        }
        try {
          unlinkat(fd, e.name(), 0);
        } catch (PosixException x) {
          if (x.errno() != EISDIR) { // d_type unknown on some file systems
            throw x;
          }
          removeTree(fd, e.name());
        }
      }
    } finally {
      close(fd);
    }
    unlinkat(parentFd, name, AT_REMOVEDIR);
  }

  /** Whether descriptor {@code fd} is a terminal (1 is standard output). */
  public static boolean isatty(int fd) {
    try {
      return (int) Isatty.HANDLE.invokeExact(fd) == 1;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** The effective user ID of this process. */
  public static int geteuid() {
    try {
      return (int) Geteuid.HANDLE.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** The effective group ID of this process. */
  public static int getegid() {
    try {
      return (int) Getegid.HANDLE.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static String fdName(int fd) {
    return "fd " + fd;
  }
}
