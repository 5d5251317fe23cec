package dev.cairn.store;

import dev.cairn.CairnException;
import dev.cairn.archive.IdMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;

/**
 * The user-namespace ID maps a store's layers were made with, kept in {@code ROOT/idmap}. Every
 * file of a layer belongs to the host IDs the maps gave it, so a store is only ever used with its
 * own maps: opening it with others is refused, as docker keeps a separate data root per
 * userns-remap mapping and never shows one mapping the layers of another.
 */
record IdMaps(IdMap uids, IdMap gids) {
  static final String FILE = "idmap";

  IdMaps {
    uids = normal(uids);
    gids = normal(gids);
  }

  static IdMaps of(StoreOptions options) {
    return new IdMaps(options.uidMap(), options.gidMap());
  }

  /** Ranges in order, so that the same map given in another order is the same map. */
  private static IdMap normal(IdMap map) {
    if (map == null) {
      return IdMap.IDENTITY;
    }
    return new IdMap(
        map.ranges().stream().sorted(Comparator.comparingLong(IdMap.Range::container)).toList());
  }

  /**
   * Refuses to open the store at {@code root} with these maps when it records others.
   *
   * @return whether the store has a record (a store made before stores kept one has none)
   * @throws CairnException CONFLICT naming both mappings
   */
  boolean check(Path root) throws IOException {
    String text;
    try {
      text = Files.readString(root.resolve(FILE), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return false;
    }
    IdMaps recorded = parse(text, root);
    if (!recorded.equals(this)) {
      throw new CairnException(
          CairnException.Kind.CONFLICT,
          "store "
              + root
              + " was made with "
              + recorded.describe()
              + " and cannot be opened with "
              + describe()
              + ": its layers' files belong to the IDs its own maps gave them; use the same maps,"
              + " or another --root");
    }
    return true;
  }

  /** Records these maps in the store at {@code root}, atomically. */
  void write(Path root) throws IOException {
    Path tmp = root.resolve("." + FILE + "-" + UUID.randomUUID());
    try {
      Files.writeString(tmp, "uid" + text(uids) + "\ngid" + text(gids) + "\n");
      Files.move(tmp, root.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static IdMaps parse(String text, Path root) {
    IdMap uids = null;
    IdMap gids = null;
    for (String line : text.split("\n")) {
      String[] f = line.strip().split(" ", 2);
      String spec = f.length > 1 ? f[1] : "";
      switch (f[0]) {
        case "uid" -> uids = IdMap.parse(spec);
        case "gid" -> gids = IdMap.parse(spec);
        case "" -> {}
        default -> throw unreadable(root);
      }
    }
    if (uids == null || gids == null) {
      throw unreadable(root);
    }
    return new IdMaps(uids, gids);
  }

  private static CairnException unreadable(Path root) {
    return CairnException.invalid(
        root.resolve(FILE) + " does not say which ID maps the store was made with");
  }

  private static String text(IdMap map) {
    return map.isIdentity() ? "" : " " + map;
  }

  /** In the words of the command line: "--uidmap 0:100000:65536 --gidmap …", or "no ID maps". */
  String describe() {
    if (uids.isIdentity() && gids.isIdentity()) {
      return "no ID maps";
    }
    return ((uids.isIdentity() ? "" : "--uidmap " + uids + " ")
            + (gids.isIdentity() ? "" : "--gidmap " + gids))
        .strip();
  }
}
