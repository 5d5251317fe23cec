package dev.cairn.cli;

import dev.cairn.store.CheckListener;
import dev.cairn.store.CheckProblem;
import dev.cairn.store.CheckResult;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn fsck}: checks the store, and with --repair removes what is broken. */
@Command(
    name = "fsck",
    mixinStandardHelpOptions = true,
    description = {
      "Check the store: every node's files, ID and layer (rebuilt to its DiffID), every tag, the"
          + " driver's layers, and the leftovers of interrupted work.",
      "Prints one line per problem and a summary. With --repair, a broken node is removed with"
          + " every image above it and their tags (a pull fetches them again), and so are orphan"
          + " layers and leftovers; a node that is mounted or in use by a running pull, save or"
          + " load is kept and reported. A healthy node is never removed."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      "0:the store has no problems (with --repair: none left)",
      ExitStatus.INVALID,
      ExitStatus.CONFLICT,
      ExitStatus.UNAVAILABLE,
      ExitStatus.DAMAGED
    })
final class FsckCommand implements Callable<Integer> {
  /** The exit status of a store with problems (left). */
  static final int DAMAGED = 6;

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = "--repair",
      description =
          "Remove broken nodes with the images above them, orphan layers and leftovers; rewrite"
              + " what cairn can compute again.")
  boolean repair;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    CheckResult r =
        Store.check(
            main.root(),
            main.storeOptions(dev.cairn.registry.RegistryOptions.defaults()),
            repair,
            new CheckListener() {
              @Override
              public void problem(CheckProblem problem) {
                out.println(problem);
              }

              @Override
              public void repaired(Store.Removal step) {
                out.println(step);
              }
            });
    out.println(summary(r));
    out.flush();
    if (r.clean()) {
      return 0;
    }
    // as every failing command, one line on stderr
    spec.commandLine()
        .getErr()
        .println(
            "cairn: "
                + (repair
                    ? "the store still has "
                        + count(r.unrepaired())
                        + " that no repair can mend now"
                    : "the store has "
                        + count(r.problems())
                        + "; cairn fsck --repair removes"
                        + " what is broken"));
    return DAMAGED;
  }

  private static String count(int problems) {
    return problems + (problems == 1 ? " problem" : " problems");
  }

  private String summary(CheckResult r) {
    String checked =
        "checked "
            + r.nodes()
            + (r.nodes() == 1 ? " node" : " nodes")
            + " and "
            + r.tags()
            + (r.tags() == 1 ? " tag" : " tags")
            + ": ";
    if (r.problems() == 0) {
      return checked + "no problems";
    }
    String found = r.problems() + (r.problems() == 1 ? " problem" : " problems");
    if (!repair) {
      return checked + found;
    }
    return checked
        + found
        + (r.unrepaired() == 0 ? ", all repaired" : ", " + r.unrepaired() + " not repaired");
  }
}
