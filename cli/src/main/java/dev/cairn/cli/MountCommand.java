package dev.cairn.cli;

import dev.cairn.store.Store;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn mount}: the directory holding an image's filesystem. */
@Command(
    name = "mount",
    mixinStandardHelpOptions = true,
    description = {
      "Print the directory that holds an image's whole filesystem.",
      "The overlay driver mounts it. It stays until as many cairn unmounts as mounts, from any"
          + " process, and the image cannot be removed meanwhile. Treat it as read-only."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.NOT_FOUND,
      ExitStatus.CONFLICT,
      ExitStatus.UNAVAILABLE
    })
final class MountCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "IMAGE", description = "Name, name:tag or image ID.")
  String image;

  @Override
  public Integer call() throws IOException {
    try (Store store = main.openStore()) {
      spec.commandLine().getOut().println(store.mount(image));
    }
    return 0;
  }
}
