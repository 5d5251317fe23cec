package dev.cairn.graph;

import static dev.cairn.graph.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.archive.ParentNeededException;
import dev.cairn.digest.Digest;
import dev.cairn.driver.Driver;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.posix.Posix;
import dev.cairn.testing.GnuTar;
import dev.cairn.testing.Seeds;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Tools;
import dev.cairn.testing.Trees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes applied ahead of their parents (overlay) end up exactly as nodes registered in order: same
 * merged trees, root metadata and rebuilt tars. Runs as root; on CI overlayfs must work.
 */
class StagedRegisterTest {
  @TempDir Path tmp;
  private final Random random = Seeds.random(StagedRegisterTest.class);

  @BeforeEach
  void requireOverlay() throws IOException {
    try (Driver probe = Drivers.open(tmp.resolve("probe"), "overlay", DriverOptions.defaults())) {
      assertThat(probe.name()).isEqualTo("overlay");
    } catch (CairnException e) {
      Tools.requireThat(false, "overlayfs cannot be used here: " + e.getMessage());
    }
  }

  private Graph open(String name) throws IOException {
    Path root = tmp.resolve(name);
    Driver driver = Drivers.open(root, "overlay", DriverOptions.defaults());
    return Graph.open(root, driver);
  }

  // The base sets its root's mode (and gets an xattr on it below); the middle layer does not set
  // its root, so it inherits both; the top sets its own root mode and keeps the xattr.
  private static final byte[] BASE =
      TarBuilder.tar()
          .dir("./", 0751)
          .dir("etc")
          .file("etc/os", "base\n")
          .file("etc/gone", "x")
          .bytes();
  private static final byte[] MIDDLE =
      TarBuilder.tar().dir("etc").file("etc/middle", "m\n").whiteout("etc", "gone").bytes();
  private static final byte[] TOP =
      TarBuilder.tar().dir("./", 0700).dir("srv").file("srv/top", "t\n").bytes();

  @Test
  void nodesAppliedAheadOfTheirParentsEqualNodesRegisteredInOrder() throws IOException {
    List<String> ids = List.of(Fixtures.id(random), Fixtures.id(random), Fixtures.id(random));
    List<byte[]> layers = List.of(BASE, MIDDLE, TOP);

    try (Graph inOrder = open("in-order");
        Graph ahead = open("ahead")) {
      for (int i = 0; i < 3; i++) {
        inOrder.register(spec(ids, i), new ByteArrayInputStream(layers.get(i)));
        if (i == 0) {
          markRoot(inOrder, ids.get(0));
        }
      }
      assertThat(ahead.stagesAhead()).isTrue();
      try (Graph.Staged top = ahead.stage(spec(ids, 2), new ByteArrayInputStream(TOP));
          Graph.Staged middle = ahead.stage(spec(ids, 1), new ByteArrayInputStream(MIDDLE))) {
        assertThat(ahead.exists(ids.get(1))).isFalse();
        assertThat(ahead.exists(ids.get(2))).isFalse();
        ahead.register(spec(ids, 0), new ByteArrayInputStream(BASE));
        markRoot(ahead, ids.get(0));
        middle.commit();
        top.commit();
      }

      for (String id : ids) {
        assertThat(ahead.get(id)).isEqualTo(inOrder.get(id));
        assertThat(tarOf(ahead, id)).isEqualTo(tarOf(inOrder, id));
      }
      Map<String, String> expected = merged(inOrder, ids.get(2));
      assertThat(merged(ahead, ids.get(2))).isEqualTo(expected);
      assertThat(merged(ahead, ids.get(1))).isEqualTo(merged(inOrder, ids.get(1)));
      assertThat(merged(ahead, ids.get(1)).get(".")).startsWith("40751 ").contains("user.mark");
      assertThat(expected.get(".")).startsWith("40700 ").contains("user.mark");
      assertThat(staging(ahead)).isEmpty();
    }
  }

