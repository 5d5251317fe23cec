package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn rmi}: untag, and delete what nothing names any more. */
@Command(
    name = "rmi",
    mixinStandardHelpOptions = true,
    description = {
      "Remove images.",
      "A name is untagged; the image is deleted once no name and no child image refers to it,"
          + " and so are the nodes beneath it that nothing else uses. Images with dependent"
          + " children, mounted, or in use by a running pull, save or load are never deleted: by"
          + " name they are only untagged (the last name of a mounted image only with -f), by ID"
          + " refused."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      "0:every image was removed",
      ExitStatus.INVALID,
      "2:an image does not exist",
      "4:an image is in use, has children or needs --force; or the store was made with another"
          + " driver or other ID maps",
      ExitStatus.UNAVAILABLE
    })
final class RmiCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--force"},
      description =
          "Remove an image referenced in several repositories, with all its names; untag the"
              + " last name of a mounted image.")
  boolean force;

  @Option(names = "--no-prune", description = "Keep the untagged parent images beneath.")
  boolean noPrune;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Name, name:tag or image ID.")
  List<String> images;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int status = 0;
    try (Store store = main.openStore()) {
      for (String image : images) {
        try {
          store.remove(image, force, noPrune).forEach(out::println);
        } catch (CairnException e) {
          // like docker: report each failure and go on with the rest
          err.println("cairn: " + e.getMessage());
          status = Math.max(status, Main.exitCode(e.kind()));
        }
      }
    }
    return status;
  }
}
