package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.registry.Credentials;
import dev.cairn.registry.Logins;
import dev.cairn.registry.RegistryOptions;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
      description = "Read the password from standard input (all of it, less one line ending).")
  boolean passwordStdin;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description =
          "Also trust the CA certificates in this PEM file (repeatable), for the registry and its"
              + " token server.")
  List<Path> caCerts = new ArrayList<>();

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER", description = "The registry.")
  String server;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    // docker's checks of the flags, in docker's order, before anything is printed
    if (passwordStdin && password != null) {
      throw CairnException.invalid(
          "conflicting options: cannot specify both --password and --password-stdin");
    }
    if (passwordStdin && username == null) {
      throw CairnException.invalid("the --password-stdin option requires --username to be set");
    }
    if (username != null && username.isEmpty()) {
      throw CairnException.invalid("username is empty");
    }
    if (password != null && password.isEmpty()) {
      throw CairnException.invalid("password is empty");
    }
    if (password != null) {
      err.println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
    }
    if (passwordStdin) {
      password = stdinSecret(main.stdin().readAllBytes());
    }
    RegistryOptions options = RegistryOptions.defaults().withCaCertificates(caCerts);
    Map<String, String> env = main.environment().variables();
    String offered = null;
    if (username == null && password == null) {
      // As docker: what is stored for the server is tried first, and its user name offered after.
      Credentials stored = Logins.storedCredentials(server, env);
      if (stored != null && stored.username() != null) {
        offered = stored.username();
        if (!offered.isEmpty() && !stored.password().isEmpty() && loggedInAs(stored, options)) {
          return 0;
        }
      }
    }
    if ((username == null || password == null) && !main.stdinIsTerminal()) {
      throw CairnException.invalid("cannot perform an interactive login from a non TTY device");
    }
    Credentials typed = prompted(offered);
    Logins.Login login = Logins.login(server, typed, options, env);
    if (login.written() && login.unencrypted()) {
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

  /**
   * docker's login with the stored credentials: its lines on standard error, then the check; true
   * when the registry took them, else it says why and the caller prompts.
   */
  private boolean loggedInAs(Credentials stored, RegistryOptions options) throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "Authenticating with existing credentials... [Username: " + stored.username() + "]");
    err.println();
    String note =
        "To login with a different account, run 'docker logout' followed by 'docker login'";
    if (main.stderrIsTerminal()) {
      // docker's tui note on a terminal: a bold "i" on light cyan, "Info →" in light cyan, italics
      err.println(
          "\u001b[1m\u001b[106m\u001b[30mi\u001b[0m\u001b[0m \u001b[96mInfo → \u001b[0m\u001b[0m"
              + "\u001b[3m"
              + note
              + "\u001b[0m");
    } else {
      err.println(" Info -> " + note);
    }
    err.println();
    err.println();
    err.flush();
    try {
      Logins.login(server, stored, options, main.environment().variables());
    } catch (CairnException e) {
      err.println(
          e.kind() == CairnException.Kind.UNAUTHORIZED
              ? "Stored credentials invalid or expired"
              : "Login did not succeed, error: " + e.getMessage());
      return false;
    }
    spec.commandLine().getOut().println("Login Succeeded");
    return true;
  }

  /**
   * The user name and password given, what is missing asked for on the terminal as docker asks:
   * {@code offered} (the stored user name) is the answer to an empty user name. Both are trimmed,
   * as docker trims them.
   */
  private Credentials prompted(String offered) {
    String user = username;
    String secret = password;
    Console console = System.console();
    if (user == null || user.isBlank()) {
      if (console == null) {
        throw CairnException.invalid("cannot perform an interactive login from a non TTY device");
      }
      String prompt =
          offered == null || offered.isBlank()
              ? "Username: "
              : "Username (" + offered.strip() + "): ";
      String answer = console.readLine(prompt);
      user = answer == null || answer.isBlank() ? offered : answer;
      if (user == null || user.isBlank()) {
        throw CairnException.invalid("non-null username required"); // docker's words
      }
    }
    if (secret == null || secret.isBlank()) {
      if (console == null) {
        throw CairnException.invalid("cannot perform an interactive login from a non TTY device");
      }
      char[] answer = console.readPassword("Password: ");
      secret = answer == null ? "" : new String(answer);
      if (secret.isBlank()) {
        throw CairnException.invalid("password required"); // docker's words
      }
    }
    return Credentials.basic(user.strip(), secret.strip());
  }

  /**
   * The password piped to --password-stdin as docker reads it: all of the input, one line ending
   * dropped (the value is trimmed later, as any password).
   */
  static String stdinSecret(byte[] input) {
    String s = new String(input, StandardCharsets.UTF_8);
    s = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }
}
