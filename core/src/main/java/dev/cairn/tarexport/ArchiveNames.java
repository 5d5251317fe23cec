package dev.cairn.tarexport;

import dev.cairn.CairnException;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry names of an image archive as keys inside it: cleaned ({@code ./a//b/} is {@code a/b}), and
 * refused when they would leave the archive root. Nothing is ever extracted under these names, but
 * a {@code ../manifest.json} must not count as the manifest, nor a link reach outside the archive.
 */
final class ArchiveNames {
  private ArchiveNames() {}

  /** The clean form of an entry name. */
  static String clean(String name) {
    if (name.startsWith("/")) {
      throw CairnException.invalid(
          "entry " + CairnException.quote(name) + ": an absolute name is not part of an archive");
    }
    List<String> parts = new ArrayList<>();
    for (String p : name.split("/", -1)) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        throw CairnException.invalid(
            "entry " + CairnException.quote(name) + " leaves the archive root");
      }
      parts.add(p);
    }
    if (parts.isEmpty()) {
      return "";
    }
    return String.join("/", parts);
  }

  /**
   * Where a symbolic link named {@code name} points: {@code target} taken relative to the link's
   * directory, which must stay inside the archive.
   */
  static String symlinkTarget(String name, String target) {
    if (target.startsWith("/")) {
      throw CairnException.invalid(
          "link "
              + CairnException.quote(name)
              + " -> "
              + CairnException.quote(target)
              + ": an absolute target is outside the archive");
    }
    List<String> parts = new ArrayList<>(List.of(name.split("/")));
    parts.removeLast();
    for (String p : target.split("/", -1)) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (parts.isEmpty()) {
          throw CairnException.invalid(
              "link "
                  + CairnException.quote(name)
                  + " -> "
                  + CairnException.quote(target)
                  + " points outside the archive");
        }
        parts.removeLast();
      } else {
        parts.add(p);
      }
    }
    return String.join("/", parts);
  }

  /** The ID directory of a legacy entry {@code <id>/<file>}, or null when the name is not one. */
  static String legacyDir(String name, String file) {
    int slash = name.indexOf('/');
    if (slash <= 0 || slash != name.lastIndexOf('/') || !name.substring(slash + 1).equals(file)) {
      return null;
    }
    return name.substring(0, slash);
  }

  static boolean isId(String s) {
    return Saver.isHex(s, 64);
  }
}
