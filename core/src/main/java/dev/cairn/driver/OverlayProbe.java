package dev.cairn.driver;

import dev.cairn.CairnException;
import dev.cairn.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * What the overlay probe ({@link Drivers#probeOverlay}) found in a store, remembered in {@code
 * ROOT/overlay-probe} so that later processes learn it without mounting anything: opening a store
 * to read it never mounts or writes, and the probe runs only where a layer is about to be made (a
 * new store choosing its driver, or the first layer of a store that has no record yet).
 */
final class OverlayProbe {
  static final String FILE = "overlay-probe";
  private static final String WORKS = "works";
  private static final String INDEX_OFF = "index=off";

  private final Path root;
  private volatile Boolean indexOff; // null until read or probed

  OverlayProbe(Path root) {
    this.root = root;
  }

  /** Probes now and remembers a success, for a new store that is choosing its driver. */
  static Drivers.Probe probeAndRecord(Path root) throws IOException {
    Drivers.Probe p = Drivers.probeOverlay(root);
    if (p.works()) {
      record(root, p.indexOff());
    }
    return p;
  }

  /** A store whose probe just ran here and succeeded. */
  static OverlayProbe known(Path root, boolean indexOff) {
    OverlayProbe p = new OverlayProbe(root);
    p.indexOff = indexOff;
    return p;
  }

  /**
   * Whether mounts take {@code index=off}: the remembered answer, else found by a probe now (and
   * remembered). Mounting needs root, asked first so that a user who is not gets a plain answer.
   *
   * @throws CairnException UNAVAILABLE when overlayfs cannot be mounted here
   */
  boolean indexOff() throws IOException {
    if (Posix.geteuid() != 0) {
      throw unavailable("mounting overlayfs needs root");
    }
    Boolean known = indexOff;
    if (known == null) {
      known = remembered();
    }
    if (known == null) {
      Drivers.Probe p = Drivers.probeOverlay(root);
      if (!p.works()) {
        throw unavailable(p.reason());
      }
      known = p.indexOff();
      record(root, known);
    }
    indexOff = known;
    return known;
  }

  /** For {@code cairn info}: what is known without probing. */
  String describe() {
    Boolean known = indexOff;
    try {
      known = known != null ? known : remembered();
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
    return known == null ? "not probed yet" : known ? "off" : "kernel default";
  }

  private CairnException unavailable(String why) {
    return new CairnException(
        CairnException.Kind.UNAVAILABLE, "the overlay driver cannot work in " + root + ": " + why);
  }

  private Boolean remembered() throws IOException {
    String text;
    try {
      text = Files.readString(root.resolve(FILE), StandardCharsets.US_ASCII).strip();
    } catch (NoSuchFileException e) {
      return null;
    }
    if (!text.startsWith(WORKS)) {
      return null; // not ours to trust: probe again
    }
    return text.endsWith(" " + INDEX_OFF);
  }

  /**
   * Writes the record atomically. Remembering only saves later probes, so a store that cannot take
   * the file now (full, read-only) goes on without it.
   */
  private static void record(Path root, boolean indexOff) {
    Path tmp = root.resolve("." + FILE + "-" + UUID.randomUUID());
    try {
      Files.writeString(tmp, WORKS + (indexOff ? " " + INDEX_OFF : "") + "\n");
      Files.move(tmp, root.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // a few bytes, left in a store that cannot be written to: harmless
      }
    }
  }
}
