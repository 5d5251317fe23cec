package dev.cairn.cli;

import dev.cairn.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn layer}: work with single layers of the graph. */
@Command(
    name = "layer",
    mixinStandardHelpOptions = true,
    description = "Work with the layers (graph nodes) of the store.",
    subcommands = {LayerCommand.Export.class},
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.NOT_FOUND,
      ExitStatus.CONFLICT,
      ExitStatus.UNAVAILABLE,
      ExitStatus.BROKEN_PIPE
    })
final class LayerCommand {
  @ParentCommand Main main;

  /** {@code cairn layer export ID -o FILE|-}. */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Write a node's layer tar, byte for byte as it was pulled or loaded.",
        "It is rebuilt from its tar-split record; a changed file on disk is an error, never a"
            + " wrong tar."
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
  static final class Export implements Callable<Integer> {
    @ParentCommand LayerCommand layer;
    @Spec CommandSpec spec;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        required = true,
        description = "Where to write the tar, or - for standard output.")
    String output;

    @Parameters(paramLabel = "ID", description = "Node ID or unambiguous prefix.")
    String id;

    @Override
    public Integer call() throws IOException {
      Main main = layer.main;
      if (output.equals("-")) {
        OutputFile.refuseTerminal(main); // before the store is opened
      }
      try (Store store = main.openStore()) {
        if (output.equals("-")) {
          OutputFile.toStdout(main, out -> store.exportLayer(id, out));
        } else {
          OutputFile.toFile(Path.of(output), out -> store.exportLayer(id, out));
        }
      }
      return 0;
    }
  }
}
