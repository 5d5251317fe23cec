package dev.cairn.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * The environment variables a command line runs in, given to {@link Main} rather than read from the
 * process wherever they are needed, so that a caller (a test) can choose them.
 */
record Environment(Map<String, String> variables) {
  Environment {
    variables = Map.copyOf(variables);
  }

  /** A variable's value, or null when it is unset or empty (docker and XDG treat both alike). */
  String get(String name) {
    String value = variables.get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  /**
   * The store when {@code --root} is not given: {@code $CAIRN_ROOT}, else {@code
   * $XDG_DATA_HOME/cairn}, else {@code $HOME/.local/share/cairn}. A relative {@code XDG_DATA_HOME}
   * is ignored, as the XDG base directory specification says.
   */
  Path defaultRoot() {
    String root = get("CAIRN_ROOT");
    if (root != null) {
      return Path.of(root);
    }
    String data = get("XDG_DATA_HOME");
    if (data != null && Path.of(data).isAbsolute()) {
      return Path.of(data, "cairn");
    }
    return home().resolve(Path.of(".local", "share", "cairn"));
  }

  /**
   * Whether every pull keeps the original layer blobs: {@code CAIRN_KEEP_BLOBS} set to {@code 1} or
   * {@code true} ({@code 0}, {@code false} or unset: no).
   *
   * @throws dev.cairn.CairnException INVALID for any other value
   */
  boolean keepBlobs() {
    String v = get("CAIRN_KEEP_BLOBS");
    if (v == null || v.equals("0") || v.equals("false")) {
      return false;
    }
    if (v.equals("1") || v.equals("true")) {
      return true;
    }
    throw dev.cairn.CairnException.invalid(
        "CAIRN_KEEP_BLOBS must be 1, true, 0 or false, not " + dev.cairn.CairnException.quote(v));
  }

  /** {@code $HOME}, else the account's home directory (the JVM reads it from the passwd entry). */
  Path home() {
    String home = get("HOME");
    return Path.of(home != null ? home : System.getProperty("user.home"));
  }
}
