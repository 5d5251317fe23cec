package dev.cairn.store;

import dev.cairn.graph.Fsck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** {@link Store#check}: the store opened under a pinned root lock, then {@link Fsck}. */
final class StoreCheck {
  /** Nodes checked at once: their reads wait on the disk more than on a core. */
  private static final int PARALLELISM =
      Math.min(16, 4 * Runtime.getRuntime().availableProcessors());

  private StoreCheck() {}

  static CheckResult run(Path root, StoreOptions options, boolean repair, CheckListener listener)
      throws IOException {
    if (!Files.isDirectory(root.resolve("graph"), LinkOption.NOFOLLOW_LINKS)) {
      Store.open(root, options).close(); // made as every command makes it; nothing in it to check
    }
    try (Fsck.Pin pin = Fsck.pin(root);
        Store store = Store.open(root, options)) {
      Fsck.Summary s =
          Fsck.run(
              store.graph(),
              store.tags(),
              pin,
              repair,
              PARALLELISM,
              new Fsck.Listener() {
                @Override
                public void problem(String subject, String reason) {
                  listener.problem(new CheckProblem(subject, reason));
                }

                @Override
                public void repaired(String action, String what) {
                  listener.repaired(new Store.Removal(action, what));
                }
              });
      return new CheckResult(s.nodes(), s.tags(), s.problems(), s.unrepaired());
    }
  }
}
