package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.store.Image;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn import}: a root filesystem tarball becomes a one-layer image. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Create a one-layer image from a root filesystem tarball and print its ID.",
      "The tarball may be plain, gzip, bzip2, xz or zstd; the image gets a new random ID, as"
          + " docker import gives."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {ExitStatus.OK, ExitStatus.INVALID, ExitStatus.CONFLICT, ExitStatus.UNAVAILABLE})
final class ImportCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = {"-m", "--message"},
      paramLabel = "TEXT",
      description = "Comment for the image.")
  String message;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "The tarball, or - for standard input.")
  String file;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "REPOSITORY[:TAG]",
      description = "Name for the image.")
  String name;

  @Override
  public Integer call() throws IOException {
    Reference ref = name == null ? null : Reference.parse(name);
    String comment = message != null ? message : "Imported from " + (file.equals("-") ? "-" : file);
    boolean stdin = file.equals("-");
    if (stdin && main.stdinIsTerminal()) {
      throw CairnException.invalid("requested import from stdin, but stdin is empty");
    }
    if (!stdin && Files.isDirectory(Path.of(file))) {
      throw CairnException.invalid(file + " is a directory");
    }
    try (Store store = main.openStore();
        InputStream in = stdin ? main.stdin() : Files.newInputStream(Path.of(file))) {
      Image img;
      try {
        img = store.importTarball(in, ref, comment);
      } catch (CairnException e) {
        throw e.in("importing " + (stdin ? "standard input" : CairnException.quote(file)));
      }
      spec.commandLine().getOut().println(img.id());
    }
    return 0;
  }
}
