package dev.cairn.driver;

import dev.cairn.CairnException;
import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** Chooses and opens a store's storage driver. */
public final class Drivers {
  private Drivers() {}

  /** The drivers cairn has, preferred first. */
  public static final List<String> NAMES = List.of(OverlayDriver.NAME, VfsDriver.NAME);

  /**
   * Opens the driver of the store at {@code root}. A store keeps the driver it was made with: when
   * {@code ROOT/<name>} exists, that driver is used, and asking for another is an error naming
   * both. A new store uses {@code requested}, or when that is null overlay if this process can
   * mount it here (tried with a tiny mount under {@code root}), else vfs. An existing store is
   * opened without mounting or writing anything: overlay's probe waits for the first layer made.
   *
   * @param requested a name from {@link #NAMES} (the {@code --driver} option), or null to choose
   * @throws CairnException INVALID for an unknown name, CONFLICT when the store holds another
   *     driver's layers (or several drivers' without a choice), UNAVAILABLE when a new store asks
   *     for overlay and it cannot mount
   */
  public static Driver open(Path root, String requested, DriverOptions options) throws IOException {
    if (requested != null && !NAMES.contains(requested)) {
      throw CairnException.invalid(
          "unknown storage driver "
              + CairnException.quote(requested)
              + "; cairn has "
              + String.join(", ", NAMES));
    }
    Files.createDirectories(root);
    List<String> present =
        NAMES.stream()
            .filter(n -> Files.isDirectory(root.resolve(n), LinkOption.NOFOLLOW_LINKS))
            .toList();
    String name;
    if (present.isEmpty()) {
      name = requested;
    } else if (requested != null) {
      if (!present.contains(requested)) {
        throw new CairnException(
            CairnException.Kind.CONFLICT,
            "store "
                + root
                + " was made with the "
                + present.getFirst()
                + " driver and cannot be opened with the "
                + requested
                + " driver");
      }
      name = requested;
    } else if (present.size() > 1) {
      throw new CairnException(
          CairnException.Kind.CONFLICT,
          "store "
              + root
              + " holds layers of several drivers ("
              + String.join(", ", present)
              + "); choose one with --driver");
    } else {
      name = present.getFirst();
    }
    if (name == null) { // a new store: choose now, as its first layer will need to know
      Probe overlay = OverlayProbe.probeAndRecord(root);
      if (overlay.works()) {
        return new OverlayDriver(root, options, OverlayProbe.known(root, overlay.indexOff()));
      }
      name = VfsDriver.NAME;
    }
    if (name.equals(OverlayDriver.NAME)) {
      OverlayProbe probe = new OverlayProbe(root);
      if (!present.contains(name)) {
        probe.indexOff(); // a new store asked for overlay: fail before making its directory
      }
      return new OverlayDriver(root, options, probe);
    }
    return new VfsDriver(root, options);
  }

  /**
   * Whether overlayfs mounts under {@code root}, as found by mounting one.
   *
   * @param indexOff whether the kernel accepted {@code index=off}
   * @param reason why it does not work, for messages
   */
  record Probe(boolean works, boolean indexOff, String reason) {}

  /**
   * Mounts a tiny overlay in a scratch directory under {@code root}, reads through it, undoes it.
   */
  static Probe probeOverlay(Path root) throws IOException {
    if (Posix.geteuid() != 0) {
      return new Probe(false, false, "mounting overlayfs needs root");
    }
    Path dir = root.resolve(".overlay-probe-" + UUID.randomUUID());
    try {
      Path lower = Files.createDirectories(dir.resolve("lower"));
      Path upper = Files.createDirectory(dir.resolve("upper"));
      Path work = Files.createDirectory(dir.resolve("work"));
      Path merged = Files.createDirectory(dir.resolve("merged"));
      Files.writeString(lower.resolve("probe"), "cairn");
      String data =
          "lowerdir="
              + lower.toAbsolutePath()
              + ",upperdir="
              + upper.toAbsolutePath()
              + ",workdir="
              + work.toAbsolutePath();
      String target = merged.toAbsolutePath().toString();
      boolean indexOff = true;
      try {
        Posix.mount(OverlayDriver.NAME, target, OverlayDriver.NAME, 0, data + ",index=off");
      } catch (PosixException e) {
        if (e.errno() != Posix.EINVAL) {
          return new Probe(false, false, e.getMessage());
        }
        indexOff = false; // a kernel before 4.13 does not know the option
        try {
          Posix.mount(OverlayDriver.NAME, target, OverlayDriver.NAME, 0, data);
        } catch (PosixException again) {
          return new Probe(false, false, again.getMessage());
        }
      }
      try {
        if (!Files.exists(merged.resolve("probe"))) {
          return new Probe(false, false, "a file of the lower directory is not visible");
        }
        Posix.mknodat(
            Posix.AT_FDCWD,
            Posix.bytes(upper.resolve("whiteout").toAbsolutePath().toString()),
            Posix.S_IFCHR,
            0,
            0);
      } finally {
        Posix.umount2(target, Posix.MNT_DETACH);
      }
      return new Probe(true, indexOff, "");
    } catch (IOException e) {
      return new Probe(false, false, e.getMessage());
    } finally {
      removeScratch(dir);
    }
  }

  /**
   * Removes the probe's scratch tree with the JDK's calls: Trees would link eight libc calls
   * (milliseconds each) that opening a store otherwise does not need.
   */
  private static void removeScratch(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> tree = Files.walk(dir)) { // does not follow links
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The type of the file system under {@code dir} ("ext4", "xfs", ...). */
  static String backingFilesystem(Path dir) {
    try {
      return Files.getFileStore(dir).type();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The layers in a driver directory: its entries, staging ones excepted. */
  static long countLayers(Path dir) {
    long n = 0;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (!p.getFileName().toString().startsWith(".")) {
          n++;
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return n;
  }

  /** The names in {@code dir} that are layer IDs (64 lowercase hex) of directories. */
  static List<String> layerIds(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        if (isLayerId(name) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.add(name);
        }
      }
    }
    return out;
  }

  private static boolean isLayerId(String name) {
    if (name.length() != 64) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
