package dev.cairn.cli;

import dev.cairn.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code cairn save}: images to a tar archive that Docker and skopeo load. */
@Command(
    name = "save",
    mixinStandardHelpOptions = true,
    description = {
      "Save one or more images to a tar archive (standard output unless -o is given).",
      "",
      "A name keeps its tag in the archive; an image ID is saved without one. Images that share"
          + " layers store them once. The archive holds manifest.json and the legacy"
          + " <id>/json and <id>/layer.tar entries, so every docker load and skopeo read it.",
      ""
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.NOT_FOUND,
      ExitStatus.CONFLICT,
      ExitStatus.UNAVAILABLE,
      ExitStatus.BROKEN_PIPE
    })
final class SaveCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to FILE instead of standard output.")
  Path output;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image names or IDs.")
  List<String> images;

  @Override
  public Integer call() throws IOException {
    if (output == null) {
      OutputFile.refuseTerminal(main); // before the store is opened
    }
    try (Store store = main.openStore()) {
      if (output == null) {
        OutputFile.toStdout(main, out -> store.save(images, out));
      } else {
        OutputFile.toFile(output, out -> store.save(images, out));
      }
    }
    return 0;
  }
}
