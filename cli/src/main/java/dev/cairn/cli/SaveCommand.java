package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    if (output == null && main.stdoutIsTerminal()) {
      throw CairnException.invalid(
          "refusing to write a tar archive to a terminal: use -o FILE or redirect the output");
    }
    try (Store store = main.openStore()) {
      if (output == null) {
        OutputStream out = main.stdoutBytes();
        store.save(images, out);
        out.flush();
        return 0;
      }
      // Written beside the target and renamed: a failed save leaves no half archive behind.
      Path dir = output.toAbsolutePath().getParent();
      Path partial = Files.createTempFile(dir, "." + output.getFileName(), ".partial");
      try {
        // A FileOutputStream lets the layers' big files go through the kernel (copy_file_range).
        try (OutputStream out = new java.io.FileOutputStream(partial.toFile())) {
          store.save(images, out);
        }
        Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(partial);
      }
    }
    return 0;
  }
}
