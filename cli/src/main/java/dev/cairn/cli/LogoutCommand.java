package dev.cairn.cli;

import dev.cairn.registry.Logins;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn logout}: forget a registry's credentials, as the docker CLI does. */
@Command(
    name = "logout",
    mixinStandardHelpOptions = true,
    description =
        "Log out of a registry (Docker Hub when no SERVER is given): its entry in the docker CLI's"
            + " config.json and its credential helper's copy are removed.",
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {ExitStatus.OK, ExitStatus.INVALID})
final class LogoutCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER", description = "The registry.")
  String server;

  @Override
  public Integer call() throws IOException {
    String key = Logins.serverKey(server);
    spec.commandLine().getOut().println("Removing login credentials for " + key);
    Logins.logout(server, main.environment().variables());
    return 0;
  }
}
