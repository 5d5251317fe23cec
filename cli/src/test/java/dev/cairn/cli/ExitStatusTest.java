package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.CairnException;
import dev.cairn.registry.FaultProxy;
import dev.cairn.registry.RegistryServer;
import dev.cairn.testing.TarBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The README's exit-status table against the code: each kind of failure run through the CLI exits
 * with the status the table gives, and every command's help lists only statuses of the table.
 */
class ExitStatusTest {
  @TempDir Path dir;
  Cli cairn;

  @BeforeEach
  void setUp() {
    cairn = Cli.vfs(dir.resolve("store"));
  }

  record Row(int status, String kind) {}

  /** The rows of the README's table: {@code | status | meaning | kind |}. */
  static List<Row> readmeTable() throws IOException {
    Pattern row = Pattern.compile("^\\| (\\d+) \\| .* \\| ([A-Z_]*) ?\\|$");
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("..", "README.md"))) {
      Matcher m = row.matcher(line);
      if (m.matches()) {
        rows.add(new Row(Integer.parseInt(m.group(1)), m.group(2)));
      }
    }
    return rows;
  }

  private String importImage(String name) throws IOException {
    Path tar = Files.write(dir.resolve("rootfs.tar"), TarBuilder.tar().file("f", "x\n").bytes());
    CliResult r = cairn.run("import", tar.toString(), name);
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().strip().substring("sha256:".length());
  }

  @Test
  void theTableGivesEveryKindTheStatusTheCliExitsWith() throws IOException {
    List<Row> rows = readmeTable();
    assertThat(rows).extracting(Row::status).startsWith(0, 1, 2, 3, 4, 5, 6).endsWith(141);
    for (CairnException.Kind kind : CairnException.Kind.values()) {
      assertThat(rows)
          .as(kind.toString())
          .filteredOn(r -> r.kind().equals(kind.name()))
          .singleElement()
          .satisfies(r -> assertThat(r.status()).isEqualTo(Main.exitCode(kind)));
    }
    assertThat(rows).filteredOn(r -> r.status() == Main.BROKEN_PIPE).hasSize(1);
  }

  @Test
  void eachKindOfFailureExitsWithTheStatusOfTheTable() throws Exception {
    Map<Integer, List<CliResult>> seen = new LinkedHashMap<>();
    // invalid input: usage errors and bad values alike
    seen.put(
        1,
        List.of(
            cairn.run("images", "--bogus"),
            cairn.run("bogus"),
            cairn.run("tag"),
            cairn.run("layer"),
            cairn.run("pull", "bad name")));
    seen.put(2, List.of(cairn.run("inspect", "nope"), cairn.run("save", "nothing:here")));
    String id = importImage("one:1");
    assertThat(cairn.run("tag", "one:1", "two:1").exit()).isZero();
    seen.put(4, List.of(cairn.run("rmi", id.substring(0, 12))));
    Pipe pipe = Pipe.open();
    pipe.source().close();
    try (OutputStream closed = Channels.newOutputStream(pipe.sink())) {
      seen.put(141, List.of(cairn.run(closed, "save", "one:1")));
    }
    Files.delete(dir.resolve("store/graph").resolve(id).resolve("json"));
    seen.put(6, List.of(cairn.run("fsck")));
    assertThat(cairn.run("fsck", "--repair").exit()).isZero();
    try (RegistryServer server =
            RegistryServer.start(dir.resolve("registry"), dir.resolve("work"), "");
        FaultProxy proxy = new FaultProxy(server.host())) {
      String ref = proxy.host() + "/test/x:1";
      proxy.requireBasic(); // and cairn has no credentials for it
      seen.put(3, List.of(cairn.run("pull", "-q", ref)));
      proxy.reset();
      proxy.plan(
          "/manifests/",
          FaultProxy.Fault.STATUS_429,
          FaultProxy.Fault.STATUS_429,
          FaultProxy.Fault.STATUS_429,
          FaultProxy.Fault.STATUS_429,
          FaultProxy.Fault.STATUS_429);
      CliResult busy = cairn.run("pull", "-q", ref);
      int closedPort;
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
        closedPort = socket.getLocalPort();
      }
      seen.put(
          5,
          List.of(
              busy,
              cairn.run("pull", "-q", "127.0.0.1:" + closedPort + "/x"),
              cairn.run("pull", "-q", "nonexistent.invalid/x")));
    }
    seen.forEach(
        (status, results) ->
            results.forEach(
                r -> {
                  assertThat(r.exit()).as(r.err()).isEqualTo(status);
                  if (status == Main.BROKEN_PIPE) {
                    assertThat(r.err()).isEmpty();
                  } else {
                    assertThat(r.err()).isNotEmpty().doesNotContain("\tat ");
                  }
                }));
    TreeSet<Integer> table = new TreeSet<>();
    readmeTable().forEach(r -> table.add(r.status()));
    table.remove(0);
    assertThat(seen.keySet())
        .as("a failure run for every status of the table")
        .hasSameElementsAs(table);
  }

  @Test
  void everyCommandsHelpEndsWithTheStatusesItGivesFromTheTable() throws IOException {
    TreeSet<String> table = new TreeSet<>();
    readmeTable().forEach(r -> table.add(Integer.toString(r.status())));
    CommandLine all = new CommandLine(new Main());
    Main.COMMANDS.forEach(all::addSubcommand);
    List<List<String>> commands = new ArrayList<>();
    commands.add(List.of());
    all.getSubcommands()
        .forEach(
            (name, cl) -> {
              commands.add(List.of(name));
              cl.getSubcommands().keySet().forEach(sub -> commands.add(List.of(name, sub)));
            });
    for (List<String> command : commands) {
      List<String> args = new ArrayList<>(command);
      args.add("--help");
      CliResult help = cairn.run(args.toArray(String[]::new));
      assertThat(help.exit()).isZero();
      List<String> footer =
          help.out().lines().dropWhile(l -> !l.equals("Exit status:")).skip(1).toList();
      List<String> statuses =
          footer.stream()
              .filter(l -> l.matches("  \\d+ .*"))
              .map(l -> l.strip().split(" ")[0])
              .toList();
      assertThat(statuses).as(String.join(" ", command)).startsWith("0", "1");
      assertThat(table).as(String.join(" ", command)).containsAll(statuses);
    }
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("kaput\n\tat nowhere");
    }
  }

  @Command(name = "deep")
  static final class Deep implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new StackOverflowError();
    }
  }

  @Test
  void anUnexpectedExceptionIsOneLineNotAStackTrace() {
    CliResult boom = Cli.BARE.run(List.of(Boom.class), "boom");
    assertThat(boom.exit()).isEqualTo(1);
    assertThat(boom.err())
        .startsWith(
            "cairn: internal error: java.lang.IllegalStateException: kaput\\x0a\\x09at nowhere"
                + " (at dev.cairn.cli.ExitStatusTest$Boom.call(ExitStatusTest.java:")
        .endsWith("))\n")
        .hasLineCount(1);
    CliResult deep = Cli.BARE.run(List.of(Deep.class), "deep");
    assertThat(deep.exit()).isEqualTo(1);
    assertThat(deep.err())
        .startsWith("cairn: internal error: java.lang.StackOverflowError (at dev.cairn.cli.")
        .hasLineCount(1);
  }
}
