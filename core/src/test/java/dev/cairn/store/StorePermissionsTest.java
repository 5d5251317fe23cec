package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.archive.IdMap;
import dev.cairn.graph.Node;
import dev.cairn.image.Reference;
import dev.cairn.posix.Posix;
import dev.cairn.tar.TarEntry;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Tools;
import dev.cairn.testing.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store is its owner's alone, as docker's data root is: an image's setuid files and device nodes
 * are out of every other user's reach, in the store and through a mount.
 */
class StorePermissionsTest {
  private static final Path ID = Path.of("/usr/bin/id");

  @TempDir Path dir;
  Path root;
  Path control;

  @BeforeEach
  void setUp() throws IOException {
    Tools.requireThat(
        Posix.geteuid() == 0, "the test needs root: the image's files belong to root");
    Tools.requireThat(Files.isExecutable(Path.of("/usr/bin/su")), "su is not installed");
    Tools.requireThat(
        Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith("nobody:")),
        "there is no user nobody to try the store as");
    Tools.requireThat(Files.isExecutable(ID), ID + " is not there to copy into the image");
    // The test's own directory is open, so that only the store's modes can keep others out.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    root = dir.resolve("store");
    control = Files.writeString(dir.resolve("control"), "reachable\n");
  }

  /**
   * An image whose base layer holds a setuid-root copy of {@code id} and a 0666 character device
   * (the null device's numbers), with a second layer so that mounting it makes an overlay.
   */
  private Image hostileImage(Store store) throws IOException {
    byte[] id = Files.readAllBytes(ID);
    byte[] base =
        TarBuilder.tar()
            .dir("bin/")
            .add(TarEntry.regular("bin/id", id.length).withMode(04755).withOwner(0, 0, "", ""), id)
            .dir("dev/")
            .add(TarEntry.device("dev/open", (byte) '3', 1, 3).withMode(0666))
            .bytes();
    Image img = store.importTarball(new java.io.ByteArrayInputStream(base), null, "base");
    Node top =
        store
            .graph()
            .create(img.top().id(), "top", TarBuilder.tar().file("etc/motd", "hi\n").stream());
    store.tags().tag(Reference.parse("hostile:1"), top.id(), false);
    return store.image("hostile:1");
  }

  /** Runs {@code script} as {@code who} (a command line prefix) and returns its output lines. */
  private static List<String> runAs(List<String> who, String script)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(who);
    cmd.add(script);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    p.waitFor();
    return new String(out, StandardCharsets.UTF_8).lines().toList();
  }

  /**
   * A script that names what it reached: each path it could stat, each program it could run, each
   * file it could open, then what {@code find} shows under {@code top}.
   */
  private static String probe(List<Path> paths, Path top) {
    StringBuilder s = new StringBuilder();
    for (Path p : paths) {
      String q = "'" + p + "'";
      s.append("stat ").append(q).append(" >/dev/null 2>&1 && echo stat:").append(q).append('\n');
      s.append(q).append(" >/dev/null 2>&1 && echo exec:").append(q).append('\n');
      s.append("(: <").append(q).append(") 2>/dev/null && echo open:").append(q).append('\n');
    }
    s.append("find '").append(top).append("' 2>/dev/null\n");
    return s.toString();
  }

  private static final List<String> NOBODY = List.of("su", "nobody", "-s", "/bin/sh", "-c");

  @Test
  void noPathUnderTheStoreIsReachableByAnotherUserAfterAMount() throws Exception {
    try (Store store = Store.open(root, StoreOptions.defaults())) {
      Image img = hostileImage(store);
      String base = img.chain().getFirst().id();
      Path layer =
          store.driver().name().equals("overlay")
              ? root.resolve("overlay").resolve(base).resolve("diff")
              : root.resolve("vfs").resolve("dir").resolve(base);
      assertThat(Files.getAttribute(layer.resolve("bin/id"), "unix:mode"))
          .as("the setuid bit is kept in the layer")
          .isEqualTo(0104755);
      Path mounted = store.mount("hostile:1");
      try {
        List<Path> targets =
            List.of(
                layer.resolve("bin/id"),
                layer.resolve("dev/open"),
                mounted.resolve("bin/id"),
                mounted.resolve("dev/open"),
                mounted);
        List<String> reached = runAs(NOBODY, "cat '" + control + "'\n" + probe(targets, root));
        assertThat(reached)
            .as("nobody reaches the test's own files, and of the store only its name")
            .containsExactly("reachable", root.toString());
      } finally {
        store.unmount("hostile:1");
      }
    }
  }

  @Test
  void theRemappedRootTraversesToAMountedTreeAndNobodyElseDoes() throws Exception {
    Tools.requireThat(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv is not installed");
    IdMap map = IdMap.parse("0:100000:65536");
    try (Store store = Store.open(root, StoreOptions.defaults().withIdMaps(map, map))) {
      hostileImage(store);
      Path mounted = store.mount("hostile:1");
      try {
        Path motd = mounted.resolve("etc/motd");
        List<String> remappedRoot =
            List.of(
                "setpriv", "--reuid=100000", "--regid=100000", "--clear-groups", "/bin/sh", "-c");
        assertThat(runAs(remappedRoot, "cat '" + motd + "'")).containsExactly("hi");
        List<String> other =
            List.of(
                "setpriv", "--reuid=100001", "--regid=100001", "--clear-groups", "/bin/sh", "-c");
        assertThat(runAs(other, "cat '" + control + "'\n" + probe(List.of(motd), root)))
            .containsExactly("reachable", root.toString());
        assertThat(runAs(remappedRoot, "ls '" + root.resolve("graph") + "' 2>/dev/null"))
            .as("the image metadata stays the owner's")
            .isEmpty();
      } finally {
        store.unmount("hostile:1");
      }
    }
  }

  @Test
  void aStoreThatAnOlderCairnLeftOpenIsClosedOnOpenAndItsLayersAreLeftAsTheyAre()
      throws IOException {
    String driver;
    Path layer;
    try (Store store = Store.open(root, StoreOptions.defaults())) {
      driver = store.driver().name();
      String base = hostileImage(store).chain().getFirst().id();
      layer =
          driver.equals("overlay")
              ? root.resolve("overlay").resolve(base).resolve("diff")
              : root.resolve("vfs").resolve("dir").resolve(base);
    }
    List<Path> dirs =
        List.of(
            root,
            root.resolve("graph"),
            root.resolve("graph/_tmp"),
            root.resolve(driver),
            driver.equals("overlay") ? root.resolve("overlay/l") : root.resolve("vfs/dir"));
    for (Path d : dirs) { // as cairn made them before
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Map<String, String> contents = Trees.snapshot(layer);

    Store.open(root, StoreOptions.defaults()).close();

    List<String> modes = new ArrayList<>();
    for (Path d : dirs) {
      modes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
    }
    assertThat(modes)
        .containsExactly(
            "rwx--x---",
            "rwx------",
            "rwx------",
            "rwx--x---",
            driver.equals("overlay") ? "rwx------" : "rwx--x---");
    assertThat(Trees.snapshot(layer)).isEqualTo(contents);
  }

  @Test
  void anotherUsersStoreIsNotChangedOnOpen() throws IOException {
    Store.open(root, StoreOptions.defaults()).close();
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setAttribute(root, "unix:uid", 65534);
    Map<String, String> before = Trees.snapshot(root);
    Store.open(root, StoreOptions.defaults()).close();
    assertThat(Trees.snapshot(root)).isEqualTo(before);
  }
}
