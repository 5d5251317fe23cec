package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.posix.Posix;
import dev.cairn.tar.TarEntry;
import dev.cairn.testing.GnuTar;
import dev.cairn.testing.Seeds;
import dev.cairn.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random layers extracted by cairn and by GNU {@code tar -x --same-owner --numeric-owner -p} must
 * give the same tree: names, types, modes, owners, sizes, link targets, contents and times. GNU tar
 * is asked to set directory times at the end, as cairn always does; where it differs from docker (a
 * hard link's header, which docker applies to the linked file), docker's rule is added to its tree.
 */
class GnuTarComparisonTest {
  Path work;

  @BeforeEach
  void setUp() throws IOException {
    work = Files.createTempDirectory("cairn-gnutar");
  }

  @AfterEach
  void tearDown() throws IOException {
    new ProcessBuilder("rm", "-rf", work.toString()).inheritIO().start().onExit().join();
  }

  static boolean gnuTarPresent() {
    try {
      Process p = new ProcessBuilder("tar", "--version").redirectErrorStream(true).start();
      return new String(p.getInputStream().readAllBytes()).contains("GNU tar") && p.waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static Stream<Long> seeds() {
    return Seeds.stream(GnuTarComparisonTest.class, 25).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void cairnExtractsWhatGnuTarExtracts(long seed) throws Exception {
    Tools.requireThat(gnuTarPresent(), "GNU tar is not installed");
    boolean root = Posix.geteuid() == 0;
    Random random = new Random(seed);
    TestLayer layer = randomLayer(random, root);
    Path run = Files.createTempDirectory(work, "run");
    Path tarFile = run.resolve("layer.tar");
    Files.write(tarFile, layer.tar());
    Path gnu = Files.createDirectory(run.resolve("gnu"));
    Path ours = Files.createDirectory(run.resolve("ours"));

    List<String> cmd =
        new ArrayList<>(List.of("tar", "-x", "-p", "--numeric-owner", "--delay-directory-restore"));
    if (root) {
      cmd.add("--same-owner");
    }
    cmd.addAll(List.of("-f", tarFile.toString(), "-C", gnu.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("tar -x: %s", out).isZero();
    // GNU tar leaves a linked file as its own entry made it; docker, the reference, applies the
    // link's header to it.
    GnuTar.applyLinkHeaders(gnu, Files.readAllBytes(tarFile));

    ApplyResult r = Layer.apply(Files.newInputStream(tarFile), ours, ApplyOptions.defaults());
    assertThat(r.diffId()).isEqualTo(Digest.sha256(Files.readAllBytes(tarFile)));
    assertThat(describe(ours)).isEqualTo(describe(gnu));
  }

  static Map<String, String> describe(Path top) throws IOException {
    Map<String, String> d = new TreeMap<>();
    try (Stream<Path> all = Files.walk(top)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (p.equals(top)) {
          continue;
        }
        Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        String rel = top.relativize(p).toString();
        StringBuilder s = new StringBuilder();
        s.append(String.format("mode=%o uid=%s gid=%s", a.get("mode"), a.get("uid"), a.get("gid")));
        if (Files.isSymbolicLink(p)) {
          s.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          s.append(" size=").append(a.get("size"));
          s.append(" nlink=").append(a.get("nlink"));
          s.append(" ").append(Digest.sha256(Files.readAllBytes(p)));
        } else if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          s.append(" rdev=").append(a.get("rdev"));
        }
        if (!rel.startsWith("implied")) { // implied parents get the time of extraction
          s.append(" mtime=").append(a.get("lastModifiedTime"));
        }
        d.put(rel, s.toString());
      }
    }
    return d;
  }

  private static final int[] FILE_MODES = {0644, 0600, 0755, 04755, 02711, 0444, 0666, 01644};
  private static final int[] DIR_MODES = {0755, 0700, 0775, 01777, 02755, 0555, 0750};
  private static final long[] IDS = {0, 1, 33, 1000, 65534, 100000};

  static TestLayer randomLayer(Random r, boolean root) {
    TestLayer layer = TestLayer.of();
    List<String> dirs = new ArrayList<>(List.of(""));
    List<String> files = new ArrayList<>();
    int n = 1 + r.nextInt(8);
    for (int i = 0; i < n; i++) {
      String parent = dirs.get(r.nextInt(dirs.size()));
      String name = parent + "d" + i + "/";
      dirs.add(name);
      layer.entry(
          common(
              r, TarEntry.directory(name).withMode(DIR_MODES[r.nextInt(DIR_MODES.length)]), root),
          new byte[0]);
    }
    int m = 1 + r.nextInt(25);
    for (int i = 0; i < m; i++) {
      String parent = dirs.get(r.nextInt(dirs.size()));
      String name = parent + (r.nextInt(10) == 0 ? "with space " : "f") + i;
      int kind = r.nextInt(10);
      if (kind < 6) {
        byte[] content = new byte[r.nextInt(r.nextInt(10) == 0 ? 200_000 : 3000)];
        r.nextBytes(content);
        TarEntry e =
            TarEntry.regular(name, content.length)
                .withMode(FILE_MODES[r.nextInt(FILE_MODES.length)]);
        layer.entry(common(r, e, root), content);
        files.add(name);
      } else if (kind < 8) {
        String target =
            switch (r.nextInt(3)) {
              case 0 -> "../" + (files.isEmpty() ? "nowhere" : files.get(r.nextInt(files.size())));
              case 1 -> "/etc/passwd";
              default -> "dangling/" + i;
            };
        layer.entry(common(r, TarEntry.symlink(name, target), root), new byte[0]);
      } else if (kind == 8 && !files.isEmpty()) {
        layer.hardlink(name, files.get(r.nextInt(files.size())));
      } else if (root && r.nextBoolean()) {
        layer.entry(
            common(r, TarEntry.device(name, (byte) '3', 1, 3).withMode(0666), root), new byte[0]);
      } else {
        layer.entry(common(r, TarEntry.fifo(name).withMode(0640), root), new byte[0]);
      }
    }
    layer.file("implied/deep/file", "parents not in the tar");
    return layer;
  }

  static TarEntry common(Random r, TarEntry e, boolean root) {
    long uid = root ? IDS[r.nextInt(IDS.length)] : 0;
    long gid = root ? IDS[r.nextInt(IDS.length)] : 0;
    long seconds = 1_000_000_000L + r.nextInt(500_000_000);
    int nanos = r.nextBoolean() ? 0 : r.nextInt(1_000_000_000);
    return e.withOwner(uid, gid, "", "").withMtime(Instant.ofEpochSecond(seconds, nanos));
  }
}
