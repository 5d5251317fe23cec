package dev.cairn.driver;

import dev.cairn.posix.Posix;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The modes of a store's own directories, as dockerd (20.10) sets those of its data root: nothing
 * below the root is reachable by another user, so an image's setuid files and device nodes stay out
 * of their reach. The root, each driver's home and each overlay layer's directory are 0710 with the
 * group of the remapped root ({@code --uidmap}), which must traverse them to reach a mounted tree;
 * metadata, staging and overlay's link directory are 0700. Only root can choose the group, so a
 * store made by another user is 0700 throughout.
 */
public final class DirectoryModes {
  private DirectoryModes() {}

  static final int PRIVATE = 0700;
  static final int PASSAGE = 0710;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  /** Creates {@code dir} (missing parents as {@code mkdir -p} does) for its owner alone. */
  public static Path createPrivate(Path dir) throws IOException {
    create(dir);
    return dir;
  }

  /**
   * Creates {@code dir} (missing parents as {@code mkdir -p} does) as one the remapped root of
   * {@code options} may pass through.
   */
  public static Path createPassage(Path dir, DriverOptions options) throws IOException {
    if (create(dir) && Posix.geteuid() == 0) {
      setPassage(dir, options);
    }
    return dir;
  }

  /**
   * Gives the directories of the store at {@code root} the modes it would get if made now; layers
   * and their contents are left as they are. The caller makes sure the store is its own. A store on
   * a read-only file system, which nobody can change anyway, is left as it is.
   */
  public static void repair(Path root, DriverOptions options) throws IOException {
    if (!Files.isWritable(root)) {
      return; // access(2) says so for a read-only file system, even to root
    }
    boolean root0 = Posix.geteuid() == 0;
    int passage = root0 ? PASSAGE : PRIVATE;
    int group = root0 ? options.rootGid() : -1;
    List<Fix> fixes = new ArrayList<>();
    fixes.add(new Fix(root, passage, group));
    fixes.add(new Fix(root.resolve("graph"), PRIVATE, -1));
    fixes.add(new Fix(root.resolve("graph").resolve("_tmp"), PRIVATE, -1));
    fixes.add(new Fix(root.resolve(OverlayDriver.NAME), passage, group));
    fixes.add(new Fix(root.resolve(OverlayDriver.NAME).resolve("l"), PRIVATE, -1));
    fixes.add(new Fix(root.resolve(VfsDriver.NAME), passage, group));
    fixes.add(new Fix(root.resolve(VfsDriver.NAME).resolve("dir"), passage, group));
    for (Fix f : fixes) {
      f.apply();
    }
  }

  /** A directory's mode, and its group unless {@code gid} is -1, to set where they differ. */
  private record Fix(Path dir, int mode, int gid) {
    void apply() throws IOException {
      Map<String, Object> st;
      try {
        st = Files.readAttributes(dir, "unix:mode,gid,isDirectory", LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return;
      }
      if (!(Boolean) st.get("isDirectory")) {
        return; // a link or a file is not the store's own directory: leave it
      }
      if (gid != -1 && (Integer) st.get("gid") != gid) {
        Files.setAttribute(dir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
      }
      if (((Integer) st.get("mode") & 07777) != mode) {
        Files.setAttribute(dir, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  /** Makes {@code dir} 0700 when missing; whether this call made it. */
  private static boolean create(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return false;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      return true;
    } catch (FileAlreadyExistsException e) {
      if (Files.isDirectory(dir)) {
        return false; // made meanwhile by another process, with these modes
      }
      throw e;
    }
  }

  /**
   * Gives a directory the modes of {@link #createPassage}: 0710 with the remapped root's group
   * where this process may set it, else 0700.
   */
  static void setPassage(Path dir, DriverOptions options) throws IOException {
    if (Posix.geteuid() == 0) {
      Files.setAttribute(dir, "unix:gid", options.rootGid(), LinkOption.NOFOLLOW_LINKS);
    }
    Files.setAttribute(
        dir, "unix:mode", Posix.geteuid() == 0 ? PASSAGE : PRIVATE, LinkOption.NOFOLLOW_LINKS);
  }
}
