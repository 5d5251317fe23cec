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
  void credentialsNeverShowTheirSecrets() {
    assertThat(Credentials.basic("alice", "s3cr3t").toString()).doesNotContain("s3cr3t");
    assertThat(Credentials.identityToken("t0k3n").toString()).doesNotContain("t0k3n");
  }

  private static void helper(Path dir, String name, String script) throws IOException {
    Path p = Files.writeString(dir.resolve(name), script);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
