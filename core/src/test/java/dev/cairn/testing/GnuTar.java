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
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
   * without cairn's extractor. Each layer is taken in stream order: GNU tar extracts the entries up
   * to a whiteout, then this method applies the whiteout to what is there ({@code .wh.NAME} removes
   * NAME; {@code .wh..wh..opq} removes whatever in its directory this layer did not itself unpack,
   * as moby's AUFS handling does), and so on to the end. A name that changes between directory and
   * non-directory is cleared first, as docker replaces it. The directories the layer names get
   * their own times back at the end, as docker sets them last.
   */
  public static Path layers(Path parent, byte[]... layers)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(parent, "gnu-tar-layers");
    for (byte[] layer : layers) {
      List<Member> members = members(layer);
      Set<String> unpacked = new HashSet<>();
      Map<Path, FileTime> dirTimes = new LinkedHashMap<>();
      int from = 0; // the first member not yet extracted
      for (int i = 0; i <= members.size(); i++) {
        Member m = i < members.size() ? members.get(i) : null;
        String base = m == null ? null : Path.of(m.name()).getFileName().toString();
        if (m != null && !base.startsWith(".wh.")) {
          continue;
        }
        List<Member> run = members.subList(from, i);
        if (!run.isEmpty()) {
          extractRun(dir, layer, run, i == members.size());
          for (Member r : run) {
            unpacked.add(r.name());
            Path p = dir.resolve(r.name());
            if (r.directory() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
              dirTimes.remove(p); // the later entry's time is the one that stays
              dirTimes.put(p, Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
            }
          }
        }
        from = i + 1;
        if (m == null) {
          break;
        }
        Path where = dir.resolve(m.name()).getParent();
        if (base.equals(".wh..wh..opq")) {
          if (Files.isDirectory(where, LinkOption.NOFOLLOW_LINKS)) {
            removeNotUnpacked(dir, where, unpacked);
          }
        } else {
          Trees.delete(where.resolve(base.substring(".wh.".length())));
        }
      }
      for (Map.Entry<Path, FileTime> t : dirTimes.entrySet()) {
        if (Files.isDirectory(t.getKey(), LinkOption.NOFOLLOW_LINKS)) {
          Files.setLastModifiedTime(t.getKey(), t.getValue());
        }
      }
    }
    return dir;
  }

  /** One member of a tar: its name below the extraction root, and where its blocks lie. */
  private record Member(String name, boolean directory, int start, int end) {}

  /**
   * Extracts {@code run}, consecutive members of {@code layer}, with GNU tar: their blocks cut out
   * of the layer as they are (extension headers included), ended as a tar ends.
   */
  private static void extractRun(Path dir, byte[] layer, List<Member> run, boolean last)
      throws IOException, InterruptedException {
    Map<String, Boolean> finalKind = new LinkedHashMap<>();
    run.forEach(m -> finalKind.put(m.name(), m.directory()));
    for (Map.Entry<String, Boolean> e : finalKind.entrySet()) {
      Path entry = dir.resolve(e.getKey());
      if (!e.getKey().isEmpty()
          && Files.exists(entry, LinkOption.NOFOLLOW_LINKS)
          && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) != e.getValue()) {
        // Docker replaces what a name held unless both are directories; GNU tar cannot put a
        // file where a non-empty directory is.
        Trees.delete(entry);
      }
    }
    int start = run.getFirst().start();
    int end = last ? layer.length : run.getLast().end(); // the last run keeps the layer's end
    // the blocks, then two zero blocks: a tar's end
    byte[] part = Arrays.copyOf(Arrays.copyOfRange(layer, start, end), end - start + 1024);
    extractInto(dir, List.of(), part);
  }

  /**
   * What an opaque marker in {@code d} removes: every path below it that this layer did not unpack
   * (a directory it did unpack is kept and looked into).
   */
  private static void removeNotUnpacked(Path root, Path d, Set<String> unpacked)
      throws IOException {
    try (var children = Files.list(d)) {
      for (Path c : children.toList()) {
        if (!unpacked.contains(root.relativize(c).toString())) {
          Trees.delete(c);
        } else if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) {
          removeNotUnpacked(root, c, unpacked);
        }
      }
    }
  }

  /**
   * The members of {@code tar} in stream order: names and kinds read with commons-compress, not
   * cairn's reader; block positions from the ustar size fields, extension headers ({@code x},
   * {@code g}, {@code L}, {@code K}) counted with the member they precede.
   */
  private static List<Member> members(byte[] tar) throws IOException {
    List<int[]> blocks = new ArrayList<>();
    int at = 0;
    int start = 0;
    while (at + 512 <= tar.length && !zero(tar, at)) {
      byte type = tar[at + 156];
      int next = at + 512 + (int) ((size(tar, at) + 511) / 512 * 512);
      if (type != 'x' && type != 'g' && type != 'L' && type != 'K') {
        blocks.add(new int[] {start, next});
        start = next;
      }
      at = next;
    }
    List<Member> out = new ArrayList<>();
    try (var in =
        new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
            new ByteArrayInputStream(tar))) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        int[] b = blocks.get(out.size());
        out.add(new Member(relative(e.getName()), e.isDirectory(), b[0], b[1]));
      }
    }
    assertThat(out).as("members found by their headers' sizes").hasSameSizeAs(blocks);
    return out;
  }

  /** A ustar size field: octal digits, or base-256 when its first byte has the top bit set. */
  private static long size(byte[] tar, int header) {
    long v = 0;
    if ((tar[header + 124] & 0x80) != 0) {
      for (int i = 125; i < 136; i++) {
        v = (v << 8) | (tar[header + i] & 0xff);
      }
      return v;
    }
    for (int i = 124; i < 136; i++) {
      byte c = tar[header + i];
      if (c >= '0' && c <= '7') {
        v = v * 8 + (c - '0');
      } else if (v > 0 || (c != ' ' && c != 0)) {
        break;
      }
    }
    return v;
  }

  private static boolean zero(byte[] tar, int at) {
    for (int i = at; i < at + 512; i++) {
      if (tar[i] != 0) {
        return false;
      }
    }
    return true;
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
