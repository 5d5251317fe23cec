package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
  @TempDir Path temp;

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void inlineAuthsByHostAndByDockerHubUrl() throws IOException {
    Path config =
        Files.writeString(
            temp.resolve("config.json"),
            """
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "%s"},
              "registry.example:5000": {"auth": "%s"},
              "https://other.example/v2/": {"identitytoken": "refresh-me"}
            }}
            """
                .formatted(b64("hubuser:hub:pass"), b64("alice:secret")));
    DockerConfigCredentials creds = DockerConfigCredentials.load(config);
    assertThat(creds.credentials("docker.io")).contains(Credentials.basic("hubuser", "hub:pass"));
    assertThat(creds.credentials("registry.example:5000"))
        .contains(Credentials.basic("alice", "secret"));
    assertThat(creds.credentials("other.example"))
        .contains(Credentials.identityToken("refresh-me"));
    assertThat(creds.credentials("unknown.example")).isEmpty();
  }

  @Test
  void missingFileMeansAnonymous() throws IOException {
    assertThat(DockerConfigCredentials.load(temp.resolve("absent.json")).credentials("x"))
        .isEmpty();
  }

  @Test
  void credentialHelpersAreAskedWithTheServerUrl() throws IOException {
    Path bin = Files.createDirectories(temp.resolve("bin"));
    helper(
        bin,
        "docker-credential-test",
        """
        #!/bin/sh
        read -r server
        case "$server" in
          registry.example) echo '{"ServerURL":"registry.example","Username":"bob","Secret":"pw"}' ;;
          https://index.docker.io/v1/) echo '{"Username":"<token>","Secret":"idtoken"}' ;;
          *) echo "credentials not found in native keychain"; exit 1 ;;
        esac
        """);
    helper(bin, "docker-credential-broken", "#!/bin/sh\necho 'keychain locked' >&2\nexit 3\n");
    Path config =
        Files.writeString(
            temp.resolve("config.json"),
            """
            {"credsStore": "test",
             "credHelpers": {"broken.example": "broken"},
             "auths": {"registry.example": {"auth": "%s"}}}
            """
                .formatted(b64("ignored:ignored")));
    DockerConfigCredentials creds = DockerConfigCredentials.load(config, bin);
    assertThat(creds.credentials("registry.example")).contains(Credentials.basic("bob", "pw"));
    assertThat(creds.credentials("docker.io")).contains(Credentials.identityToken("idtoken"));
    assertThat(creds.credentials("nobody.example")).isEmpty();
    assertThatThrownBy(() -> creds.credentials("broken.example"))
        .isInstanceOf(IOException.class)
        .hasMessage("credential helper docker-credential-broken get failed: keychain locked");
  }

  @Test
  void dockerHubsHelperIsItsOwnEntryElseIndexDockerIosAndNoOtherHostsEntry() throws IOException {
    Path bin = Files.createDirectories(temp.resolve("bin"));
    for (String name : new String[] {"hub", "index"}) {
      helper(
          bin,
          "docker-credential-" + name,
          "#!/bin/sh\necho '{\"Username\":\"%s\",\"Secret\":\"pw\"}'\n".formatted(name));
    }
    String auths =
        "\"auths\": {\"registry.example\": {\"auth\": \"%s\"}}".formatted(b64("inline:pw"));
    Path both =
        Files.writeString(
            temp.resolve("both.json"),
            "{\"credHelpers\": {\"docker.io\": \"hub\", \"index.docker.io\": \"index\"}}");
    Path index =
        Files.writeString(
            temp.resolve("index.json"),
            "{\"credHelpers\": {\"index.docker.io\": \"index\"}, " + auths + "}");

    assertThat(DockerConfigCredentials.load(both, bin).credentials("docker.io"))
        .contains(Credentials.basic("hub", "pw"));
    assertThat(DockerConfigCredentials.load(index, bin).credentials("docker.io"))
        .contains(Credentials.basic("index", "pw"));
    assertThat(DockerConfigCredentials.load(index, bin).credentials("registry.example"))
        .contains(Credentials.basic("inline", "pw"));
  }

  @Test
  void credentialsNeverShowTheirSecrets() {
    assertThat(Credentials.basic("alice", "s3cr3t").toString()).doesNotContain("s3cr3t");
    assertThat(Credentials.identityToken("t0k3n").toString()).doesNotContain("t0k3n");
  }

  private static void helper(Path dir, String name, String script) throws IOException {
    Path p = Files.writeString(dir.resolve(name), script);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} for {1}: {2}")
  @org.junit.jupiter.params.provider.CsvSource({
    "registry.example, registry.example, true",
    "https://registry.example/v2/, registry.example, true",
    "http://registry.example:5000, registry.example:5000, true",
    "ftp://registry.example, registry.example, false",
    "://registry.example, registry.example, false",
    "registry.example:5000, registry.example, false",
    "other.example, registry.example, false",
    "https://index.docker.io/v1/, docker.io, true",
    "index.docker.io, docker.io, true",
    "registry-1.docker.io, docker.io, true",
    "docker.io, docker.io, true",
    "quay.io, docker.io, false"
  })
  void anAuthsKeyNamesAHostAsDockerReadsIt(String key, String host, boolean matches) {
    assertThat(DockerConfigCredentials.matches(key, host)).isEqualTo(matches);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "an empty user | {\"auth\":\"B64(:p)\"} | '' | p",
        "members instead of auth | {\"username\":\"u\",\"password\":\"p\"} | u | p",
        "an empty auth falls to the members | {\"auth\":\"\",\"username\":\"u\",\"password\":\"p\"} | u | p",
        "a user without a password | {\"username\":\"u\"} | | ",
        "an empty identity token is none | {\"identitytoken\":\"\"} | | "
      })
  void anAuthsEntryGivesItsUserAndPassword(String name, String entry, String user, String password)
      throws IOException {
    int at = entry.indexOf("B64(");
    String e =
        at < 0
            ? entry
            : entry.substring(0, at)
                + b64(entry.substring(at + 4, entry.indexOf(')', at)))
                + entry.substring(entry.indexOf(')', at) + 1);
    Path config =
        Files.writeString(temp.resolve("config.json"), "{\"auths\":{\"r.example\":" + e + "}}");
    assertThat(DockerConfigCredentials.load(config).credentials("r.example"))
        .isEqualTo(
            user == null
                ? java.util.Optional.empty()
                : java.util.Optional.of(Credentials.basic(user, password)));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "auth that is no base64 | %%% | auth is not base64",
        "auth without a colon | dXNlcg== | auth is not user:password"
      })
  void aBrokenAuthIsAnErrorNamingTheEntry(String name, String auth, String message)
      throws IOException {
    Path config =
        Files.writeString(
            temp.resolve("config.json"), "{\"auths\":{\"r.example\":{\"auth\":\"" + auth + "\"}}}");
    assertThatThrownBy(() -> DockerConfigCredentials.load(config).credentials("r.example"))
        .isInstanceOf(dev.cairn.CairnException.class)
        .hasMessage(config + ": auths entry r.example: " + message);
  }

  @Test
  void theFileIsWhereDockerLooks() throws IOException {
    assertThat(
            DockerConfigCredentials.configFile(
                java.util.Map.of("DOCKER_CONFIG", "/d", "HOME", "/h")))
        .isEqualTo(Path.of("/d/config.json"));
    assertThat(
            DockerConfigCredentials.configFile(java.util.Map.of("DOCKER_CONFIG", "", "HOME", "/h")))
        .isEqualTo(Path.of("/h/.docker/config.json"));
    assertThat(DockerConfigCredentials.configFile(java.util.Map.of("HOME", "")))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".docker", "config.json"));
    Files.writeString(
        temp.resolve("config.json"),
        "{\"auths\":{\"r.example\":{\"auth\":\"" + b64("u:p") + "\"}}}");
    assertThat(
            DockerConfigCredentials.loadDefault(java.util.Map.of("DOCKER_CONFIG", temp.toString()))
                .credentials("r.example"))
        .contains(Credentials.basic("u", "p"));
  }

  @Test
  void aFileOfFourMebibytesIsReadAndALargerOneRefused() throws IOException {
    String doc = "{\"auths\":{\"r.example\":{\"auth\":\"" + b64("u:p") + "\"}}}";
    Path config = temp.resolve("config.json");
    Files.writeString(config, doc + " ".repeat(4 * 1024 * 1024 - doc.length()));
    assertThat(DockerConfigCredentials.load(config).credentials("r.example"))
        .contains(Credentials.basic("u", "p"));
    Files.writeString(config, doc + " ".repeat(4 * 1024 * 1024 - doc.length() + 1));
    assertThatThrownBy(() -> DockerConfigCredentials.load(config))
        .hasMessage(config + ": larger than 4 MiB");
  }
}
