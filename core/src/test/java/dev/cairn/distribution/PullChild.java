package dev.cairn.distribution;

import dev.cairn.image.Platform;
import dev.cairn.image.Reference;
import java.nio.file.Path;
import java.util.List;

/**
 * A second process pulling into a store, for the tests of pulls across processes: {@code ROOT REF
 * [READ_TIMEOUT_SECONDS [keep]]} pulls one image (vfs store, linux/amd64; with {@code keep},
 * keeping its blobs) and prints {@code TOP NODE,NODE,...} (base first).
 */
final class PullChild {
  private PullChild() {}

  public static void main(String[] args) throws Exception {
    java.util.function.UnaryOperator<dev.cairn.registry.RegistryOptions> tune =
        args.length > 2
            ? o ->
                o.withTimeouts(
                    java.time.Duration.ofSeconds(5),
                    java.time.Duration.ofSeconds(Long.parseLong(args[2])))
            : o -> o;
    try (PullFixture f = new PullFixture(Path.of(args[0]), tune)) {
      PullResult r =
          f.puller.pull(
              Reference.parse(args[1]),
              PullOptions.defaults()
                  .withPlatform(Platform.parse("linux/amd64"))
                  .withKeepBlobs(args.length > 3 && args[3].equals("keep")),
              ProgressListener.NONE);
      System.out.println(r.topNodeId() + " " + String.join(",", r.nodeIds()));
    }
  }

  /** A command line that runs this class in a fresh JVM with the test class path. */
  static List<String> command(String... args) {
    return dev.cairn.testing.Tools.childJvm(PullChild.class, args);
  }
}
