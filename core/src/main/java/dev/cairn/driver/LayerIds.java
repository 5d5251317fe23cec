package dev.cairn.driver;

import dev.cairn.CairnException;

/** Layer IDs name directories, so only the expected form gets near the file system. */
final class LayerIds {
  private LayerIds() {}

  /** Whether {@link #check} would accept {@code id}. */
  static boolean isId(String id) {
    try {
      check(id);
      return true;
    } catch (CairnException e) {
      return false;
    }
  }

  static String check(String id) {
    if (id == null || id.length() != 64) {
      throw CairnException.invalid(
          "layer ID " + (id == null ? "null" : CairnException.quote(id)) + " is not 64 hex digits");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        throw CairnException.invalid(
            "layer ID " + CairnException.quote(id) + " is not 64 lowercase hex digits");
      }
    }
    return id;
  }

  /** Checks a parent ID, which may be null for a base layer. */
  static String checkParent(String parent) {
    return parent == null ? null : check(parent);
  }
}
