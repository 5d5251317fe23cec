package dev.cairn.cli;

import dev.cairn.store.Store;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code cairn unmount}: undoes {@code cairn mount}. */
@Command(
    name = "unmount",
    aliases = "umount",
    mixinStandardHelpOptions = true,
    description = {
      "Release the directory cairn mount gave for an image; each mount needs its own unmount.",
      "IMAGE may be an image ID (full or short), also once the image has no name left."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.NOT_FOUND,
      ExitStatus.CONFLICT,
      ExitStatus.UNAVAILABLE
    })
final class UnmountCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(paramLabel = "IMAGE", description = "Name, name:tag or image ID.")
  String image;

  @Override
  public Integer call() throws IOException {
    try (Store store = main.openStore()) {
      store.unmount(image);
    }
    return 0;
  }
}
