package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@code --help} shows. */
class HelpTest {
  /**
   * picocli lists each command with the first line of its description: that line must be a whole
   * sentence of its own (the details follow on the next lines), shown in the list as written.
   */
  @Test
  void helpListsEachCommandWithAWholeFirstSentence() {
    CommandLine all = new CommandLine(new Main());
    Main.COMMANDS.forEach(all::addSubcommand);
    assertSummaries(all, List.of());
  }

  private static void assertSummaries(CommandLine parent, List<String> path) {
    List<String> args = new java.util.ArrayList<>(path);
    args.add("--help");
    CliResult help = Cli.BARE.run(args.toArray(String[]::new));
    assertThat(help.exit()).as(help.err()).isZero();
    String listed = help.out().replaceAll("\\s+", " ");
    Set<CommandLine> children = new LinkedHashSet<>(parent.getSubcommands().values());
    assertThat(children).isNotEmpty();
    for (CommandLine child : children) {
      String name = String.join(" ", path) + " " + child.getCommandName();
      // picocli lists a command's header when it has one (as its own help command does)
      CommandLine.Model.UsageMessageSpec usage = child.getCommandSpec().usageMessage();
      String[] lines = usage.header().length > 0 ? usage.header() : usage.description();
      assertThat(lines).as(name).isNotEmpty();
      String summary = lines[0];
      assertThat(summary).as(name).matches("[A-Z][^\\n]*\\.").doesNotContain(". ");
      assertThat(listed).as(name).contains(" " + summary.replaceAll("\\s+", " ") + " ");
      if (!child.getSubcommands().isEmpty()) {
        List<String> deeper = new java.util.ArrayList<>(path);
        deeper.add(child.getCommandName());
        assertSummaries(child, deeper);
      }
    }
  }
}
