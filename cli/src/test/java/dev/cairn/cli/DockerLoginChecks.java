package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.TokenServer;
import dev.cairn.testing.DockerEngine;
import dev.cairn.testing.Tools;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cairn login} and {@code logout} beside {@code docker login} and {@code logout} (the docker
 * CLI, whose logins dockerd checks through its {@code /auth} endpoint; {@link
 * DockerDifferentialTest}), against a registry that hands out tokens. Each step is taken by both,
 * each with a config directory of its own, and both must print the same lines and leave the same
 * {@code config.json}, byte for byte, or leave it alone. What differs on purpose: an error is one
 * line in cairn's words ({@code cairn: ...}), and a password the registry refused exits 3 in cairn
 * (docker exits 1 for any failure).
 */
final class DockerLoginChecks {
  private static final String USER = "alice";
  private static final String PASSWORD = "secret";

  private final DockerEngine docker;
  private final RegistryServer registry;
  private final Path dir;
  private final Path ca;
  private final Path theirs;
  private final Path ours;

  private DockerLoginChecks(DockerEngine docker, RegistryServer registry, Path dir, Path ca) {
    this.docker = docker;
    this.registry = registry;
    this.dir = dir;
    this.ca = ca;
    this.theirs = dir.resolve("docker-config");
    this.ours = dir.resolve("cairn-config");
  }

  /** Runs every step against a token registry of its own, kept under {@code dir}. */
  static void againstDocker(DockerEngine docker, Path dir) throws Exception {
    try (TokenServer tokens = new TokenServer(USER, PASSWORD);
        RegistryServer registry =
            RegistryServer.start(dir.resolve("storage"), dir, tokens.registryAuth(dir))) {
      // docker trusts the token server of a registry it talks plain HTTP to; cairn is told to
      Path ca = Files.writeString(dir.resolve("ca.pem"), tokens.certificatePem());
      DockerLoginChecks checks = new DockerLoginChecks(docker, registry, dir, ca);
      checks.offATerminal();
      checks.atATerminal();
    }
  }

