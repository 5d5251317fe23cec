package dev.cairn.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.distribution.PullOptions;
import dev.cairn.image.Reference;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.serve.DockerCli.Run;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The docker CLI pulls, pushes, logs in and imports through {@code cairn serve}. */
class EnginePullPushTest {
  @TempDir static Path temp;
  static RegistryServer registry;
  static RegistryServer locked;
  static Store store;
  static EngineServer server;
  static Path socket;
  static OciLayouts.Image app1;
  static OciLayouts.Image arm64;
  static OciLayouts.Image first;
  static OciLayouts.Image byDigest;
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
    app1 = layout.image("amd64", List.of(Map.of("etc/os", "base\n"), Map.of("bin/app", "1\n")));
    OciLayouts.Image app2 =
        layout.image("amd64", List.of(Map.of("etc/os", "base\n"), Map.of("bin/app", "2\n")));
    layout.tag("1", app1.manifest());
    layout.tag("2", app2.manifest());
    OciLayouts.Image amd64 = layout.image("amd64", List.of(Map.of("arch", "amd64\n")));
    arm64 = layout.image("arm64", List.of(Map.of("arch", "arm64\n")));
    layout.tag("multi", layout.index(List.of(amd64, arm64), List.of("amd64", "arm64")));
    Tools.push(layout.dir(), "1", host, "serve/app", "--format", "v2s2");
    Tools.push(layout.dir(), "2", host, "serve/app", "--format", "v2s2");
    // as OCI, the manifest skopeo sends is the layout's own, digest and all
    first = layout.image("amd64", List.of(Map.of("first", "a\n"), Map.of("first", "b\n")));
    layout.tag("first", first.manifest());
    Tools.push(layout.dir(), "first", host, "serve/first");
    byDigest = layout.image("amd64", List.of(Map.of("by", "digest\n")));
    layout.tag("bydigest", byDigest.manifest());
    Tools.push(layout.dir(), "bydigest", host, "serve/bydigest");
    Tools.push(layout.dir(), "multi", host, "serve/multi", "--multi-arch", "all");
    Tools.push(
        layout.dir(),
        "1",
        locked.host(),
        "serve/private",
        "--format",
        "v2s2",
        "--dest-creds",
        "alice:s3cret");
    store = Store.open(temp.resolve("store"), StoreOptions.defaults().withDriver("vfs"));
    socket = temp.resolve("cairn.sock");
    server = EngineServer.start(store, List.of("unix://" + socket));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
    if (locked != null) {
      locked.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  static Run docker(String... args) throws Exception {
    return dockerWith(temp.resolve("docker-config"), args);
  }

  /** The docker CLI against the server, with {@code config} as its config directory. */
  static Run dockerWith(Path config, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker", "-H", "unix://" + socket));
    cmd.addAll(List.of(args));
    return DockerCli.run(config, cmd);
  }

  static String shortId(OciLayouts.Blob blob) {
    return blob.digest().hex().substring(0, 12);
  }

  @Test
  void aPullByTagPrintsDockersLinesAndStoresTheImage() throws Exception {
    String ref = host + "/serve/first:first";
    Run r = docker("pull", ref);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().toList())
        .startsWith("first: Pulling from serve/first")
        .contains(shortId(first.layers().get(0)) + ": Pull complete")
        .contains(shortId(first.layers().get(1)) + ": Pull complete")
        .endsWith(
            "Digest: " + first.manifest().digest(),
            "Status: Downloaded newer image for " + ref,
            ref);
    assertThat(store.image(ref).id()).isEqualTo(first.config().digest());

    Run again = docker("pull", ref);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("Status: Image is up to date for " + ref + "\n");
  }

  @Test
  void aPullByDigestStoresTheImageUnderItsDigest() throws Exception {
    String ref = host + "/serve/bydigest@" + byDigest.manifest().digest();
    Run r = docker("pull", ref);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Status: Downloaded newer image for " + ref + "\n");
    assertThat(store.image(ref).id()).isEqualTo(byDigest.config().digest());
  }

  @Test
  void aPullForAPlatformPicksItFromTheIndex() throws Exception {
    String ref = host + "/serve/multi:multi";
    Run r = docker("pull", "--platform", "linux/arm64", ref);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(store.image(ref).id()).isEqualTo(arm64.config().digest());
  }

  @Test
  void aPullOfEveryTagEndsWithOneStatusForTheRepository() throws Exception {
    Run r = docker("pull", "-a", host + "/serve/app");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().filter(l -> l.startsWith("Digest: "))).hasSize(2);
    assertThat(r.out().lines().filter(l -> l.startsWith("Status: ")))
        .singleElement()
        .asString()
        .endsWith(" for " + host + "/serve/app");
    assertThat(store.image(host + "/serve/app:2")).isNotNull();
  }

  @Test
  void aTagTheRegistryLacksIsAnErrorFromTheDaemon() throws Exception {
    Run r = docker("pull", host + "/serve/app:nope");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("Error response from daemon: ").contains("serve/app:nope");
  }

  @Test
  void aPushSendsTheImageAndPrintsDockersLastLine() throws Exception {
    String source = host + "/serve/app:1";
    store.pull(Reference.parse(source), PullOptions.defaults(), e -> {});
    String target = host + "/serve/copy:7";
    assertThat(docker("tag", source, target).exit()).isZero();
    Run r = docker("push", target);
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.getFirst())
        .isEqualTo("The push refers to repository [" + host + "/serve/copy]");
    assertThat(lines.getLast()).startsWith("7: digest: sha256:").contains(" size: ");
    try (Store other =
        Store.open(temp.resolve("push-check"), StoreOptions.defaults().withDriver("vfs"))) {
      other.pull(Reference.parse(target), PullOptions.defaults(), e -> {});
      assertThat(other.image(target).id()).isEqualTo(app1.config().digest());
    }
  }

  @Test
  void loginChecksWithTheRegistryAndAPullThenSendsTheCredentials() throws Exception {
    Path config = temp.resolve("login-config");
    Run wrong = dockerWith(config, "login", "-u", "alice", "-p", "nope", locked.host());
    assertThat(wrong.exit()).isEqualTo(1);
    assertThat(wrong.err()).contains("Error response from daemon: ").contains("login");

    String ref = locked.host() + "/serve/private:1";
    Run anonymous = dockerWith(config, "pull", ref);
    assertThat(anonymous.exit()).isEqualTo(1);
    assertThat(anonymous.err()).startsWith("Error response from daemon: ");

    Run login = dockerWith(config, "login", "-u", "alice", "-p", "s3cret", locked.host());
    assertThat(login.exit()).as(login.err()).isZero();
    assertThat(login.out()).contains("Login Succeeded");

    Run pull = dockerWith(config, "pull", ref);
    assertThat(pull.exit()).as(pull.err()).isZero();
    assertThat(store.image(ref).id()).isEqualTo(app1.config().digest());
  }

  @Test
  void importMakesAnImageOfTheRequestsTarball() throws Exception {
    Path tarball = Files.write(temp.resolve("rootfs.tar"), OciLayouts.tar(Map.of("hello", "hi\n")));
    Run r = docker("import", tarball.toString(), "imported/root:1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo(store.image("imported/root:1").id().toString());
  }
}
