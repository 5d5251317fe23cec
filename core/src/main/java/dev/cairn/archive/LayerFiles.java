package dev.cairn.archive;

import dev.cairn.CairnException;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import dev.cairn.tarsplit.FileSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of an applied layer, opened by the raw bytes of their tar names so that tar-split can
 * reassemble the layer: any name a tar can hold works, UTF-8 or not. Names resolve inside the root
 * as if it were {@code /}: every directory is opened relative to its parent without following
 * links, a symlink met on the way is resolved by us inside the root, and {@code ..} stops at the
 * root, so nothing outside the root is ever read. Not thread-safe; close it to release the
 * directory descriptors it keeps.
 */
public final class LayerFiles implements FileSource, AutoCloseable {
  // Never blocks on a FIFO, never becomes a controlling terminal, fails with ELOOP on a symlink.
  private static final int OPEN_FLAGS =
      Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_NONBLOCK | Posix.O_NOCTTY;

  /** From this size on, files are opened as a {@link FileChannel}, which the kernel can copy. */
  private static final long LARGE = 1 << 20;

  private final RootFs fs;

  private LayerFiles(RootFs fs) {
    this.fs = fs;
  }

  /** The files under the layer directory {@code root}. */
  public static LayerFiles open(Path root) throws IOException {
    return new LayerFiles(new RootFs(root));
  }

  /**
   * Opens the regular file that {@code name} names inside the root.
   *
   * @throws NoSuchFileException when nothing has that name
   * @throws CairnException INVALID when the name is a directory, a device or anything else that is
   *     not a regular file, or when symlinks loop
   */
  @Override
  public SeekableByteChannel open(byte[] name) throws IOException {
    List<byte[]> path = clamped(Names.split(name), List.of());
    for (int hops = 0; ; hops++) {
      if (path.isEmpty()) {
        throw notRegular(name, "the layer root");
      }
      RootFs.Dir dir;
      try {
        dir = fs.dir(path, path.size() - 1, false);
      } catch (CairnException e) { // a component is not a directory
        throw new NoSuchFileException(Names.display(name));
      }
      if (dir == null) {
        throw new NoSuchFileException(Names.display(name));
      }
      byte[] base = path.getLast();
      int fd;
      try {
        fd = Posix.openat(dir.fd(), base, OPEN_FLAGS, 0);
      } catch (PosixException e) {
        if (e.errno() == Posix.ENOENT || e.errno() == Posix.ENAMETOOLONG) {
          throw new NoSuchFileException(Names.display(name));
        }
        if (e.errno() != Posix.ELOOP) {
          throw e;
        }
        // The name is a symlink: follow it inside the root.
        if (hops >= RootFs.MAX_LINK_HOPS) {
          throw CairnException.invalid(
              "file " + Names.display(name) + ": too many levels of symbolic links");
        }
        byte[] target = Posix.readlinkat(dir.fd(), base);
        boolean absolute = target.length > 0 && target[0] == '/';
        path =
            clamped(Names.split(target), absolute ? List.of() : path.subList(0, path.size() - 1));
        continue;
      }
      return channel(fd, name);
    }
  }

  /** A channel that owns {@code fd}, or an error (and {@code fd} closed) if it is no file. */
  private static SeekableByteChannel channel(int fd, byte[] name) throws IOException {
    boolean handedOver = false;
    try {
      FileStat st = Posix.lstatat(fd, new byte[0]);
      if (!st.isRegularFile()) {
        throw notRegular(name, "not a regular file");
      }
      if (st.size() < LARGE) {
        handedOver = true;
        return new DescriptorChannel(fd, st.size());
      }
      // A FileChannel lets big files go by the kernel; reopening through the descriptor reads
      // this very file, resolving no name again.
      return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ);
    } finally {
      if (!handedOver) {
        Posix.close(fd);
      }
    }
  }

  /** {@code parts} appended to {@code base}, {@code ..} removing a component but never the root. */
  private static List<byte[]> clamped(List<byte[]> parts, List<byte[]> base) {
    List<byte[]> out = new ArrayList<>(base);
    for (byte[] c : parts) {
      if (Names.isDotDot(c)) {
        if (!out.isEmpty()) {
          out.removeLast();
        }
      } else {
        out.add(c);
      }
    }
    return out;
  }

  private static CairnException notRegular(byte[] name, String why) {
    return CairnException.invalid("file " + Names.display(name) + " is " + why);
  }

  @Override
  public void close() throws IOException {
    fs.close();
  }
}