  @Test
  void aStagedNodeThatIsNotCommittedLeavesNothing() throws IOException {
    List<String> ids = List.of(Fixtures.id(random), Fixtures.id(random));
    Path root = tmp.resolve("store");
    try (Graph graph = open("store")) {
      try (Graph.Staged child = graph.stage(spec(ids, 1), new ByteArrayInputStream(MIDDLE))) {
        assertThat(Files.exists(root.resolve("overlay").resolve(ids.get(1)))).isTrue();
        assertThatThrownBy(child::commit)
            .isInstanceOf(CairnException.class)
            .hasMessageContaining("parent image " + ids.get(0) + " not found");
      }
      assertThat(graph.exists(ids.get(1))).isFalse();
      assertThat(Files.exists(root.resolve("overlay").resolve(ids.get(1)))).isFalse();
      assertThat(Files.exists(root.resolve("graph").resolve(ids.get(1)))).isFalse();
      assertThat(staging(graph)).isEmpty();

      // The ID is free again, and the usual order still works.
      graph.register(spec(ids, 0), new ByteArrayInputStream(BASE));
      graph.register(spec(ids, 1), new ByteArrayInputStream(MIDDLE));
      assertThat(graph.get(ids.get(1)).parent()).isEqualTo(ids.get(0));
    }
  }

  @Test
  void aLayerWhoseParentExistsIsAppliedOnIt() throws IOException {
    List<String> ids = List.of(Fixtures.id(random), Fixtures.id(random));
    try (Graph graph = open("store")) {
      graph.register(spec(ids, 0), new ByteArrayInputStream(BASE));
      try (Graph.Staged child = graph.stage(spec(ids, 1), new ByteArrayInputStream(MIDDLE))) {
        child.commit();
      }
      assertThat(merged(graph, ids.get(1))).containsKey("etc/middle").doesNotContainKey("etc/gone");
    }
  }

  @Test
  void aLayerLinkingToAFileBelowIsNotAppliedAheadButOnItsParentOnceThere() throws Exception {
    byte[] base =
        TarBuilder.tar().dir("./").dir("bin/").file("bin/tool", "tool\n").file("a", "a\n").bytes();
    byte[] linking =
        TarBuilder.tar()
            .dir("./")
            .hardlink("b", "a")
            .dir("bin/")
            .hardlink("bin/tool2", "bin/tool")
            .bytes();
    List<String> ids = List.of(Fixtures.id(random), Fixtures.id(random));
    Path root = tmp.resolve("store");
    try (Graph graph = open("store")) {
      assertThatThrownBy(() -> graph.stage(spec(ids, 1), new ByteArrayInputStream(linking)))
          .isInstanceOf(ParentNeededException.class)
          .hasMessageContaining("hard link target \"a\" is not in the layer");
      assertThat(Files.exists(root.resolve("overlay").resolve(ids.get(1)))).isFalse();
      assertThat(staging(graph)).isEmpty();

      graph.register(spec(ids, 0), new ByteArrayInputStream(base));
      try (Graph.Staged child = graph.stage(spec(ids, 1), new ByteArrayInputStream(linking))) {
        child.commit();
      }
      for (String id : ids) {
        assertThat(Digest.sha256(tarOf(graph, id))).isEqualTo(graph.get(id).diffId());
      }
      assertThat(tarOf(graph, ids.get(1))).isEqualTo(linking);
      Path view = graph.driver().get(ids.get(1));
      try {
        assertThat(Trees.snapshot(view))
            .containsEntry("b", Trees.snapshot(view).get("a"))
            .isEqualTo(Trees.snapshot(GnuTar.extract(tmp, List.of(), base, linking)));
      } finally {
        graph.driver().put(ids.get(1));
      }
    }
  }

  /** An xattr on the base layer's own root directory, which layers above it inherit. */
  private static void markRoot(Graph g, String base) throws IOException {
    Path diff = g.root().resolve("overlay").resolve(base).resolve("diff");
    Posix.lsetxattr(
        Posix.AT_FDCWD, Posix.bytes(diff.toString()), "user.mark", Posix.bytes("from the base"));
  }

  private static NodeSpec spec(List<String> ids, int i) {
    String parent = i == 0 ? null : ids.get(i - 1);
    return NodeSpec.of(ids.get(i), parent, json(ids.get(i), parent));
  }

  private static byte[] tarOf(Graph g, String id) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    g.tarLayer(id, out);
    return out.toByteArray();
  }

  /** The merged view of a node, directory times aside (the layers were applied at other times). */
  private static Map<String, String> merged(Graph g, String id) throws IOException {
    Path view = g.driver().get(id);
    try {
      return Trees.snapshot(view, false);
    } finally {
      g.driver().put(id);
    }
  }

  private static List<Path> staging(Graph g) throws IOException {
    try (Stream<Path> s = Files.list(g.root().resolve("graph").resolve("_tmp"))) {
      return s.toList();
    }
  }
}
