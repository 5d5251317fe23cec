package dev.cairn.cli;

import dev.cairn.store.HistoryEntry;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn history}: one row per layer step, newest first, as docker shows it. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
      "Show how an image was built: one row per step, newest first.",
      "Steps that are images show their ID (of a pulled image, the newest); the others <missing>."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.NOT_FOUND,
      ExitStatus.CONFLICT,
      ExitStatus.UNAVAILABLE
    })
final class HistoryCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = {"-q", "--quiet"},
      description = "Only show the IMAGE column: IDs, and <missing> for steps that are not images.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Do not shorten IDs and commands.")
  boolean noTrunc;

  @Parameters(paramLabel = "IMAGE", description = "Name, name:tag or image ID.")
  String image;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<HistoryEntry> steps;
    try (Store store = main.openStore()) {
      steps = store.history(image);
    }
    if (quiet) {
      steps.forEach(s -> out.println(id(s)));
      return 0;
    }
    Instant now = Instant.now();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"});
    for (HistoryEntry s : steps) {
      String by = s.createdBy().replace('\t', ' ').replace('\n', ' ');
      rows.add(
          new String[] {
            id(s),
            Format.since(s.created(), now),
            noTrunc ? by : Format.ellipsis(by, 45),
            Format.size(s.size()),
            s.comment()
          });
    }
    Format.table(rows).forEach(out::println);
    return 0;
  }

  private String id(HistoryEntry s) {
    if (s.id() == null) {
      return "<missing>";
    }
    return noTrunc ? s.id().toString() : Format.shortId(s.id().hex());
  }
}
