package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    subcommands = {LayerCommand.Export.class})
final class LayerCommand {
  @ParentCommand Main main;

  /** {@code cairn layer export ID -o FILE|-}. */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Write a node's layer tar, byte for byte as it was pulled or loaded (rebuilt from its",
        "tar-split record; a changed file on disk is an error, never a wrong tar)."
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
      try (Store store = main.openStore()) {
        if (output.equals("-")) {
          if (main.stdoutIsTerminal()) {
            throw CairnException.invalid("refusing to write a tar to a terminal; use -o FILE");
          }
          OutputStream out = main.stdoutBytes();
          store.exportLayer(id, out);
          out.flush();
          return 0;
        }
        // Written beside the target and renamed, so a failed export leaves no partial file.
        Path target = Path.of(output).toAbsolutePath();
        Path tmp = Files.createTempFile(target.getParent(), ".cairn-layer-", ".tar");
        try {
          try (OutputStream out = Files.newOutputStream(tmp)) {
            store.exportLayer(id, out);
          }
          Files.move(
              tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      return 0;
    }
  }
}
