package dev.cairn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GNU {@code tar -x} as the reference extractor: tars applied in order into one directory, owners
 * (as root), modes, xattrs and times kept, directory times set last as cairn sets them. Whiteouts
 * are plain files to it: give it tars without any. Where GNU tar and docker differ, docker is the
 * reference: a hard link's header is applied to the file it links ({@link #applyLinkHeaders}).
 */
public final class GnuTar {
  private GnuTar() {}

  /**
   * Extracts {@code tars} in order into a fresh directory under {@code parent}, with {@code
   * options} added to each {@code tar -x} (say {@code --recursive-unlink}); returns the directory.
   */
  public static Path extract(Path parent, List<String> options, byte[]... tars)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(parent, "gnu-tar");
    for (byte[] t : tars) {
      extractInto(dir, options, t);
    }
    return dir;
  }

  /**
   * Docker's apply of {@code layers} in order into a fresh directory under {@code parent}, made
   * without cairn's extractor: each layer's AUFS whiteouts are applied by this method to what the
   * layers below left ({@code .wh.NAME} removes NAME, {@code .wh..wh..opq} empties its directory),
   * then GNU tar extracts the layer, then the whiteout files themselves go, their directories'
   * times kept. A whiteout here acts before the layer's other entries, which is docker's order for
   * any layer that does not both create a name and white it out later.
   */
  public static Path layers(Path parent, byte[]... layers)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(parent, "gnu-tar-layers");
    for (byte[] layer : layers) {
      List<Path> markers = new ArrayList<>();
      for (Map.Entry<String, Boolean> e : entries(layer).entrySet()) {
        Path entry = dir.resolve(e.getKey());
        String base = entry.getFileName().toString();
        if (base.equals(".wh..wh..opq")) {
          markers.add(entry);
          if (Files.isDirectory(entry.getParent(), LinkOption.NOFOLLOW_LINKS)) {
            try (var children = Files.list(entry.getParent())) {
              for (Path c : children.toList()) {
                deleteTree(c);
              }
            }
          }
        } else if (base.startsWith(".wh.")) {
          markers.add(entry);
          deleteTree(entry.resolveSibling(base.substring(".wh.".length())));
        } else if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS)
            && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) != e.getValue()) {
          // Docker replaces what a name held unless both are directories; GNU tar cannot put a
          // file where a non-empty directory is.
          deleteTree(entry);
        }
      }
      extractInto(dir, List.of(), layer);
      for (Path m : markers) {
        Path d = m.getParent();
        var time = Files.getLastModifiedTime(d, LinkOption.NOFOLLOW_LINKS);
        Files.deleteIfExists(m);
        Files.setLastModifiedTime(d, time);
      }
    }
    return dir;
  }

  /**
   * Each entry of {@code tar} by its path relative to the extraction root (the root itself left
   * out), true for a directory; read with commons-compress, not cairn's reader.
   */
  private static Map<String, Boolean> entries(byte[] tar) throws IOException {
    Map<String, Boolean> out = new java.util.LinkedHashMap<>();
    try (var in =
        new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
            new ByteArrayInputStream(tar))) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        String name = relative(e.getName());
        if (!name.isEmpty()) {
          out.remove(name); // the later entry decides, in stream order
          out.put(name, e.isDirectory());
        }
      }
    }
    return out;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (var children = Files.list(p)) {
        for (Path c : children.toList()) {
          deleteTree(c);
        }
      }
    }
    Files.delete(p);
  }

  private static void extractInto(Path dir, List<String> options, byte[] t)
      throws IOException, InterruptedException {
    Path tar = Tools.require("tar");
    Path file = Files.createTempFile(dir.getParent(), "layer", ".tar");
    try {
      Files.write(file, t);
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  tar.toString(),
                  "-x",
                  "-p",
                  "--numeric-owner",
                  "--delay-directory-restore",
                  "--xattrs",
                  "--xattrs-include=*"));
      if (Posix.geteuid() == 0) {
        cmd.add("--same-owner");
      }
      cmd.addAll(options);
      cmd.addAll(List.of("-f", file.toString(), "-C", dir.toString()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as("%s: %s", String.join(" ", cmd), log).isZero();
      applyLinkHeaders(dir, t);
    } finally {
      Files.delete(file);
    }
  }

  /**
   * Docker's rule for hard links, which GNU tar lacks, applied after {@code tar -x} of {@code tar}
   * into {@code dir}: GNU tar leaves a linked file as its own entry made it, docker applies the
   * link entry's header to it as to any entry (moby pkg/archive createTarFile: Lchown, xattrs, then
   * chmod and times unless the link names a symlink). Each link entry is applied in order to what
   * its name holds, unless a later entry of the tar names that path again.
   */
  public static void applyLinkHeaders(Path dir, byte[] tar) throws IOException {
    List<TarEntry> entries = new ArrayList<>();
    TarReader reader = new TarReader(new ByteArrayInputStream(tar));
    for (TarEntry e; (e = reader.next()) != null; ) {
      entries.add(e);
    }
    for (int i = 0; i < entries.size(); i++) {
      TarEntry e = entries.get(i);
      String name = relative(e.name());
      boolean namedAgain =
          entries.subList(i + 1, entries.size()).stream()
              .anyMatch(later -> relative(later.name()).equals(name));
      if (e.type() != TarEntry.Type.HARDLINK || namedAgain) {
        continue;
      }
      byte[] path = Posix.bytes(dir.resolve(name).toString());
      if (Posix.geteuid() == 0) {
        Posix.fchownat(
            Posix.AT_FDCWD, path, (int) e.uid(), (int) e.gid(), Posix.AT_SYMLINK_NOFOLLOW);
      }
      for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
        try {
          Posix.lsetxattr(Posix.AT_FDCWD, path, x.getKey(), x.getValue());
        } catch (PosixException err) {
          if (err.errno() != Posix.EPERM && err.errno() != Posix.EOPNOTSUPP) {
            throw err; // docker ignores these two
          }
        }
      }
      if (Posix.lstatat(Posix.AT_FDCWD, path).isSymlink()) {
        continue;
      }
      Posix.fchmodat(Posix.AT_FDCWD, path, (int) (e.mode() & 07777));
      Instant t = e.mtime(); // trees compare no access times: the same for both
      Posix.utimensat(
          Posix.AT_FDCWD,
          path,
          t.getEpochSecond(),
          t.getNano(),
          t.getEpochSecond(),
          t.getNano(),
          Posix.AT_SYMLINK_NOFOLLOW);
    }
  }

  /** A tar name as a path below the extraction directory. */
  private static String relative(String name) {
    return Path.of("/", name).normalize().toString().substring(1);
  }
}
