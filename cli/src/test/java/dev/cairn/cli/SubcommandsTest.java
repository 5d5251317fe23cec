package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Main gives picocli only the subcommands a command line needs: every command line must behave
 * exactly as with all of them, and each command must be reachable alone.
 */
class SubcommandsTest {
  @TempDir Path dir;

  /** Every name and alias picocli knows each subcommand by, help aside. */
  private static Map<String, CommandLine> namedCommands() {
    CommandLine all = new CommandLine(new Main());
    Main.COMMANDS.forEach(all::addSubcommand);
    Map<String, CommandLine> named = new java.util.LinkedHashMap<>(all.getSubcommands());
    named.remove("help");
    return named;
  }

  @Test
  void eachCommandIsChosenAloneByItsNameOrAlias() {
    Map<String, CommandLine> named = namedCommands();
    assertThat(named.keySet()).contains("pull", "images", "unmount", "umount", "manifest");
    assertThat(named).hasSize(Main.COMMANDS.size()); // all but help, plus one alias
    named.forEach(
        (name, cl) -> {
          Class<?> type = cl.getCommandSpec().userObject().getClass();
          assertThat(Main.subcommandsFor(new String[] {name})).as(name).containsExactly(type);
          assertThat(
                  Main.subcommandsFor(
                      new String[] {
                        "--root", "/r", "--driver=vfs", "--uidmap", "0:1:1", name, "x"
                      }))
              .as(name)
              .containsExactly(type);
        });
  }

  @Test
  void aLoneVersionNeedsNoCommandAndAnythingUnusualAllOfThem() {
    assertThat(Main.subcommandsFor(new String[] {"--version"})).isEmpty();
    assertThat(Main.subcommandsFor(new String[] {"-V"})).isEmpty();
    for (String[] args :
        List.of(
            new String[] {},
            new String[] {"help", "pull"},
            new String[] {"--help"},
            new String[] {"-h", "pull"},
            new String[] {"--version", "pull"},
            new String[] {"pul"},
            new String[] {"--bogus", "pull"},
            new String[] {"--", "pull"},
            new String[] {"@args"},
            new String[] {"--root"},
            new String[] {"--root", "pull"},
            new String[] {"--root=images", "pull"},
            new String[] {"--root", "--driver", "pull"},
            new String[] {"--root", "@dir", "pull"},
            new String[] {"--root", "a", "--root", "b", "pull"},
            new String[] {"--driver=vfs", "--driver", "vfs", "pull"})) {
      assertThat(Main.subcommandsFor(args)).as(String.join(" ", args)).isEqualTo(Main.COMMANDS);
    }
  }

  @Test
  void helpListsEveryCommandInOrder() {
    CliResult help = Cli.BARE.run(Main.subcommandsFor(new String[] {"--help"}), "--help");
    assertThat(help.exit()).isZero();
    List<String> listed =
        help.out()
            .lines()
            .dropWhile(l -> !l.equals("Commands:"))
            .takeWhile(l -> !l.isEmpty()) // the exit statuses follow
            .filter(l -> l.startsWith("  ") && !l.startsWith("   "))
            .map(l -> l.strip().split(" {2,}")[0])
            .toList();
    assertThat(listed)
        .containsExactly(
            "help",
            "pull",
            "push",
            "login",
            "logout",
            "images",
            "inspect",
            "history",
            "tag",
            "rmi",
            "image",
            "system",
            "import",
            "layer",
            "mount",
            "unmount, umount",
            "save",
            "load",
            "manifest",
            "fsck",
            "serve");
  }

  @Test
  void commandLinesBehaveAsWithEveryCommand() throws IOException {
    String root = dir.resolve("store").toString();
    Path argFile = Files.writeString(dir.resolve("args"), "images\n");
    List<String[]> lines =
        new ArrayList<>(
            List.of(
                new String[] {},
                new String[] {"--help"},
                new String[] {"-h"},
                new String[] {"help"},
                new String[] {"help", "pull"},
                new String[] {"help", "bogus"},
                new String[] {"--version"},
                new String[] {"-V"},
                new String[] {"--version", "pull"},
                new String[] {"bogus"},
                new String[] {"pul"},
                new String[] {"--bogus"},
                new String[] {"--root"},
                new String[] {"--root", "pull"},
                new String[] {"--root", root, "--root", root, "images"},
                new String[] {"--root", root, "--driver", "bogus", "images"},
                new String[] {"--root", root, "@" + argFile},
                new String[] {"--root", root, "--", "images"},
                new String[] {"--root", root, "images", "pull"},
                new String[] {"--root", root, "layer", "images"},
                new String[] {"--root", root, "manifest", "pull"}));
    for (String name : namedCommands().keySet()) {
      lines.add(new String[] {name, "--help"});
      lines.add(new String[] {"help", name});
      if (!name.equals("serve")) { // which runs until it is stopped
        lines.add(new String[] {"--root", root, name});
      }
      lines.add(new String[] {"--root", root, name, "--bogus"});
      lines.add(new String[] {"--root", root, name, "-V"});
      lines.add(new String[] {"--root", root, "--driver=vfs", name, "a", "b", "c", "d"});
    }
    for (String[] args : lines) {
      CliResult all = Cli.BARE.run(Main.COMMANDS, args);
      CliResult chosen = Cli.BARE.run(Main.subcommandsFor(args), args);
      String line = String.join(" ", args);
      assertThat(chosen.exit()).as(line).isEqualTo(all.exit());
      assertThat(chosen.out()).as(line).isEqualTo(all.out());
      assertThat(chosen.err()).as(line).isEqualTo(all.err());
      assertThat(chosen.bytes()).as(line).isEqualTo(all.bytes());
    }
  }
}
