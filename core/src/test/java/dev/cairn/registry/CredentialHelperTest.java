package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Running {@code docker-credential-NAME}: which names are taken from a config file, where the
 * program is found, the environment it runs in; and the credential values handed around.
 */
class CredentialHelperTest {
  @TempDir Path temp;

  private static final Path CONFIG = Path.of("config.json");

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"osxkeychain", "ecr-login", "gcloud_v2", "pass.v1", "A9"})
  void aHelperNameOfLettersDigitsDashesUnderscoresAndDotsNamesItsProgram(String name) {
    assertThat(CredentialHelper.program(name, CONFIG)).isEqualTo("docker-credential-" + name);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", ".hidden", "../bin/sh", "a/b", "a b", "a;b", "a$b"})
  void aHelperNameThatCouldReachAnotherProgramIsRefusedNamingTheFile(String name) {
    assertThatThrownBy(() -> CredentialHelper.program(name, CONFIG))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage("config.json: bad credential helper name \"" + name + "\"");
  }

  @Test
  void theProgramIsFoundInTheFirstPathDirectoryWhereItIsExecutable() throws IOException {
    Path plain = Files.createDirectories(temp.resolve("plain"));
    Files.writeString(plain.resolve("docker-credential-x"), "#!/bin/sh\n");
    Path first = Files.createDirectories(temp.resolve("first"));
    helper(first, "docker-credential-x", "#!/bin/sh\n");
    Path second = Files.createDirectories(temp.resolve("second"));
    helper(second, "docker-credential-x", "#!/bin/sh\n");
    String path = ":" + temp.resolve("absent") + "::" + plain + ":" + first + ":" + second;

    assertThat(CredentialHelper.find("docker-credential-x", path)).isEqualTo(first);
    assertThat(CredentialHelper.find("docker-credential-y", path)).isNull();
    assertThat(CredentialHelper.find("docker-credential-x", null)).isNull();
  }

  @Test
  void aHelperRunsOnlyInTheEnvironmentItIsGivenAndReadsItsInput() throws IOException {
    Path bin = Files.createDirectories(temp.resolve("bin"));
    // a variable of this process that the helper must not see
    String inherited =
        System.getenv().keySet().stream()
            .filter(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*"))
            .filter(k -> !k.equals("PATH") && !k.equals("PWD") && !k.equals("GREETING"))
            .findFirst()
            .orElseThrow();
    helper(
        bin,
        "docker-credential-env",
        """
        #!/bin/sh
        read -r server
        echo "$GREETING $server ${%s-unset}"
        exit 4
        """
            .formatted(inherited));

    CredentialHelper.Answer answer =
        CredentialHelper.run(
            "docker-credential-env",
            "get",
            "registry.example".getBytes(StandardCharsets.UTF_8),
            Map.of("PATH", bin.toString(), "GREETING", "hello"));

    assertThat(answer).isEqualTo(new CredentialHelper.Answer(4, "hello registry.example unset\n"));
  }

  @Test
  void anInterruptWhileWaitingForAHelperEndsItAndKeepsTheInterrupt() throws IOException {
    Path bin = Files.createDirectories(temp.resolve("bin"));
    // closes its output at once, then lingers: the wait for its exit is what gets interrupted
    helper(bin, "docker-credential-slow", "#!/bin/sh\nexec >&- 2>&-\nexec sleep 30\n");

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(
              () -> CredentialHelper.run(bin, "docker-credential-slow", "get", new byte[0]))
          .isInstanceOf(InterruptedIOException.class)
          .hasMessage("interrupted while running docker-credential-slow");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aSourceFallsBackOnlyForHostsItKnowsNothingAbout() throws IOException {
    Credentials alice = Credentials.basic("alice", "a");
    Credentials bob = Credentials.basic("bob", "b");
    CredentialSource both =
        CredentialSource.of("one.example", alice).orElse(host -> Optional.of(bob));

    assertThat(both.credentials("one.example")).contains(alice);
    assertThat(both.credentials("two.example")).contains(bob);
    assertThat(CredentialSource.of("one.example", alice).orElse(CredentialSource.none()))
        .satisfies(s -> assertThat(s.credentials("two.example")).isEmpty());
  }

  @Test
  void credentialsShowTheUserButNeverASecret() {
    assertThat(Credentials.basic("alice", "s3cr3t"))
        .hasToString("Credentials[user alice, password hidden]");
    assertThat(Credentials.identityToken("t0k3n")).hasToString("Credentials[identity token]");
  }

  private static void helper(Path dir, String name, String script) throws IOException {
    Path p = Files.writeString(dir.resolve(name), script);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
