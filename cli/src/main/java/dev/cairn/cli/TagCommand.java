package dev.cairn.cli;

import dev.cairn.image.Reference;
import dev.cairn.store.Store;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn tag}: another name for an image; a tag that existed moves. */
@Command(
    name = "tag",
    mixinStandardHelpOptions = true,
    description = "Name an image; a tag that already named another image moves to this one.",
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.NOT_FOUND,
      ExitStatus.CONFLICT,
      ExitStatus.UNAVAILABLE
    })
final class TagCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "Name, name:tag or image ID.")
  String source;

  @Parameters(index = "1", paramLabel = "TARGET", description = "The new name[:tag].")
  String target;

  @Override
  public Integer call() throws IOException {
    Reference ref = Reference.parse(target);
    if (ref.digest() != null) {
      throw dev.cairn.CairnException.invalid(
          "cannot tag with a digest reference "
              + dev.cairn.CairnException.quote(target)
              + ": name a tag");
    }
    try (Store store = main.openStore()) {
      store
          .tag(source, ref)
          .ifPresent(
              old ->
                  spec.commandLine()
                      .getErr()
                      .println(
                          "cairn: " + ref.familiar() + " moved from image " + Format.shortId(old)));
    }
    return 0;
  }
}
