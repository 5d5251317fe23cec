package dev.cairn.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.driver.Driver;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.testing.Seeds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two processes on one root: they see each other's commits and never corrupt the store. */
class SharedRootTest {
  @TempDir Path root;

  private static String run(Process p) throws Exception {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "child failed: " + out);
    return out;
  }

  private Process child(String... args) throws IOException {
    return new ProcessBuilder(GraphChild.command(args))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  @Test
  void bothProcessesRegisterTheSameIdsAndEachIdIsRegisteredOnce() throws Exception {
    long seed = Seeds.of(SharedRootTest.class);
    int count = 40;
    Driver driver = Drivers.open(root, "vfs", DriverOptions.defaults());
    try (Graph graph = Graph.open(root, driver)) {
      Process other =
          child("register", root.toString(), Long.toString(seed), Integer.toString(count));
      int mine = 0;
      for (String id : GraphChild.ids(seed, count)) {
        if (GraphChild.tryRegister(graph, id, seed)) {
          mine++;
        }
      }
      int theirs = Integer.parseInt(run(other));
      assertEquals(count, mine + theirs, "every ID registered exactly once");
      graph.refresh();
      assertEquals(count, graph.map().size());
    }
    try (Graph graph = Graph.open(root, driver)) {
      graph.map(); // reads every node
      assertEquals(List.of(), graph.skipped());
      for (String id : GraphChild.ids(seed, count)) {
        Node n = graph.get(id);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        graph.tarLayer(id, tar);
        assertEquals(n.diffId(), Digest.sha256(tar.toByteArray()));
      }
    }
  }

  @Test
  void aSecondProcessNeitherCleansOurStagingNorDeletesWhatWeHold() throws Exception {
    Driver driver = Drivers.open(root, "vfs", DriverOptions.defaults());
    Random random = Seeds.random(SharedRootTest.class);
    try (Graph graph = Graph.open(root, driver)) {
      String base = Fixtures.id(random);
      graph.register(
          NodeSpec.of(base, null, Fixtures.json(base, null)),
          new ByteArrayInputStream(Fixtures.tar("a", "1")));
      // Something of ours in flight: the other process must not take it for a leftover.
      String staged = Fixtures.id(random);
      Path stage =
          Files.createDirectories(root.resolve("graph/_tmp/" + staged + ".0011223344556677"));
      driver.create(staged, null);
      graph.map(); // every node known: from here this graph answers from memory

      String childIds = run(child("register", root.toString(), "11", "3"));
      assertEquals("3", childIds);
      assertTrue(Files.exists(stage));
      assertTrue(driver.exists(staged));
      assertFalse(graph.exists(GraphChild.ids(11, 3).getFirst()), "not seen before a refresh");
      graph.refresh();
      for (String id : GraphChild.ids(11, 3)) {
        assertTrue(graph.exists(id));
      }

      try (Graph.Hold held = graph.retain(List.of(base))) {
        // A JVM of its own deleting a node we hold: refused through the file lock.
        Graph other = null;
        try {
          other = Graph.open(root, driver);
          CairnException e = assertThrows(other, base);
          assertEquals(CairnException.Kind.CONFLICT, e.kind());
        } finally {
          if (other != null) {
            other.close();
          }
        }
      }
    }
  }

  private static CairnException assertThrows(Graph g, String id) {
    return org.junit.jupiter.api.Assertions.assertThrows(CairnException.class, () -> g.delete(id));
  }
}
