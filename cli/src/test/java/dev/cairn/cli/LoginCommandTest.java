package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code login} and {@code logout} against a real htpasswd registry, compared with docker's. */
class LoginCommandTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static RegistryServer locked;

  @BeforeAll
  static void start() throws Exception {
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    layout.tag("1", layout.image("amd64", List.of(Map.of("etc/login", "in\n"))).manifest());
    try (RegistryServer open = RegistryServer.start(temp.resolve("storage"), temp, "")) {
      Tools.push(layout.dir(), "1", open.host(), "test/login");
    }
    locked =
        RegistryServer.start(
            temp.resolve("storage"), temp, RegistryServer.htpasswdAuth(temp, "alice", "secret"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (locked != null) {
      locked.close();
    }
  }

  private Cli cli(Path config) {
    return Cli.vfs(dir.resolve("store"))
        .withEnv(Map.of("DOCKER_CONFIG", config.toString(), "PATH", path()));
  }

  private String path() {
    return dir.resolve("bin") + ":" + System.getenv("PATH");
  }

  @Test
  void loginWritesTheFileDockerWritesWithMode0600() throws Exception {
    Path ours = dir.resolve("ours");
    Path docker = dir.resolve("docker");
    CliResult r = cli(ours).run("login", "-u", "alice", "-p", "secret", locked.host());
    Tools.run(
        List.of(
            "env",
            "DOCKER_CONFIG=" + docker,
            "docker",
            "login",
            "-u",
            "alice",
            "-p",
            "secret",
            locked.host()));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("Login Succeeded\n");
    assertThat(r.err())
        .startsWith("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n")
        .doesNotContain("secret");
    assertThat(Files.readString(ours.resolve("config.json")))
        .isEqualTo(Files.readString(docker.resolve("config.json")));
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(ours.resolve("config.json"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ours)))
        .isEqualTo("rwx------");
  }

  @Test
  void aWrongPasswordWritesNothingAndExits3() {
    Path config = dir.resolve("config");
    CliResult r = cli(config).run("login", "-u", "alice", "-p", "wrong", locked.host());

    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("login to " + locked.host() + " failed").doesNotContain("wrong\n");
    assertThat(config.resolve("config.json")).doesNotExist();
  }

  @Test
  void passwordStdinIsAllOfTheInputLessItsLineEndingAndRequiresAUserName() throws Exception {
    Path config = dir.resolve("config");
    CliResult r =
        cli(config)
            .run(
                new ByteArrayInputStream("secret\r\n".getBytes(StandardCharsets.UTF_8)),
                "login",
                "-u",
                "alice",
                "--password-stdin",
                locked.host());
    CliResult noUser =
        cli(dir.resolve("other"))
            .run(
                new ByteArrayInputStream("secret\n".getBytes(StandardCharsets.UTF_8)),
                "login",
                "--password-stdin",
                locked.host());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.readString(config.resolve("config.json"))).contains("YWxpY2U6c2VjcmV0");
    assertThat(noUser.exit()).isEqualTo(1);
    assertThat(noUser.err()).contains("the --password-stdin option requires --username to be set");
  }

  @Test
  void withoutATerminalOrPasswordStdinLoginIsRefused() {
    CliResult r = cli(dir.resolve("config")).run("login", locked.host());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("cannot perform an interactive login from a non TTY device");
  }

  @Test
  void otherKeysAreKeptAndLogoutRemovesExactlyTheEntry() throws Exception {
    Path config = dir.resolve("config");
    Files.createDirectories(config);
    Files.writeString(
        config.resolve("config.json"),
        """
        {"auths":{"other:1":{"auth":"eDp5"}},"psFormat":"table {{.ID}}","x-unknown":{"a":[1,true,null]}}""");

    CliResult in = cli(config).run("login", "-u", "alice", "-p", "secret", locked.host());
    String afterLogin = Files.readString(config.resolve("config.json"));
    CliResult pull = cli(config).run("pull", "-q", locked.host() + "/test/login:1");
    CliResult out = cli(config).run("logout", locked.host());

    assertThat(in.exit()).as(in.err()).isZero();
    assertThat(afterLogin)
        .contains("\"other:1\"", "\"psFormat\": \"table {{.ID}}\"", "\"x-unknown\"", "true", "null")
        .contains("\"" + locked.host() + "\": {\n\t\t\t\"auth\": \"YWxpY2U6c2VjcmV0\"\n\t\t}");
    assertThat(pull.exit()).as(pull.err()).isZero();
    assertThat(out.exit()).isZero();
    assertThat(out.out()).isEqualTo("Removing login credentials for " + locked.host() + "\n");
    assertThat(Files.readString(config.resolve("config.json")))
        .isEqualTo(
            afterLogin.replace(
                ",\n\t\t\"" + locked.host() + "\": {\n\t\t\t\"auth\": \"YWxpY2U6c2VjcmV0\"\n\t\t}",
                ""));
  }

  @Test
  void aCredentialHelperReceivesWhatDockerSendsItAndTheFileIsWhatDockerWrites() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path helper = bin.resolve("docker-credential-test");
    // logs each call to the file named by HELPER_LOG
    Files.writeString(helper, "#!/bin/sh\n{ echo \"$1\"; cat; echo; } >> \"$HELPER_LOG\"\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
    Path ours = dir.resolve("ours");
    Path docker = dir.resolve("docker");
    for (Path config : List.of(ours, docker)) {
      Files.createDirectories(config);
      Files.writeString(config.resolve("config.json"), "{\"credsStore\":\"test\"}");
    }
    Map<String, String> env =
        Map.of("DOCKER_CONFIG", ours.toString(), "PATH", path(), "HELPER_LOG", dir + "/ours.log");
    Cli cli = Cli.vfs(dir.resolve("store")).withEnv(env);

    CliResult in = cli.run("login", "-u", "alice", "-p", "secret", locked.host());
    String afterLogin = Files.readString(ours.resolve("config.json"));
    CliResult out = cli.run("logout", locked.host());
    List<String> dockerEnv =
        List.of(
            "env",
            "DOCKER_CONFIG=" + docker,
            "PATH=" + path(),
            "HELPER_LOG=" + dir + "/docker.log");
    Tools.run(concat(dockerEnv, "docker", "login", "-u", "alice", "-p", "secret", locked.host()));
    String dockerAfterLogin = Files.readString(docker.resolve("config.json"));
    Tools.run(concat(dockerEnv, "docker", "logout", locked.host()));

    assertThat(in.exit()).as(in.err()).isZero();
    assertThat(in.err()).doesNotContain("unencrypted");
    assertThat(out.exit()).as(out.err()).isZero();
    assertThat(afterLogin).isEqualTo(dockerAfterLogin).contains("\"" + locked.host() + "\": {}");
    assertThat(Files.readString(ours.resolve("config.json")))
        .isEqualTo(Files.readString(docker.resolve("config.json")));
    String log = Files.readString(dir.resolve("ours.log"));
    assertThat(log)
        .startsWith(
            "store\n{\"ServerURL\":\""
                + locked.host()
                + "\",\"Username\":\"alice\",\"Secret\":\"secret\"}\n\nerase\n"
                + locked.host()
                + "\n");
    // docker erases the key twice; each distinct call it makes, cairn makes
    assertThat(log.split("(?=erase\n|store\n)"))
        .containsExactlyInAnyOrderElementsOf(
            List.of(Files.readString(dir.resolve("docker.log")).split("(?=erase\n|store\n)"))
                .stream()
                .distinct()
                .toList());
  }

  private static List<String> concat(List<String> head, String... tail) {
    var all = new java.util.ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

  @Test
  void aPushAfterLoginUsesTheStoredCredentialsAndIsRefusedAfterLogout() {
    Cli cairn = cli(dir.resolve("config"));
    String image = locked.host() + "/test/login:1";
    String target = locked.host() + "/pushed/login:1";
    assertThat(cairn.run("login", "-u", "alice", "-p", "secret", locked.host()).exit()).isZero();
    assertThat(cairn.run("pull", "-q", image).exit()).isZero();
    assertThat(cairn.run("tag", image, target).exit()).isZero();

    CliResult pushed = cairn.run("push", "--progress=plain", target);
    assertThat(pushed.exit()).as(pushed.err()).isZero();
    assertThat(pushed.lines().getLast()).matches("1: digest: sha256:[0-9a-f]{64} size: [0-9]+");

    assertThat(cairn.run("logout", locked.host()).exit()).isZero();
    CliResult refused = cairn.run("push", "--progress=plain", target);
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err().lines().toList())
        .singleElement()
        .asString()
        .contains("requires a user name and password");
  }

  @Test
  void withoutATerminalTheStoredCredentialsAreTriedAndAnUnchangedFileIsLeftAlone()
      throws Exception {
    Path config = dir.resolve("stored");
    Cli cairn = cli(config);
    assertThat(cairn.run("login", "-u", "alice", "-p", "secret", locked.host()).exit()).isZero();
    Path file = config.resolve("config.json");
    Object before = Files.readAttributes(file, BasicFileAttributes.class).fileKey();

    CliResult again = cairn.run("login", "-u", "alice", "-p", "secret", locked.host());
    CliResult stored = cairn.run("login", locked.host());

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.err()).doesNotContain("unencrypted");
    assertThat(stored.exit()).as(stored.err()).isZero();
    assertThat(stored.out()).isEqualTo("Login Succeeded\n");
    assertThat(stored.err())
        .isEqualTo(
            "Authenticating with existing credentials... [Username: alice]\n\n Info -> To login"
                + " with a different account, run 'docker logout' followed by 'docker login'\n\n\n");
    assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey()).isEqualTo(before);
  }

  @Test
  void atATerminalRefusedStoredCredentialsOfferTheirUserNameAndAnEmptyAnswerTakesIt()
      throws Exception {
    Path config = Files.createDirectories(dir.resolve("prompted"));
    Files.writeString(
        config.resolve("config.json"),
        "{\"auths\":{\"" + locked.host() + "\":{\"auth\":\"YWxpY2U6b2xk\"}}}"); // alice:old

    Terminal.Session s =
        Terminal.run(
            dev.cairn.testing.Tools.childJvm(
                Main.class, "--root", dir.resolve("store").toString(), "login", locked.host()),
            Map.of("DOCKER_CONFIG", config.toString()),
            List.of(
                new Terminal.Answer("Username (alice): ", "\n"),
                new Terminal.Answer("Password: ", "secret\n")));

    assertThat(s.exit()).as(s.transcript()).isZero();
    assertThat(s.transcript())
        .contains("Stored credentials invalid or expired\nUsername (alice): \nPassword: \n")
        .endsWith("Login Succeeded\n");
    assertThat(Files.readString(config.resolve("config.json"))).contains("YWxpY2U6c2VjcmV0");
  }

  @Test
  void atATerminalWithAPasswordGivenNoStoredUserNameIsOffered() throws Exception {
    Path config = dir.resolve("password-given");
    assertThat(cli(config).run("login", "-u", "alice", "-p", "secret", locked.host()).exit())
        .isZero();

    Terminal.Session s =
        Terminal.run(
            dev.cairn.testing.Tools.childJvm(
                Main.class,
                "--root",
                dir.resolve("store").toString(),
                "login",
                "-p",
                "secret",
                locked.host()),
            Map.of("DOCKER_CONFIG", config.toString()),
            List.of(new Terminal.Answer("Username: ", "alice\n")));

    assertThat(s.exit()).as(s.transcript()).isZero();
    assertThat(s.transcript())
        .isEqualTo(
            "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"
                + "Username: alice\nLogin Succeeded\n");
  }
}
