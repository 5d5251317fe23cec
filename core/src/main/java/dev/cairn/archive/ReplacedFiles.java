package dev.cairn.archive;

import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the files of a layer's entries that a later entry of the same layer replaces or removes
 * (the path appended again by {@code tar -r}, a whiteout, a directory replaced with its content),
 * so that tar-split can still rebuild the layer byte for byte: the name on disk now holds the later
 * content or nothing. Each kept file is a hard link (a copy across file systems) named by the
 * ordinal of the entry that wrote it, in a directory made on first need. Only files this layer
 * wrote with a payload are tracked; a lower layer's files are not part of this layer's tar.
 */
final class ReplacedFiles implements AutoCloseable {
  private static final int DIR_FLAGS = Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_NOFOLLOW;
  private static final int READ_FLAGS =
      Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_NONBLOCK | Posix.O_NOCTTY;

  private final Path dir;
  private int dirFd = -1;
  private final Map<String, Long> written = new HashMap<>(); // key to its entry's ordinal
  private final Set<String> holders = new HashSet<>(); // directories with such files below them
  private byte[] buffer;

  ReplacedFiles(Path dir) {
    this.dir = dir;
  }

  /** Entry {@code ordinal} wrote the file {@code key}, in the directory {@code parentKey}. */
  void wrote(String parentKey, String key, long ordinal) {
    written.put(key, ordinal);
    for (String d = parentKey; !d.isEmpty() && holders.add(d); d = parentOf(d)) {
      // every directory up to the root, or to one already known
    }
  }

  /** {@code name} in {@code parentFd}, the file or directory {@code key}, is about to go. */
  void removing(int parentFd, byte[] name, String key, boolean directory) throws IOException {
    if (written.isEmpty()) {
      return;
    }
    if (!directory) {
      Long ordinal = written.remove(key);
      if (ordinal != null) {
        keep(parentFd, name, ordinal);
      }
    } else if (holders.contains(key)) {
      keepBelow(parentFd, name, key);
    }
  }

  private void keepBelow(int parentFd, byte[] name, String key) throws IOException {
    int fd = Posix.openat(parentFd, name, DIR_FLAGS, 0);
    try {
      for (Posix.DirEntry e : Posix.readdir(fd)) {
        String child = Names.key(key, e.name());
        boolean directory =
            e.type() == Posix.DT_DIR
                || (e.type() == 0 && Posix.lstatat(fd, e.name()).isDirectory());
        removing(fd, e.name(), child, directory);
      }
    } finally {
      Posix.close(fd);
    }
  }

  private void keep(int parentFd, byte[] name, long ordinal) throws IOException {
    if (dirFd < 0) {
      Files.createDirectories(dir);
      dirFd = Posix.openat(Posix.AT_FDCWD, Posix.bytes(dir.toString()), DIR_FLAGS, 0);
    }
    byte[] kept = Long.toString(ordinal).getBytes(StandardCharsets.US_ASCII);
    try {
      Posix.linkat(parentFd, name, dirFd, kept);
    } catch (PosixException e) {
      if (e.errno() != Posix.EXDEV && e.errno() != Posix.EPERM) {
        throw e;
      }
      copy(parentFd, name, kept); // the layer and the metadata on two file systems
    }
  }

  private void copy(int parentFd, byte[] name, byte[] kept) throws IOException {
    if (buffer == null) {
      buffer = new byte[1 << 20];
    }
    int in = Posix.openat(parentFd, name, READ_FLAGS, 0);
    try {
      int out =
          Posix.openat(
              dirFd, kept, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW, 0600);
      try {
        for (int n; (n = Posix.read(in, buffer, 0, buffer.length)) > 0; ) {
          Posix.writeFully(out, buffer, 0, n);
        }
      } finally {
        Posix.close(out);
      }
    } finally {
      Posix.close(in);
    }
  }

  private static String parentOf(String key) {
    int slash = key.lastIndexOf('/');
    return slash < 0 ? "" : key.substring(0, slash);
  }

  @Override
  public void close() throws IOException {
    if (dirFd >= 0) {
      Posix.close(dirFd);
      dirFd = -1;
    }
  }
}
