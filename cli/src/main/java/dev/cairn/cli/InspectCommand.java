package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.store.EngineJson;
import dev.cairn.store.ImageInspect;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn inspect}: docker's image inspect JSON. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Show images as JSON, in the form docker inspect gives.",
      "Fields: Id, RepoTags, RepoDigests, Parent, Created, Config, Size and RootFS.Layers (the"
          + " DiffIDs, base first)."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.NOT_FOUND,
      ExitStatus.CONFLICT,
      ExitStatus.UNAVAILABLE
    })
final class InspectCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Name, name:tag or image ID.")
  List<String> images;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<ImageInspect> found = new ArrayList<>();
    int status = 0;
    try (Store store = main.openStore()) {
      for (String name : images) {
        try {
          found.add(store.inspect(name));
        } catch (CairnException e) {
          // as docker does: the images found are printed, each failure reported on its own
          err.println("cairn: " + e.getMessage());
          status = Math.max(status, Main.exitCode(e.kind()));
        }
      }
    }
    // docker's command line lays the engine's answer out with four spaces per level
    out.println(
        new String(EngineJson.indent(EngineJson.inspect(found), "    "), StandardCharsets.UTF_8));
    return status;
  }
}
