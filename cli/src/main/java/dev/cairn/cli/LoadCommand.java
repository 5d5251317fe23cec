package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.store.Store;
import dev.cairn.tarexport.LoadResult;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn load}: images from a tar archive written by cairn, docker save or skopeo. */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = {
      "Load images from a tar archive (standard input unless -i is given).",
      "",
      "Reads cairn's archives, those of docker save of every version and skopeo's"
          + " docker-archive. Images already in the store are skipped. A broken or hostile"
          + " archive is refused and leaves the store as it was.",
      ""
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {ExitStatus.OK, ExitStatus.INVALID, ExitStatus.CONFLICT, ExitStatus.UNAVAILABLE})
final class LoadCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "FILE",
      description = "Read from FILE instead of standard input.")
  Path input;

  @Option(
      names = {"-q", "--quiet"},
      description = "Accepted as docker accepts it: cairn shows no progress while loading.")
  boolean quiet;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (input == null && main.stdinIsTerminal()) {
      // docker's words: an archive never comes from a terminal, so waiting for one would hang
      throw CairnException.invalid("requested load from stdin, but stdin is empty");
    }
    if (input != null && Files.isDirectory(input)) {
      throw CairnException.invalid(input + " is a directory");
    }
    LoadResult result;
    try (Store store = main.openStore();
        InputStream in =
            new BufferedInputStream(
                input == null ? main.stdin() : Files.newInputStream(input), 1 << 16)) {
      result = store.load(in);
    }
    for (LoadResult.MovedTag m : result.moved()) {
      out.println("Tag " + m.tag().familiar() + " moved from image " + m.from() + " to " + m.to());
    }
    for (LoadResult.LoadedImage image : result.images()) {
      if (image.tags().isEmpty()) {
        out.println("Loaded image ID: " + image.id());
      }
      for (Reference tag : image.tags()) {
        out.println("Loaded image: " + tag.familiar());
      }
    }
    out.flush();
    return 0;
  }
}