  private void offATerminal() throws Exception {
    String host = registry.host();
    Step first = both(null, "login", "-u", USER, "-p", PASSWORD, host);
    first.agree(0);
    assertThat(first.cairn.err()).contains("WARNING! Your credentials are stored unencrypted");
    assertThat(config(ours))
        .isEqualTo(
            "{\n\t\"auths\": {\n\t\t\""
                + host
                + "\": {\n\t\t\t\"auth\": \""
                + base64(USER + ":" + PASSWORD)
                + "\"\n\t\t}\n\t}\n}");
    for (Path config : List.of(theirs, ours)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
          .as("the mode of %s", config)
          .isEqualTo("rwx------");
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(config.resolve("config.json"))))
          .as("the mode of %s/config.json", config)
          .isEqualTo("rw-------");
    }

    // What changes nothing writes nothing, and warns of nothing.
    List<Object> files = identities();
    both(null, "login", "-u", USER, "-p", PASSWORD, host).agree(0);
    both(null, "login", host).agree(0); // with what is stored
    assertThat(identities()).as("the files after logins that change nothing").isEqualTo(files);

    Step wrong = both(null, "login", "-u", USER, "-p", "wrong", host);
    assertThat(wrong.docker.exit()).isEqualTo(1);
    assertThat(wrong.cairn.exit()).as("cairn's exit for a refused password").isEqualTo(3);
    assertThat(wrong.cairnLines().getLast())
        .startsWith("cairn: login to " + host + " failed: ")
        .doesNotContain("wrong");
    assertThat(wrong.cairnLines().subList(0, wrong.cairnLines().size() - 1))
        .isEqualTo(wrong.dockerLines().subList(0, wrong.dockerLines().size() - 1));
    assertThat(identities()).as("the files after a refused password").isEqualTo(files);

    // Stored credentials the registry refuses are said to be so; then a password is needed.
    String stale = "{\"auths\":{\"" + host + "\":{\"auth\":\"" + base64(USER + ":old") + "\"}}}";
    Files.writeString(theirs.resolve("config.json"), stale);
    Files.writeString(ours.resolve("config.json"), stale);
    files = identities();
    Step refused = both(null, "login", host);
    refused.agree(1);
    assertThat(refused.cairnLines()).contains("Stored credentials invalid or expired");
    assertThat(identities()).as("the files after stored credentials were refused").isEqualTo(files);

    Step out = both(null, "logout", host);
    out.agree(0);
    assertThat(config(ours)).isEqualTo("{\n\t\"auths\": {}\n}");
    both(null, "logout", host).agree(0);

    Files.delete(theirs.resolve("config.json"));
    Files.delete(ours.resolve("config.json"));
    // All of standard input is the password, less one line ending, trimmed.
    byte[] piped = (" " + PASSWORD + "\t\n").getBytes(StandardCharsets.UTF_8);
    both(piped, "login", "-u", USER, "--password-stdin", host).agree(0);
    assertThat(config(ours)).contains(base64(USER + ":" + PASSWORD));
    both(null, "logout", host).agree(0);
  }

  /**
   * The prompts, as a terminal shows them: {@code Username: } with nothing stored, {@code Username
   * (alice): } with a stored user name (an empty answer takes it), and none offered when {@code -p}
   * is given.
   */
  private void atATerminal() throws Exception {
    String host = registry.host();
    List<Terminal.Answer> full =
        List.of(
            new Terminal.Answer("Username: ", USER + "\n"),
            new Terminal.Answer("Password: ", PASSWORD + "\n"));
    prompted(full, "login", host);
    assertThat(config(ours)).contains(base64(USER + ":" + PASSWORD));

    String stale = "{\"auths\":{\"" + host + "\":{\"auth\":\"" + base64(USER + ":old") + "\"}}}";
    Files.writeString(theirs.resolve("config.json"), stale);
    Files.writeString(ours.resolve("config.json"), stale);
    String transcript =
        prompted(
            List.of(
                new Terminal.Answer("Username (" + USER + "): ", "\n"),
                new Terminal.Answer("Password: ", PASSWORD + "\n")),
            "login",
            host);
    assertThat(transcript).contains("Stored credentials invalid or expired");
    assertThat(config(ours)).contains(base64(USER + ":" + PASSWORD));

    prompted(
        List.of(new Terminal.Answer("Username: ", USER + "\n")), "login", "-p", PASSWORD, host);
  }

  /**
   * Runs {@code args} at a terminal with docker, then with cairn, answering the same prompts; the
   * transcripts and files must agree. Returns cairn's transcript.
   */
  private String prompted(List<Terminal.Answer> answers, String... args) throws Exception {
    Map<String, String> env = new HashMap<>(docker.environment());
    env.put("DOCKER_CONFIG", theirs.toString());
    List<String> command = new ArrayList<>(List.of(docker.cli().toString()));
    command.addAll(List.of(args));
    Terminal.Session d = Terminal.run(command, env, answers);
    Terminal.Session c =
        Terminal.run(
            Tools.childJvm(Main.class, cairnArgs(List.of(args)).toArray(String[]::new)),
            Map.of("DOCKER_CONFIG", ours.toString()),
            answers);
    assertThat(c.exit()).as(c.transcript()).isEqualTo(d.exit()).isZero();
    assertThat(normal(c.transcript()))
        .as("cairn %s at a terminal", String.join(" ", args))
        .isEqualTo(normal(d.transcript()));
    assertThat(config(ours)).isEqualTo(config(theirs));
    return c.transcript();
  }

  private List<String> cairnArgs(List<String> args) {
    List<String> all = new ArrayList<>(List.of("--root", dir.resolve("store").toString()));
    all.add(args.getFirst());
    if (args.getFirst().equals("login")) {
      all.addAll(List.of("--ca-cert", ca.toString()));
    }
    all.addAll(args.subList(1, args.size()));
    return all;
  }

  /** One step taken by both tools, with {@code input} on standard input (null: none). */
  private Step both(byte[] input, String... args) throws Exception {
    Map<String, String> env = Map.of("DOCKER_CONFIG", theirs.toString());
    DockerEngine.Result d = docker.run(env, input == null ? new byte[0] : input, args);
    Cli cairn =
        Cli.BARE.withEnv(Map.of("DOCKER_CONFIG", ours.toString(), "PATH", System.getenv("PATH")));
    List<String> all = cairnArgs(List.of(args));
    CliResult c =
        cairn.run(
            new ByteArrayInputStream(input == null ? new byte[0] : input),
            all.toArray(String[]::new));
    Step step = new Step(String.join(" ", args), d, c);
    if (Files.exists(theirs.resolve("config.json")) || Files.exists(ours.resolve("config.json"))) {
      assertThat(config(ours)).as("config.json after %s", step.what).isEqualTo(config(theirs));
    }
    return step;
  }

  /** What docker and cairn gave for one step. */
  private final class Step {
    final String what;
    final DockerEngine.Result docker;
    final CliResult cairn;

    Step(String what, DockerEngine.Result docker, CliResult cairn) {
      this.what = what;
      this.docker = docker;
      this.cairn = cairn;
    }

    List<String> dockerLines() {
      return lines(docker.err());
    }

    List<String> cairnLines() {
      return lines(cairn.err());
    }

    /** Both exit with {@code exit} and print the same, an error line in each one's words. */
    void agree(int exit) {
      assertThat(docker.exit()).as("docker %s: %s", what, docker.err()).isEqualTo(exit);
      assertThat(cairn.exit()).as("cairn %s: %s", what, cairn.err()).isEqualTo(exit);
      assertThat(cairn.out()).as("cairn %s: standard output", what).isEqualTo(docker.out());
      assertThat(cairnLines().stream().map(DockerLoginChecks::errorWords).toList())
          .as("cairn %s: standard error", what)
          .isEqualTo(dockerLines().stream().map(DockerLoginChecks::errorWords).toList());
    }
  }

  /** Lines with the config directories named alike. */
  private List<String> lines(String text) {
    return text.replace(theirs.toString(), "CONFIG")
        .replace(ours.toString(), "CONFIG")
        .lines()
        .toList();
  }

  /** A transcript with the config directories named alike. */
  private String normal(String transcript) {
    return transcript.replace(theirs.toString(), "CONFIG").replace(ours.toString(), "CONFIG");
  }

  /** An error line without its tool's prefix ({@code Error: }, {@code cairn: }), in lower case. */
  private static String errorWords(String line) {
    if (line.startsWith("Error: ")) {
      return "error: " + line.substring(7).toLowerCase(java.util.Locale.ROOT);
    }
    if (line.startsWith("cairn: ")) {
      return "error: " + line.substring(7).toLowerCase(java.util.Locale.ROOT);
    }
    return line;
  }

  /** Each tool's config.json as a file system object, so a rewrite is seen even of equal bytes. */
  private List<Object> identities() throws Exception {
    List<Object> ids = new ArrayList<>();
    for (Path config : List.of(theirs, ours)) {
      BasicFileAttributes a =
          Files.readAttributes(config.resolve("config.json"), BasicFileAttributes.class);
      ids.add(
          List.of(
              a.fileKey(), a.lastModifiedTime(), Files.readString(config.resolve("config.json"))));
    }
    return ids;
  }

  private static String config(Path dir) throws Exception {
    Path file = dir.resolve("config.json");
    return Files.exists(file) ? Files.readString(file) : "(none)";
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
