package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.testing.TarBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where the command line looks, as docker and the XDG base directory specification say: the
 * environment given to {@link Main}, never the JVM's idea of the home directory while {@code $HOME}
 * is set, and an empty variable counts as unset.
 */
class EnvironmentTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static RegistryServer locked;

  @BeforeAll
  static void start() throws Exception {
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    layout.tag("1", layout.image("amd64", List.of(Map.of("etc/env", "env\n"))).manifest());
    try (RegistryServer open = RegistryServer.start(temp.resolve("storage"), temp, "")) {
      Tools.push(layout.dir(), "1", open.host(), "test/env");
    }
    String line =
        Tools.run(List.of(Tools.require("htpasswd").toString(), "-nbB", "alice", "secret"));
    Path htpasswd = Files.writeString(temp.resolve("htpasswd"), line.strip() + "\n");
    String auth = "auth:\n  htpasswd:\n    realm: cairn-test\n    path: " + htpasswd + "\n";
    locked = RegistryServer.start(temp.resolve("storage"), temp, auth);
  }

  @AfterAll
  static void stop() throws Exception {
    if (locked != null) {
      locked.close();
    }
  }

  /**
   * Each case names the directories the variables point at: {@code good} holds a config.json with
   * the registry's password, {@code bad} one with a wrong password (exit 3); {@code -} leaves the
   * variable unset and {@code ''} sets it empty.
   */
  @ParameterizedTest(name = "DOCKER_CONFIG={0} HOME={1}: exit {2}")
  @CsvSource({
    "good/config, bad/home, 0",
    "bad/config, good/home, 3",
    "'', good/home, 0",
    "-, good/home, 0",
    "-, bad/home, 3",
  })
  void credentialsComeFromDockerConfigElseFromTheHomeDirectory(
      String dockerConfig, String home, int exit) throws IOException {
    writeConfig(dir.resolve("good/config/config.json"), "secret");
    writeConfig(dir.resolve("good/home/.docker/config.json"), "secret");
    writeConfig(dir.resolve("bad/config/config.json"), "wrong");
    writeConfig(dir.resolve("bad/home/.docker/config.json"), "wrong");
    Map<String, String> env = new HashMap<>();
    set(env, "DOCKER_CONFIG", dockerConfig);
    set(env, "HOME", home);

    CliResult r =
        Cli.vfs(dir.resolve("store")).withEnv(env).run("pull", "-q", locked.host() + "/test/env:1");

    assertThat(r.exit()).as(r.err()).isEqualTo(exit);
  }

  /**
   * Each case names the directory the store must be in, and the variables ({@code -} unset, {@code
   * ''} empty); a relative {@code XDG_DATA_HOME} is invalid for the XDG specification and ignored.
   */
  @ParameterizedTest(name = "CAIRN_ROOT={0} XDG_DATA_HOME={1} HOME={2}: {3}")
  @CsvSource({
    "cairn, data, home, cairn",
    "'', data, home, data/cairn",
    "-, data, home, data/cairn",
    "-, '', home, home/.local/share/cairn",
    "-, -, home, home/.local/share/cairn",
    "-, relative/data, home, home/.local/share/cairn",
  })
  void theDefaultStoreIsCairnRootElseXdgDataHomeElseTheHomeDirectory(
      String cairnRoot, String dataHome, String home, String expected) throws IOException {
    Map<String, String> env = new HashMap<>();
    set(env, "CAIRN_ROOT", cairnRoot);
    set(env, "XDG_DATA_HOME", dataHome);
    set(env, "HOME", home);
    Path tar = Files.write(dir.resolve("rootfs.tar"), TarBuilder.tar().file("f", "x\n").bytes());

    CliResult imported = new Cli(null, "vfs", env).run("import", tar.toString(), "env:1");

    assertThat(imported.exit()).as(imported.err()).isZero();
    CliResult listed = Cli.vfs(dir.resolve(expected)).run("images", "--format", "json");
    assertThat(listed.exit()).as(listed.err()).isZero();
    assertThat(listed.out()).contains("\"env\"");
  }

  /** {@code -} leaves the variable unset; a relative name is made absolute under the test's dir. */
  private void set(Map<String, String> env, String name, String value) {
    if (value == null || value.equals("-")) {
      return;
    }
    boolean absolute = !value.isEmpty() && !value.startsWith("relative/");
    env.put(name, absolute ? dir.resolve(value).toString() : value);
  }

  private static void writeConfig(Path file, String password) throws IOException {
    Files.createDirectories(file.getParent());
    String auth =
        Base64.getEncoder().encodeToString(("alice:" + password).getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        file, "{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}".formatted(locked.host(), auth));
  }
}
