package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The parts of login and logout that need no registry: server keys, what is offered from the config
 * file, what is refused before asking, and what logout forgets.
 */
class LoginsRulesTest {
  @TempDir Path dir;

  private Map<String, String> env() {
    return Map.of("DOCKER_CONFIG", dir.toString(), "HOME", dir.toString());
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "\"{0}\" is kept under {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "'' | https://index.docker.io/v1/",
        "docker.io | https://index.docker.io/v1/",
        "index.docker.io | https://index.docker.io/v1/",
        "https://index.docker.io/v1/ | https://index.docker.io/v1/",
        "registry-1.docker.io | https://index.docker.io/v1/",
        "registry.example | registry.example",
        "https://registry.example:5000/v2/ | registry.example:5000",
        "http://registry.example:5000 | registry.example:5000"
      })
  void aServerIsKeptUnderItsHostAndDockerHubUnderItsLegacyUrl(String server, String key) {
    assertThat(Logins.serverKey(server)).isEqualTo(key);
  }

  @Test
  void noServerMeansDockerHub() {
    assertThat(Logins.serverKey(null)).isEqualTo("https://index.docker.io/v1/");
  }

  @Test
  void aServerUrlWithoutAHostIsRefused() {
    assertThatThrownBy(() -> Logins.serverKey("https:///v2/"))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage("invalid registry server \"https:///v2/\"");
  }

  @Test
  void theStoredUserNameIsOfferedOnlyWhenThereIsOne() throws IOException {
    Files.writeString(
        dir.resolve("config.json"),
        """
        {"auths": {
          "alice.example": {"auth": "%s"},
          "nobody.example": {"auth": "%s"},
          "token.example": {"identitytoken": "refresh"}
        }}
        """
            .formatted(b64("alice:pw"), b64(":pw")));

    assertThat(Logins.storedUsername("https://alice.example/v2/", env())).isEqualTo("alice");
    assertThat(Logins.storedCredentials("alice.example", env()))
        .isEqualTo(Credentials.basic("alice", "pw"));
    assertThat(Logins.storedUsername("nobody.example", env())).isNull();
    assertThat(Logins.storedUsername("token.example", env())).isNull();
    assertThat(Logins.storedUsername("unknown.example", env())).isNull();
  }

  @Test
  void aLoginWithoutAUserNameIsRefusedBeforeTheRegistryIsAsked() {
    for (Credentials c :
        new Credentials[] {Credentials.identityToken("t"), Credentials.basic("", "pw")}) {
      assertThatThrownBy(() -> Logins.login("127.0.0.1:1", c, RegistryOptions.defaults(), env()))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessage("login needs a user name");
    }
    assertThat(dir.resolve("config.json")).doesNotExist();
  }

  @Test
  void theFileKeepsThePasswordUnencryptedOnlyWithoutAHelper() {
    Path file = dir.resolve("config.json");
    assertThat(new Logins.Login("r.example", file, null, true).unencrypted()).isTrue();
    assertThat(new Logins.Login("r.example", file, "pass", true).unencrypted()).isFalse();
  }

  // as docker's logout: a registry's URL spellings go too, Docker Hub's key alone
  @Test
  void logoutForgetsTheHostAndItsUrlSpellingsAndNothingElse() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("config.json"),
            """
            {"auths": {
              "registry.example:5000": {"auth": "%1$s"},
              "https://registry.example:5000": {"auth": "%1$s"},
              "http://registry.example:5000": {"auth": "%1$s"},
              "registry.example": {"auth": "%1$s"}
            }}
            """
                .formatted(b64("alice:pw")));

    assertThat(Logins.logout("https://registry.example:5000/v2/", env()))
        .isEqualTo("registry.example:5000");

    assertThat(Files.readString(config))
        .isEqualTo(
            """
            {
            \t"auths": {
            \t\t"registry.example": {
            \t\t\t"auth": "%s"
            \t\t}
            \t}
            }"""
                .formatted(b64("alice:pw")));
  }

  @Test
  void logoutAsksTheHelperToEraseAndTakesNotFoundAsDone() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    helper(
        bin,
        "docker-credential-fake",
        """
        #!/bin/sh
        read -r server
        echo "credentials not found in native keychain: $server"
        exit 1
        """);
    Path config =
        Files.writeString(
            dir.resolve("config.json"),
            "{\"auths\": {\"registry.example\": {}}, \"credsStore\": \"fake\"}");

    assertThat(Logins.logout("registry.example", withPath(bin))).isEqualTo("registry.example");

    assertThat(Files.readString(config))
        .isEqualTo("{\n\t\"auths\": {},\n\t\"credsStore\": \"fake\"\n}");
  }

  @Test
  void aHelperFailingToEraseFailsTheLogoutWithItsMessageAndKeepsTheFile() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    helper(bin, "docker-credential-fake", "#!/bin/sh\necho 'keychain locked'\nexit 1\n");
    String text = "{\"auths\": {\"registry.example\": {}}, \"credsStore\": \"fake\"}";
    Path config = Files.writeString(dir.resolve("config.json"), text);

    assertThatThrownBy(() -> Logins.logout("registry.example", withPath(bin)))
        .isInstanceOf(IOException.class)
        .hasMessage("credential helper docker-credential-fake erase failed: keychain locked");
    assertThat(Files.readString(config)).isEqualTo(text);
  }

  private Map<String, String> withPath(Path bin) {
    return Map.of("DOCKER_CONFIG", dir.toString(), "HOME", dir.toString(), "PATH", bin.toString());
  }

  private static void helper(Path dir, String name, String script) throws IOException {
    Path p = Files.writeString(dir.resolve(name), script);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
