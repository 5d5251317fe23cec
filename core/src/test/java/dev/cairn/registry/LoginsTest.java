package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logging in to a registry that hands out tokens: the credentials are checked by the token flow.
 */
class LoginsTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static TokenServer tokens;
  static RegistryServer registry;
  static RegistryOptions options;

  @BeforeAll
  static void start() throws Exception {
    tokens = new TokenServer("alice", "secret");
    registry = RegistryServer.start(temp.resolve("storage"), temp, tokens.registryAuth(temp));
    Path ca = Files.writeString(temp.resolve("ca.pem"), tokens.certificatePem());
    options = RegistryOptions.defaults().withCaCertificates(List.of(ca));
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (tokens != null) {
      tokens.close();
    }
  }

  private Map<String, String> env() {
    return Map.of("DOCKER_CONFIG", dir.toString(), "HOME", dir.toString());
  }

  @Test
  void rightCredentialsAreCheckedThroughTheTokenServerAndStoredAsDockerStoresThem()
      throws Exception {
    int before = tokens.issued();

    Logins.Login login =
        Logins.login(registry.host(), Credentials.basic("alice", "secret"), options, env());

    assertThat(tokens.issued()).isGreaterThan(before);
    assertThat(login.server()).isEqualTo(registry.host());
    String auth =
        Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
    assertThat(Files.readString(dir.resolve("config.json")))
        .isEqualTo(
            "{\n\t\"auths\": {\n\t\t\""
                + registry.host()
                + "\": {\n\t\t\t\"auth\": \""
                + auth
                + "\"\n\t\t}\n\t}\n}");

    Logins.logout(registry.host(), env());
    assertThat(Files.readString(dir.resolve("config.json"))).isEqualTo("{\n\t\"auths\": {}\n}");
  }

  @Test
  void theFileIsReplacedWholeWithMode0600AndALoginThatChangesNothingLeavesItAlone()
      throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"), "{\"psFormat\":\"x\"}");
    Object before = Files.readAttributes(file, BasicFileAttributes.class).fileKey();

    Logins.Login first =
        Logins.login(registry.host(), Credentials.basic("alice", "secret"), options, env());
    Object written = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    String bytes = Files.readString(file);
    Logins.Login again =
        Logins.login(registry.host(), Credentials.basic("alice", "secret"), options, env());

    assertThat(first.written()).isTrue();
    assertThat(written).as("a new file renamed over the old one").isNotEqualTo(before);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
    assertThat(again.written()).isFalse();
    assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey()).isEqualTo(written);
    assertThat(Files.readString(file)).isEqualTo(bytes);
  }

  @Test
  void aRefusedPasswordLeavesAnExistingFileAsItWas() throws Exception {
    String stored = "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"YWxpY2U6b2xk\"}}}";
    Path file = Files.writeString(dir.resolve("config.json"), stored);
    Object before = Files.readAttributes(file, BasicFileAttributes.class).fileKey();

    assertThatThrownBy(
            () ->
                Logins.login(registry.host(), Credentials.basic("alice", "wrong"), options, env()))
        .isInstanceOf(CairnException.class);

    assertThat(Files.readString(file)).isEqualTo(stored);
    assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey()).isEqualTo(before);
    assertThat(Logins.storedCredentials(registry.host(), env()))
        .isEqualTo(Credentials.basic("alice", "old"));
  }

  @Test
  void aWrongPasswordTheTokenServerRefusesIsUnauthorizedAndWritesNothing() {
    assertThatThrownBy(
            () ->
                Logins.login(registry.host(), Credentials.basic("alice", "wrong"), options, env()))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAUTHORIZED))
        .hasMessageStartingWith("login to " + registry.host() + " failed: ");
    assertThat(dir.resolve("config.json")).doesNotExist();
  }

  private Map<String, String> withHelper(String script) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path p = Files.writeString(bin.resolve("docker-credential-fake"), script);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("config.json"), "{\"credsStore\": \"fake\"}");
    return Map.of("DOCKER_CONFIG", dir.toString(), "HOME", dir.toString(), "PATH", bin.toString());
  }

  @Test
  void withAHelperTheSecretGoesToItAndTheFileKeepsAnEmptyEntry() throws Exception {
    Map<String, String> env =
        withHelper("#!/bin/sh\nread -r line\nprintf '%s' \"$line\" > \"$DOCKER_CONFIG/stored\"\n");

    Logins.Login login =
        Logins.login(registry.host(), Credentials.basic("alice", "secret"), options, env);

    assertThat(login)
        .isEqualTo(new Logins.Login(registry.host(), dir.resolve("config.json"), "fake", true));
    assertThat(Files.readString(dir.resolve("stored")))
        .isEqualTo(
            "{\"ServerURL\":\""
                + registry.host()
                + "\",\"Username\":\"alice\",\"Secret\":\"secret\"}");
    assertThat(Files.readString(dir.resolve("config.json")))
        .isEqualTo(
            "{\n\t\"auths\": {\n\t\t\""
                + registry.host()
                + "\": {}\n\t},\n\t\"credsStore\": \"fake\"\n}");
  }

  @Test
  void aHelperThatCannotStoreFailsTheLoginWithItsMessageAndWritesNothing() throws Exception {
    Map<String, String> env = withHelper("#!/bin/sh\necho 'keychain is full'\nexit 1\n");

    assertThatThrownBy(
            () -> Logins.login(registry.host(), Credentials.basic("alice", "secret"), options, env))
        .isInstanceOf(java.io.IOException.class)
        .hasMessage("credential helper docker-credential-fake store failed: keychain is full");
    assertThat(Files.readString(dir.resolve("config.json")))
        .isEqualTo("{\"credsStore\": \"fake\"}");
  }
}
