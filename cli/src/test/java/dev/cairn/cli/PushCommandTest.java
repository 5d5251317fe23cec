package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn push} against the real registry: docker push's lines and exit codes. */
class PushCommandTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static RegistryServer server;
  static RegistryServer far;
  static final Map<String, String> BASE = Map.of("etc/os", "push base\n");
  static final Map<String, String> APP = Map.of("bin/app", "pushed app\n");
  Cli cairn;

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    far = RegistryServer.start(temp.resolve("far"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    layout.tag("1", layout.image("amd64", List.of(BASE, APP)).manifest());
    Tools.push(layout.dir(), "1", server.host(), "src/cli", "--format", "v2s2");
  }

  @AfterAll
  static void stop() throws Exception {
    for (RegistryServer r : new RegistryServer[] {server, far}) {
      if (r != null) {
        r.close();
      }
    }
  }

  @BeforeEach
  void setUp() {
    cairn = new Cli(dir.resolve("store"), null);
    assertThat(cairn.run("pull", "-q", server.host() + "/src/cli:1").exit()).isZero();
  }

  private static String shortDiffId(Map<String, String> files) {
    return Digest.sha256(OciLayouts.tar(files)).hex().substring(0, 12);
  }

  private String tagged(String repo) {
    String target = server.host() + "/" + repo + ":1";
    assertThat(cairn.run("tag", server.host() + "/src/cli:1", target).exit()).isZero();
    return target;
  }

  @Test
  void plainProgressSaysWhatDockerPushSaysLayerByLayerThenTheDigest() {
    String target = far.host() + "/dst/plain:1";
    assertThat(cairn.run("tag", server.host() + "/src/cli:1", target).exit()).isZero();
    CliResult r = cairn.run("push", "--progress=plain", target);

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.lines();
    assertThat(lines.getFirst())
        .isEqualTo("The push refers to repository [" + far.host() + "/dst/plain]");
    // top layer first, as docker lists them
    assertThat(lines.subList(1, 3))
        .containsExactly(shortDiffId(APP) + ": Preparing", shortDiffId(BASE) + ": Preparing");
    assertThat(lines).contains(shortDiffId(APP) + ": Pushed", shortDiffId(BASE) + ": Pushed");
    assertThat(lines.getLast()).matches("1: digest: sha256:[0-9a-f]{64} size: [0-9]+");

    // Compressed again the same way, the layers make the same manifest.
    CliResult again = cairn.run("push", "--progress=plain", target);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.lines().getLast()).isEqualTo(lines.getLast());
  }

  @Test
  void layersAnotherRepositoryOfTheRegistryHoldsAreMountedAndTheDigestIsTheSources() {
    String target = tagged("dst/mount");
    CliResult r = cairn.run("push", "--progress=plain", target);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines())
        .contains(
            shortDiffId(APP) + ": Mounted from src/cli",
            shortDiffId(BASE) + ": Mounted from src/cli");
    CliResult inspect = cairn.run("images", "--digests", "--format", "json");
    assertThat(inspect.out()).contains(r.lines().getLast().split(" ")[2]);
  }

  @Test
  void layersTheRepositoryHoldsUnderTheirPulledDigestAreNotSentAgain() {
    CliResult r = cairn.run("push", "--progress=plain", server.host() + "/src/cli:1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines())
        .contains(
            shortDiffId(APP) + ": Layer already exists",
            shortDiffId(BASE) + ": Layer already exists")
        .doesNotContain(shortDiffId(APP) + ": Pushed", shortDiffId(BASE) + ": Pushed");
  }

  @Test
  void quietPrintsOnlyTheReferencePushed() {
    String target = tagged("dst/quiet");
    CliResult r = cairn.run("push", "-q", target);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines()).containsExactly(target);
  }

  @Test
  void allTagsPushesEveryTagOfTheRepository() {
    String one = tagged("dst/all");
    String two = server.host() + "/dst/all:2";
    assertThat(cairn.run("tag", one, two).exit()).isZero();
    CliResult r = cairn.run("push", "-a", "-q", server.host() + "/dst/all");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines()).containsExactly(one, two);
  }

  @Test
  void anImageTheStoreLacksExitsTwoWithDockersMessage() {
    CliResult r = cairn.run("push", server.host() + "/nothing/here");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "cairn: An image does not exist locally with the tag: "
                + server.host()
                + "/nothing/here\n");
  }

  @Test
  void formatV2s1PushesASignedSchema1ManifestAndAnUnknownFormatIsAUsageError() {
    String target = far.host() + "/dst/v2s1:1";
    assertThat(cairn.run("tag", server.host() + "/src/cli:1", target).exit()).isZero();

    CliResult r = cairn.run("push", "--progress=plain", "--format", "v2s1", target);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines().getLast()).matches("1: digest: sha256:[0-9a-f]{64} size: [0-9]+");
    assertThat(dir.resolve("store").resolve("trust").resolve("key.json")).isRegularFile();

    CliResult bad = cairn.run("push", "--format", "v3", target);
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).isEqualTo("cairn: unknown manifest format \"v3\": v2s1, v2s2 or oci\n");
  }
}
