package dev.cairn.posix;

/**
 * What {@code statx} says about one file, never following a final symlink.
 *
 * @param mode type and permission bits ({@code st_mode})
 * @param rdevMajor device major number, for character and block devices
 * @param rdevMinor device minor number
 */
public record FileStat(
    int mode,
    int uid,
    int gid,
    long size,
    int nlink,
    long ino,
    long dev,
    long mtimeSeconds,
    int mtimeNanos,
    long atimeSeconds,
    int atimeNanos,
    int rdevMajor,
    int rdevMinor) {

  public int type() {
    return mode & Posix.S_IFMT;
  }

  public int permissions() {
    return mode & 07777;
  }

  public boolean isDirectory() {
    return type() == Posix.S_IFDIR;
  }

  public boolean isRegularFile() {
    return type() == Posix.S_IFREG;
  }

  public boolean isSymlink() {
    return type() == Posix.S_IFLNK;
  }
}
