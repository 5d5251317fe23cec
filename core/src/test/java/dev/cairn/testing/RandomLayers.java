package dev.cairn.testing;

import dev.cairn.tar.TarEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A base layer and a layer on top of it, made from a seed: directories, files (set-id bits, owners,
 * nanosecond times, xattrs, same-size rewrites), symlinks, hard links, FIFOs; the second layer
 * deletes, rewrites, changes metadata, replaces files by directories and back, makes directories
 * opaque and adds. Every change comes with its parent directories' entries, as in layers made by
 * Docker, so that any driver yields the same tree.
 */
public final class RandomLayers {
  /** The two layer tars. */
  public record Pair(byte[] base, byte[] change) {}

  private enum Kind {
    DIR,
    FILE,
    SYMLINK,
    FIFO
  }

  private record Node(Kind kind, TarEntry entry, byte[] content) {}

  private final Random random;
  private final int maxId;
  private final Map<String, Node> base = new LinkedHashMap<>();

  private RandomLayers(long seed, int maxId) {
    this.random = new Random(seed);
    this.maxId = maxId;
  }

  /** Owners are drawn from 0..{@code maxId}-1 (inside an ID map of that size). */
  public static Pair generate(long seed, int maxId) {
    RandomLayers g = new RandomLayers(seed, maxId);
    return new Pair(g.base(), g.change());
  }

  private Instant time() {
    return Instant.ofEpochSecond(
        1_500_000_000L + random.nextInt(100_000_000),
        random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
  }

  private long id() {
    return random.nextInt(3) == 0 ? 0 : random.nextInt(maxId);
  }

  private TarEntry owned(TarEntry e) {
    return e.withOwner(id(), id(), "", "").withMtime(time());
  }

  private byte[] content(int max) {
    byte[] b = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(max)];
    random.nextBytes(b);
    return b;
  }

  private TarEntry withXattr(TarEntry e) {
    if (random.nextInt(4) != 0) {
      return e;
    }
    return e.withPax(Map.of("SCHILY.xattr.user.cairn", "v" + random.nextInt(100)));
  }

  private static final int[] DIR_MODES = {0755, 0700, 0775, 02755, 01777};
  private static final int[] FILE_MODES = {0644, 0600, 0755, 04755, 02711, 0444};

  private byte[] base() {
    TarBuilder t = TarBuilder.tar();
    t.add(owned(TarEntry.directory("./")).withMode(0755));
    List<String> dirs = new ArrayList<>(List.of(""));
    int ndirs = 2 + random.nextInt(4);
    for (int i = 0; i < ndirs; i++) {
      String parent = dirs.get(random.nextInt(dirs.size()));
      String name = parent + "d" + i + "/";
      TarEntry e = withXattr(owned(TarEntry.directory(name)).withMode(pick(DIR_MODES)));
      t.add(e);
      base.put(name, new Node(Kind.DIR, e, null));
      dirs.add(name);
    }
    int nfiles = 4 + random.nextInt(8);
    List<String> files = new ArrayList<>();
    for (int i = 0; i < nfiles; i++) {
      String name = dirs.get(random.nextInt(dirs.size())) + "f" + i;
      int r = random.nextInt(10);
      if (r < 6) {
        byte[] c = content(3000);
        TarEntry e = withXattr(owned(TarEntry.regular(name, c.length)).withMode(pick(FILE_MODES)));
        t.add(e, c);
        base.put(name, new Node(Kind.FILE, e, c));
        files.add(name);
      } else if (r < 8) {
        TarEntry e = owned(TarEntry.symlink(name, random.nextBoolean() ? "../x" : "/etc/t" + i));
        t.add(e);
        base.put(name, new Node(Kind.SYMLINK, e, null));
      } else if (r < 9 && !files.isEmpty()) {
        t.add(TarEntry.hardlink(name, files.get(random.nextInt(files.size()))));
      } else {
        TarEntry e = owned(TarEntry.fifo(name)).withMode(0640);
        t.add(e);
        base.put(name, new Node(Kind.FIFO, e, null));
      }
    }
    return t.bytes();
  }

  private int pick(int[] values) {
    return values[random.nextInt(values.length)];
  }

  private final Set<String> touched = new HashSet<>();
  private final Set<String> parentsWritten = new HashSet<>();

  /** Whether {@code path} or a path above or below it has changed already. */
  private boolean free(String path) {
    for (String t : touched) {
      if (path.startsWith(t) || t.startsWith(path)) {
        return false;
      }
    }
    return true;
  }

  /** Writes the entries of the directories above {@code path}, as they are in the base. */
  private void parents(TarBuilder t, String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    List<String> above = new ArrayList<>();
    for (int i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
      above.add(p.substring(0, i + 1));
    }
    for (String d : above) {
      if (parentsWritten.add(d)) {
        t.add(base.get(d).entry());
      }
    }
  }

  private byte[] change() {
    TarBuilder t = TarBuilder.tar();
    t.add(owned(TarEntry.directory("./")).withMode(0755));
    List<String> paths = new ArrayList<>(base.keySet());
    int changes = 3 + random.nextInt(6);
    for (int i = 0; i < changes && !paths.isEmpty(); i++) {
      String path = paths.remove(random.nextInt(paths.size()));
      if (!free(path)) {
        continue;
      }
      Node n = base.get(path);
      String bare = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      int slash = bare.lastIndexOf('/');
      String dir = slash < 0 ? "" : bare.substring(0, slash);
      String name = bare.substring(slash + 1);
      parents(t, path);
      touched.add(path);
      int op = random.nextInt(6);
      switch (op) {
        case 0 -> t.whiteout(dir, name);
        case 1 -> {
          if (n.kind() == Kind.FILE && n.content().length > 0) {
            // Same size, same time, same mode: only the content tells.
            byte[] c = n.content().clone();
            c[random.nextInt(c.length)] ^= 1;
            t.add(n.entry(), c);
          } else {
            TarEntry e = owned(TarEntry.regular(bare, 5)).withMode(0644);
            t.add(e, "fresh".getBytes(StandardCharsets.UTF_8));
          }
        }
        case 2 -> {
          if (n.kind() == Kind.DIR || n.kind() == Kind.FILE) {
            TarEntry e =
                n.entry()
                    .withMode(n.kind() == Kind.DIR ? 0711 : 0640)
                    .withOwner(id(), id(), "", "");
            t.add(e.withMtime(time()), n.content() == null ? new byte[0] : n.content());
          } else {
            t.add(owned(TarEntry.symlink(bare, "elsewhere")));
          }
        }
        case 3 -> {
          if (n.kind() == Kind.DIR) {
            t.add(owned(TarEntry.regular(bare, 3)).withMode(0600), new byte[] {1, 2, 3});
          } else {
            t.add(owned(TarEntry.directory(bare + "/")));
            t.add(owned(TarEntry.regular(bare + "/inside", 2)), new byte[] {4, 5});
          }
        }
        case 4 -> {
          if (n.kind() == Kind.DIR) {
            t.add(n.entry());
            t.opaque(bare);
            t.add(owned(TarEntry.regular(bare + "/kept", 4)), new byte[] {6, 7, 8, 9});
          } else {
            t.whiteout(dir, name);
            t.add(owned(TarEntry.fifo(bare)).withMode(0600));
          }
        }
        default -> {
          String added = (dir.isEmpty() ? "" : dir + "/") + "new" + i;
          byte[] c = content(2000);
          t.add(withXattr(owned(TarEntry.regular(added, c.length))).withMode(0755), c);
          t.add(TarEntry.hardlink(added + ".link", added));
          touched.add(added);
        }
      }
    }
    return t.bytes();
  }
}
