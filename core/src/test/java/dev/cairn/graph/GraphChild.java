package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.image.Reference;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A second process on a graph root, for the crash and sharing tests: {@code churn ROOT SEED} makes
 * and deletes images until killed, printing {@code image TOP} for each image it is about to name
 * and finish; {@code rounds ROOT SEED N} does the same N times over, then exits; {@code register
 * ROOT SEED COUNT} registers the IDs {@link #ids} names (a conflict with another process is
 * expected and counted) and prints how many it registered.
 */
final class GraphChild {
  private GraphChild() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[1]);
    long seed = Long.parseLong(args[2]);
    try (Graph graph = Graph.open(root, Drivers.open(root, "vfs", DriverOptions.defaults()))) {
      switch (args[0]) {
        case "churn" -> churn(graph, new Random(seed), Long.MAX_VALUE);
        case "rounds" -> churn(graph, new Random(seed), Long.parseLong(args[3]));
        case "register" -> {
          int registered = 0;
          for (String id : ids(seed, Integer.parseInt(args[3]))) {
            if (tryRegister(graph, id, seed)) {
              registered++;
            }
          }
          System.out.println(registered);
        }
        default -> throw new IllegalArgumentException(args[0]);
      }
    }
  }

  /** The IDs both sides of the sharing test register, in order. */
  static List<String> ids(long seed, int count) {
    Random r = new Random(seed);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(Fixtures.id(r));
    }
    return ids;
  }

  static boolean tryRegister(Graph graph, String id, long seed) throws Exception {
    try {
      graph.register(
          NodeSpec.of(id, null, Fixtures.json(id, null)),
          new ByteArrayInputStream(layer(new Random(seed ^ id.hashCode()))));
      return true;
    } catch (CairnException e) {
      if (e.kind() != CairnException.Kind.CONFLICT) {
        throw e;
      }
      return false;
    }
  }

  static byte[] layer(Random r) {
    int files = 1 + r.nextInt(6);
    String[] entries = new String[files * 2 + 2];
    entries[0] = "d/";
    entries[1] = "";
    for (int i = 0; i < files; i++) {
      entries[2 + 2 * i] = "d/f" + i + "-" + r.nextInt(1000);
      entries[3 + 2 * i] = "x".repeat(r.nextInt(40_000));
    }
    return Fixtures.tar(entries);
  }

  private static void churn(Graph graph, Random r, long rounds) throws Exception {
    TagStore tags = TagStore.open(graph);
    System.out.println("ready");
    System.out.flush();
    for (long round = 0; round < rounds; round++) {
      try {
        round(graph, tags, r);
      } catch (CairnException e) {
        // Another process deleted what this one chose, or built on it: as a user would, go on.
        if (e.kind() != CairnException.Kind.NOT_FOUND && e.kind() != CairnException.Kind.CONFLICT) {
          throw e;
        }
      }
    }
  }

  private static void round(Graph graph, TagStore tags, Random r) throws Exception {
    graph.refresh(); // what the other processes did since the last round
    List<String> heads = new ArrayList<>(graph.heads().keySet());
    if (!heads.isEmpty() && (graph.map().size() > 12 || r.nextInt(3) == 0)) {
      String head = heads.get(r.nextInt(heads.size()));
      for (Reference ref : tags.references(head)) {
        tags.untag(ref); // as rmi does: the names go first
      }
      graph.delete(head);
    } else {
      // An image of one to three layers, made as a pull or a load makes one: the nodes commit
      // unfinished, the name comes next, and the image is finished last.
      List<String> all = new ArrayList<>(graph.map().keySet());
      String top = all.isEmpty() || r.nextBoolean() ? null : all.get(r.nextInt(all.size()));
      for (int i = 1 + r.nextInt(3); i > 0; i--) {
        String id = Fixtures.id(r);
        graph.register(
            NodeSpec.of(id, top, Fixtures.json(id, top)).asUnfinished(),
            new ByteArrayInputStream(layer(r)));
        top = id;
      }
      // A Docker 1.9-style chain: finishing it makes every node of it an image, those below
      // that earlier rounds left unfinished included.
      for (String id = top; id != null; id = graph.node(id).map(Node::parent).orElse(null)) {
        System.out.println("image " + id);
      }
      System.out.flush();
      if (r.nextBoolean()) {
        tags.tag(Reference.parse("churn:" + top.substring(0, 12)), top, true);
      }
      graph.finish(top);
    }
  }

  /** A command line that runs this class in a fresh JVM with the test class path. */
  static List<String> command(String... args) {
    return dev.cairn.testing.Tools.childJvm(GraphChild.class, args);
  }
}
