package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.registry.Credentials;
import dev.cairn.registry.Logins;
import dev.cairn.registry.RegistryOptions;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code cairn login}: check credentials with a registry, then keep them as the docker CLI does.
 */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description =
        "Log in to a registry (Docker Hub when no SERVER is given) and keep the credentials in the"
            + " docker CLI's config.json or its credential helper.",
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.UNAUTHORIZED,
      "5:unavailable: the registry cannot be reached or answers 5xx (after retries)"
    })
final class LoginCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = {"-u", "--username"},
      paramLabel = "USER",
      description = "The user name.")
  String username;

  @Option(
      names = {"-p", "--password"},
      paramLabel = "PASS",
      description = "The password (insecure: prefer --password-stdin).")
  String password;

  @Option(
      names = "--password-stdin",
      description = "Read the password from standard input (one line).")
  boolean passwordStdin;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER", description = "The registry.")
  String server;

  @Override
  public Integer call() throws IOException {
    var err = spec.commandLine().getErr();
    if (password != null) {
      err.println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
      if (passwordStdin) {
        throw CairnException.invalid("--password and --password-stdin are mutually exclusive");
      }
    }
    if (passwordStdin) {
      if (username == null || username.isEmpty()) {
        throw CairnException.invalid("the --password-stdin option requires --username to be set");
      }
      password = firstLine(main.stdin().readAllBytes());
    }
    if (username == null || password == null) {
      Console console = main.stdinIsTerminal() ? System.console() : null;
      if (console == null) {
        throw CairnException.invalid("cannot perform an interactive login from a non TTY device");
      }
      if (username == null) {
        // As docker: the user name stored for the server is offered, and an empty answer takes it.
        String stored = Logins.storedUsername(server, main.environment().variables());
        String typed =
            console.readLine(stored == null ? "Username: " : "Username (" + stored + "): ");
        username = typed == null ? "" : typed.strip();
        if (username.isEmpty() && stored != null) {
          username = stored;
        }
      }
      if (password == null) {
        char[] typed = console.readPassword("Password: ");
        password = typed == null ? "" : new String(typed);
      }
    }
    if (username.isEmpty()) {
      throw CairnException.invalid("username is empty");
    }
    if (password.isEmpty()) {
      throw CairnException.invalid("password is empty");
    }
    Logins.Login login =
        Logins.login(
            server,
            Credentials.basic(username, password),
            RegistryOptions.defaults(),
            main.environment().variables());
    if (login.unencrypted()) {
      err.println();
      err.println(
          "WARNING! Your credentials are stored unencrypted in '" + login.configFile() + "'.");
      err.println("Configure a credential helper to remove this warning. See");
      err.println("https://docs.docker.com/go/credential-store/");
      err.println();
    }
    spec.commandLine().getOut().println("Login Succeeded");
    return 0;
  }

  /** The first line, its line ending dropped, as docker reads --password-stdin. */
  static String firstLine(byte[] input) {
    String s = new String(input, StandardCharsets.UTF_8);
    int nl = s.indexOf('\n');
    if (nl >= 0) {
      s = s.substring(0, nl);
    }
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }
}
