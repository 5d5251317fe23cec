package dev.cairn.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.testing.DockerEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same docker pull, push and login commands against dockerd and against cairn serve. */
class EnginePullDifferentialTest {
  @TempDir static Path temp;
  static RegistryServer registry;
  static RegistryServer locked;
  static DockerEngine docker;
  static Store store;
  static EngineServer server;
  static Map<String, String> cairn;
  static String host;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryServer.start(temp.resolve("registry"), temp, "");
    Files.createDirectories(temp.resolve("auth"));
    locked =
        RegistryServer.start(
            temp.resolve("locked"),
            temp.resolve("auth"),
            RegistryServer.htpasswdAuth(temp.resolve("auth"), "alice", "s3cret"));
    host = registry.host();
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    OciLayouts.Image app =
        layout.image(
            "amd64",
            List.of(Map.of("etc/os", "base\n"), Map.of("bin/app", "1\n"), Map.of("x", "")));
    layout.tag("1", app.manifest());
    OciLayouts.Image amd64 = layout.image("amd64", List.of(Map.of("arch", "amd64\n")));
    OciLayouts.Image arm64 = layout.image("arm64", List.of(Map.of("arch", "arm64\n")));
    layout.tag("multi", layout.index(List.of(amd64, arm64), List.of("amd64", "arm64")));
    Tools.push(layout.dir(), "1", host, "serve/app", "--format", "v2s2");
    Tools.push(layout.dir(), "1", host, "serve/app2", "--format", "v2s2");
    Tools.push(layout.dir(), "multi", host, "serve/multi", "--multi-arch", "all");
    Tools.push(layout.dir(), "1", locked.host(), "serve/private", "--dest-creds", "alice:s3cret");
    docker = DockerEngine.start();
    store = Store.open(temp.resolve("store"), StoreOptions.defaults().withDriver("vfs"));
    Path socket = temp.resolve("cairn.sock");
    server = EngineServer.start(store, List.of("unix://" + socket));
    cairn = Map.of("DOCKER_HOST", "unix://" + socket);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
    if (docker != null) {
      docker.close();
    }
    if (locked != null) {
      locked.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  /** What one docker command gave against dockerd and against cairn serve. */
  record Both(DockerEngine.Result dockerd, DockerEngine.Result cairn) {}

  static Both both(String... args) throws Exception {
    return new Both(docker.run(args), docker.run(cairn, args));
  }

  private static final Pattern LAYER_ROW = Pattern.compile("([0-9a-f]{12}): (.*)");

  /**
   * Progress as the docker CLI prints it off a terminal, taken apart: the lines about the whole
   * pull or push in order, and each layer's lines in order. Layers run at once, so how their lines
   * interleave differs from run to run; {@code Waiting} depends on which started first. dockerd's
   * transfer hands each watcher only the latest update, so a {@code Verifying Checksum} that {@code
   * Download complete} follows at once can be lost on a busy machine: it is put back where dockerd
   * always sends it, so that the comparison does not hang on timing.
   */
  record Progress(List<String> lines, Map<String, List<String>> layers) {
    static Progress of(String out) {
      List<String> lines = new ArrayList<>();
      Map<String, List<String>> layers = new TreeMap<>();
      for (String line : out.lines().toList()) {
        Matcher m = LAYER_ROW.matcher(line);
        if (m.matches()) {
          List<String> layer = layers.computeIfAbsent(m.group(1), k -> new ArrayList<>());
          if (m.group(2).equals("Download complete")
              && (layer.isEmpty() || !layer.getLast().equals("Verifying Checksum"))) {
            layer.add("Verifying Checksum");
          }
          if (!m.group(2).equals("Waiting")) {
            layer.add(m.group(2));
          }
        } else {
          lines.add(line);
        }
      }
      return new Progress(lines, layers);
    }
  }

  @Test
  void aPullPrintsWhatDockerdPrintsTheFirstTimeAndTheSecond() throws Exception {
    for (int time = 1; time <= 2; time++) {
      Both pull = both("pull", host + "/serve/app:1");
      assertThat(pull.cairn().exit()).as(pull.cairn().err()).isZero();
      assertThat(pull.dockerd().exit()).as(pull.dockerd().err()).isZero();
      assertThat(Progress.of(pull.cairn().out()))
          .as("pull number %d", time)
          .isEqualTo(Progress.of(pull.dockerd().out()));
    }
    String format = "{{.Repository}}:{{.Tag}} {{.Digest}} {{.ID}}";
    Both images = both("images", "--digests", "--format", format);
    assertThat(rowsOf(images.cairn().out(), host + "/serve/app:"))
        .isNotEmpty()
        .isEqualTo(rowsOf(images.dockerd().out(), host + "/serve/app:"));
  }

  @Test
  void aPullForAPlatformAndAPullOfEveryTagPrintWhatDockerdPrints() throws Exception {
    Both platform = both("pull", "--platform", "linux/arm64", host + "/serve/multi:multi");
    assertThat(platform.cairn().exit()).as(platform.cairn().err()).isZero();
    assertThat(Progress.of(platform.cairn().out()))
        .isEqualTo(Progress.of(platform.dockerd().out()));
    Both all = both("pull", "-a", host + "/serve/app2");
    assertThat(all.cairn().exit()).as(all.cairn().err()).isZero();
    assertThat(Progress.of(all.cairn().out())).isEqualTo(Progress.of(all.dockerd().out()));
    String format = "{{.Repository}}:{{.Tag}} {{.Digest}} {{.ID}}";
    Both images = both("images", "--digests", "--format", format);
    assertThat(sorted(images.cairn().out())).isEqualTo(sorted(images.dockerd().out()));
  }

  /**
   * A tag the registry lacks fails as with dockerd: the same exit code and dockerd's 404 (the
   * client's "Error response from daemon"). The words differ, as the one difference allowed here:
   * cairn says which host and repository it asked, dockerd repeats the registry's code.
   */
  @Test
  void aTagTheRegistryLacksFailsAsWithDockerd() throws Exception {
    Both pull = both("pull", host + "/serve/app:nope");
    assertThat(pull.cairn().exit()).isEqualTo(pull.dockerd().exit()).isEqualTo(1);
    assertThat(pull.dockerd().err())
        .contains("Error response from daemon: manifest for " + host + "/serve/app:nope");
    assertThat(pull.cairn().err())
        .contains("Error response from daemon: pulling " + host + "/serve/app:nope")
        .contains("manifest unknown");
  }

  /**
   * A push mounts what the registry has in another repository, as dockerd's does. Two differences
   * are allowed. dockerd writes a manifest of its own, while cairn sends the one the image was
   * pulled with when every layer goes as its original blob, so the digest and size differ. And the
   * repository mounted from may differ: both take the newest they know of, but cairn also records
   * where a pull found an image it already held, and dockerd only where it fetched layers.
   */
  @Test
  void aPushPrintsWhatDockerdPrintsAndRecordsTheDigestItPushed() throws Exception {
    docker.docker("pull", host + "/serve/app:1");
    docker.docker(cairn, "pull", host + "/serve/app:1");
    docker.docker("tag", host + "/serve/app:1", host + "/serve/by-dockerd:1");
    docker.docker(cairn, "tag", host + "/serve/app:1", host + "/serve/by-cairn:1");
    DockerEngine.Result d = docker.run("push", host + "/serve/by-dockerd:1");
    DockerEngine.Result c = docker.run(cairn, "push", host + "/serve/by-cairn:1");
    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(d.exit()).as(d.err()).isZero();
    Progress dockerd = Progress.of(mountSource(d.out().replace("by-dockerd", "by-X")));
    Progress mine = Progress.of(mountSource(c.out().replace("by-cairn", "by-X")));
    assertThat(mine.layers()).isEqualTo(dockerd.layers());
    assertThat(mine.lines().getFirst()).isEqualTo(dockerd.lines().getFirst());
    assertThat(mine.lines()).hasSize(dockerd.lines().size());
    assertThat(mine.lines().get(1)).matches("1: digest: sha256:[0-9a-f]{64} size: [0-9]+");
    String pushed = mine.lines().get(1).split(" ")[2];
    String listed =
        docker.docker(cairn, "images", "--digests", "--format", "{{.Repository}} {{.Digest}}");
    assertThat(rowsOf(listed, host + "/serve/by-cairn "))
        .containsExactly(host + "/serve/by-cairn " + pushed);

    Both missing = both("push", host + "/serve/nothere:1");
    assertThat(missing.cairn()).isEqualTo(missing.dockerd());
  }

  /**
   * docker login checks the credentials through the daemon, then the CLI keeps them and sends them
   * with each pull. A refused login fails with dockerd's status (401), in cairn's words.
   */
  @Test
  void loginAndAPullNeedingItGoAsWithDockerd() throws Exception {
    String ref = locked.host() + "/serve/private:1";
    Both anonymous = both("pull", ref);
    assertThat(anonymous.cairn().exit()).isEqualTo(anonymous.dockerd().exit()).isEqualTo(1);
    assertThat(anonymous.cairn().err()).startsWith("Error response from daemon: ");

    Both refused = both("login", "-u", "alice", "-p", "nope", locked.host());
    assertThat(refused.cairn().exit()).isEqualTo(refused.dockerd().exit()).isEqualTo(1);
    assertThat(refused.cairn().err())
        .contains("Error response from daemon: login to " + locked.host() + " failed");

    DockerEngine.Result login =
        docker.run("login", "-u", "alice", "-p", "s3cret", locked.host()); // dockerd's
    assertThat(login.exit()).as(login.err()).isZero();
    DockerEngine.Result again =
        docker.run(cairn, "login", "-u", "alice", "-p", "s3cret", locked.host());
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).isEqualTo(login.out()).isEqualTo("Login Succeeded\n");

    Both pull = both("pull", ref);
    assertThat(pull.cairn().exit()).as(pull.cairn().err()).isZero();
    assertThat(Progress.of(pull.cairn().out())).isEqualTo(Progress.of(pull.dockerd().out()));
  }

  /** "Mounted from serve/app2" and "Mounted from serve/app" alike: both repositories hold it. */
  private static String mountSource(String out) {
    return out.replaceAll("Mounted from serve/app2?\\b", "Mounted from serve/app*");
  }

  /** The rows of a listing that start with {@code prefix}, sorted. */
  private static List<String> rowsOf(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).sorted().toList();
  }

  private static List<String> sorted(String out) {
    return out.lines().sorted().toList();
  }
}
