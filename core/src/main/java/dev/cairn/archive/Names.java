package dev.cairn.archive;

import dev.cairn.CairnException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Tar names as lists of components inside the layer root. */
final class Names {
  /** The longest file name component Linux file systems take (NAME_MAX). */
  static final int NAME_MAX = 255;

  private Names() {}

  static final byte[] WHITEOUT_PREFIX = bytes(".wh.");
  static final byte[] WHITEOUT_META_PREFIX = bytes(".wh..wh.");
  static final byte[] OPAQUE = bytes(".wh..wh..opq");

  /**
   * The components of a member name, {@code .} and empty ones dropped, {@code ..} applied; a
   * leading {@code /} means the layer root. A name that climbs above the root is refused rather
   * than clamped: no honest layer has one. Backslashes are ordinary bytes on Linux.
   */
  static List<byte[]> clean(byte[] name, String what) {
    List<byte[]> out = new ArrayList<>();
    for (byte[] c : split(name)) {
      if (c.length > NAME_MAX) {
        // No Linux file system holds such a name; docker's apply fails on it too (ENAMETOOLONG).
        throw CairnException.invalid(
            what + " has a component of " + c.length + " bytes, longer than " + NAME_MAX);
      }
      if (isDotDot(c)) {
        if (out.isEmpty()) {
          throw CairnException.invalid(what + " leaves the layer root");
        }
        out.removeLast();
      } else {
        out.add(c);
      }
    }
    return out;
  }

  /** The components of a name or link target, without empty and {@code .} ones; {@code ..} kept. */
  static List<byte[]> split(byte[] name) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= name.length; i++) {
      if (i == name.length || name[i] == '/') {
        int len = i - start;
        if (len > 0 && !(len == 1 && name[start] == '.')) {
          byte[] c = new byte[len];
          System.arraycopy(name, start, c, 0, len);
          out.add(c);
        }
        start = i + 1;
      }
    }
    return out;
  }

  static boolean isDotDot(byte[] c) {
    return c.length == 2 && c[0] == '.' && c[1] == '.';
  }

  static boolean isDot(byte[] c) {
    return c.length == 1 && c[0] == '.';
  }

  static boolean startsWith(byte[] name, byte[] prefix) {
    if (name.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (name[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** A path key that keeps every byte (one char per byte). */
  static String key(String parent, byte[] name) {
    String n = new String(name, StandardCharsets.ISO_8859_1);
    return parent.isEmpty() ? n : parent + "/" + n;
  }

  /** The key of the first {@code count} components, as {@link #key(String, byte[])} builds it. */
  static String key(List<byte[]> components, int count) {
    int length = count - 1;
    for (int i = 0; i < count; i++) {
      length += components.get(i).length;
    }
    byte[] key = new byte[length]; // joined in one array: this runs for every entry
    for (int i = 0, at = 0; i < count; i++) {
      byte[] c = components.get(i);
      if (i > 0) {
        key[at++] = '/';
      }
      System.arraycopy(c, 0, key, at, c.length);
      at += c.length;
    }
    return new String(key, StandardCharsets.ISO_8859_1);
  }

  /** A name for messages: quoted, its bytes escaped where they are not printable UTF-8. */
  static String display(byte[] name) {
    return CairnException.quote(name);
  }

  /** The components joined with {@code /}, quoted as {@link #display(byte[])}. */
  static String display(List<byte[]> components) {
    if (components.isEmpty()) {
      return "\".\"";
    }
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (byte[] c : components) {
      if (b.size() > 0) {
        b.write('/');
      }
      b.writeBytes(c);
    }
    return display(b.toByteArray());
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
