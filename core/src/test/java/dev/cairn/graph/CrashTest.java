package dev.cairn.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.digest.Digester;
import dev.cairn.store.Store;
import dev.cairn.store.StoreFixtures;
import dev.cairn.store.StoreOptions;
import dev.cairn.testing.Seeds;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HOSTILE.md "The store": a process killed with SIGKILL at any point of a register or delete leaves
 * the old state or the new one. A child JVM churns the graph and is killed after a random delay,
 * again and again; after each kill the graph is reopened and every visible node must be complete
 * and rebuild to a tar whose SHA-256 is its DiffID, with no leftovers; and no image lists that did
 * not list before the kill, unless the child had completed it (a half-made image shows none). The
 * graph index is held against {@code graph/} after each kill: when it claims to be current it must
 * match, and after a listing it must be current and match.
 */
class CrashTest {
  private static final int KILLS = 200;
  private static final long SEED = Seeds.of(CrashTest.class);

  @TempDir Path root;

  @Test
  void everyVisibleNodeIsCompleteAfterEachKill() throws Exception {
    Random random = new Random(SEED);
    int midRegister = 0;
    int midDelete = 0;
    int checked = 0;
    int unfinishedHeads = 0;
    int freshIndexes = 0; // kills after which the index still matched graph/
    Set<String> listedBefore = Set.of();
    Set<String> completed = new HashSet<>(); // every image a child got to name and finish
    List<String> failures = new ArrayList<>();
    for (int kill = 0; kill < KILLS; kill++) {
      Process child =
          new ProcessBuilder(
                  GraphChild.command("churn", root.toString(), Long.toString(random.nextLong())))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).as("kill %d: the child's first line", kill).isEqualTo("ready");
      // Short, middling and long delays, so kills land in every phase of both operations.
      int band = random.nextInt(10);
      long micros =
          band < 5
              ? random.nextInt(40_000)
              : band < 8 ? 40_000 + random.nextInt(160_000) : 200_000 + random.nextInt(200_000);
      TimeUnit.MICROSECONDS.sleep(micros);
      child.toHandle().destroyForcibly(); // SIGKILL; the handle keeps what it printed readable
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("kill %d: the child ended", kill).isTrue();
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("image ")) {
          completed.add(line.substring("image ".length()));
        }
      }

      try (Stream<Path> tmp = Files.list(root.resolve("graph/_tmp"))) {
        for (Path p : tmp.toList()) {
          if (p.getFileName().toString().endsWith(".del")) {
            midDelete++;
          } else {
            midRegister++;
          }
        }
      }
      // The index may be behind after a kill, but never wrong while it claims to be current.
      if (IndexChecks.claimsFresh(root)) {
        freshIndexes++;
        for (String d : IndexChecks.differences(root)) {
          failures.add("kill " + kill + ": the index claims to be current, but " + d);
        }
      }
      try (Store store = Store.open(root, StoreOptions.defaults().withDriver("vfs"))) {
        Graph graph = StoreFixtures.graph(store);
        Set<String> listed = new HashSet<>();
        store.images(false).forEach(i -> listed.add(i.top().id()));
        if (!IndexChecks.claimsFresh(root)) {
          failures.add("kill " + kill + ": a listing did not bring the index in line");
        }
        for (String d : IndexChecks.differences(root)) {
          failures.add("kill " + kill + ": after a listing, " + d);
        }
        Set<String> appeared = new TreeSet<>(listed);
        appeared.removeAll(listedBefore);
        appeared.removeAll(completed);
        if (!appeared.isEmpty()) {
          failures.add("kill " + kill + ": images that no one completed appeared: " + appeared);
        }
        listedBefore = listed;
        for (String head : graph.heads().keySet()) {
          unfinishedHeads += graph.isUnfinished(head) ? 1 : 0;
        }
        if (!graph.skipped().isEmpty()) {
          failures.add("kill " + kill + ": skipped " + graph.skipped());
        }
        for (Node n : graph.map().values()) {
          checked++;
          String problem = check(graph, n);
          if (problem != null) {
            failures.add("kill " + kill + ": node " + n.id() + ": " + problem);
          }
        }
        try (Stream<Path> tmp = Files.list(root.resolve("graph/_tmp"))) {
          if (tmp.findAny().isPresent()) {
            failures.add("kill " + kill + ": _tmp not emptied");
          }
        }
        Set<String> layers;
        try (Stream<Path> dirs = Files.list(root.resolve("vfs/dir"))) {
          layers =
              dirs.map(p -> p.getFileName().toString())
                  .collect(Collectors.toCollection(TreeSet::new));
        }
        if (!layers.equals(new TreeSet<>(graph.map().keySet()))) {
          failures.add(
              "kill " + kill + ": driver layers " + layers + " but nodes " + graph.map().keySet());
        }
      }
    }
    System.out.printf(
        "crash test: %d kills, %d node checks, %d kills mid-register, %d mid-delete,"
            + " %d unfinished heads seen, %d current indexes checked%n",
        KILLS, checked, midRegister, midDelete, unfinishedHeads, freshIndexes);
    assertThat(failures).as("replay with %s", Seeds.replay()).isEmpty();
    // How many nodes the kills leave depends on how fast the machine is (a kill in the child's
    // first milliseconds leaves none): ask only that the run checked some, so that it cannot pass
    // by checking nothing.
    assertThat(checked).as("node checks after the kills").isPositive();
    assertThat(midRegister).as("kills inside a register").isPositive();
    assertThat(midDelete).as("kills inside a delete").isPositive();
    assertThat(unfinishedHeads).as("kills between an image's nodes and its name").isPositive();
    assertThat(freshIndexes).as("kills leaving an index the child kept current").isPositive();
  }

  private static String check(Graph graph, Node n) throws IOException {
    Path dir = graph.root().resolve("graph").resolve(n.id());
    for (String f : List.of("json", "layersize", "diffid", "tar-data.json.gz")) {
      if (!Files.exists(dir.resolve(f))) {
        return f + " is missing";
      }
    }
    if (n.diffId() == null || n.size() < 0) {
      return "metadata incomplete: " + n;
    }
    Digester digester = Digester.sha256();
    OutputStream sink =
        new OutputStream() {
          @Override
          public void write(int b) {
            digester.update(new byte[] {(byte) b});
          }

          @Override
          public void write(byte[] b, int off, int len) {
            digester.update(b, off, len);
          }
        };
    try {
      graph.tarLayer(n.id(), sink);
    } catch (RuntimeException e) {
      return "tarLayer: " + e.getMessage();
    }
    Digest rebuilt = digester.digest();
    return rebuilt.equals(n.diffId()) ? null : "rebuilt " + rebuilt + " but diffid " + n.diffId();
  }
}
