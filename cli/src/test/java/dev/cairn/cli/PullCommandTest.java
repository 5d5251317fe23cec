package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.registry.FaultProxy;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn pull} against the real registry: its lines, its JSON stream, its exit codes. */
class PullCommandTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static RegistryServer server;
  static OciLayouts.Image image;
  static OciLayouts.Image bad;
  static OciLayouts.Image repeated; // its first layer again on top
  static FaultProxy proxy;
  Cli cairn;

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    image =
        layout.image("amd64", List.of(Map.of("etc/os", "cli base\n"), Map.of("bin/app", "app\n")));
    layout.tag("1", image.manifest());
    bad =
        layout.image(
            "amd64",
            List.of(Map.of("x", "y\n")),
            Map.of(0, Digest.sha256("other".getBytes(StandardCharsets.UTF_8))));
    layout.tag("bad", bad.manifest());
    Map<String, String> again = Map.of("etc/os", "again\n");
    repeated = layout.image("amd64", List.of(again, Map.of("bin/app", "app\n"), again));
    layout.tag("repeated", repeated.manifest());
    Tools.push(layout.dir(), "1", server.host(), "test/cli");
    Tools.push(layout.dir(), "bad", server.host(), "test/cli");
    Tools.push(layout.dir(), "repeated", server.host(), "test/cli");
    Tools.push(layout.dir(), "1", server.host(), "library/cairn-mirror-test");
    proxy = new FaultProxy(server.host());
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void setUp() {
    cairn = new Cli(dir.resolve("store"), null);
  }

  private static String ref(String tag) {
    return server.host() + "/test/cli:" + tag;
  }

  private static String shortId(OciLayouts.Blob layer) {
    return layer.digest().hex().substring(0, 12);
  }

  @Test
  void plainProgressNamesEveryLayerThenTheDigestsAndTheReference() {
    CliResult r = cairn.run("pull", "--progress=plain", ref("1"));
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.lines();
    assertThat(lines.getFirst()).isEqualTo("1: Pulling from test/cli");
    for (OciLayouts.Blob layer : image.layers()) {
      assertThat(lines).contains(shortId(layer) + ": Pull complete");
    }
    assertThat(lines.subList(lines.size() - 4, lines.size()))
        .containsExactly(
            "Digest: " + image.manifest().digest(),
            "Image ID: " + image.config().digest(),
            "Status: Downloaded newer image for " + ref("1"),
            ref("1"));

    CliResult again = cairn.run("pull", "--progress=plain", ref("1"));
    assertThat(again.exit()).isZero();
    // as docker: an image the store holds whole gets no row per layer
    assertThat(again.lines())
        .containsExactly(
            "1: Pulling from test/cli",
            "Digest: " + image.manifest().digest(),
            "Image ID: " + image.config().digest(),
            "Status: Image is up to date for " + ref("1"),
            ref("1"));
  }

  @Test
  void aLayerRepeatedInTheImageIsOneRowOfProgressAsDockerShows() {
    CliResult r = cairn.run("pull", "--progress=plain", ref("repeated"));
    assertThat(r.exit()).as(r.err()).isZero();
    List<OciLayouts.Blob> layers = repeated.layers();
    assertThat(layers.getLast().digest()).isEqualTo(layers.getFirst().digest());
    for (OciLayouts.Blob layer : layers) {
      assertThat(r.lines()).containsOnlyOnce(shortId(layer) + ": Pulling fs layer");
      assertThat(r.lines()).containsOnlyOnce(shortId(layer) + ": Pull complete");
    }
    assertThat(r.lines()).filteredOn(l -> l.endsWith(": Pull complete")).hasSize(2);
  }

  private List<String> keptBlobs() throws java.io.IOException {
    Path blobs = dir.resolve("store/blobs/sha256");
    if (!Files.isDirectory(blobs)) {
      return List.of();
    }
    try (var s = Files.list(blobs)) {
      return s.map(p -> "sha256:" + p.getFileName()).sorted().toList();
    }
  }

  private static List<String> layerDigests() {
    return image.layers().stream().map(l -> l.digest().toString()).sorted().toList();
  }

  @Test
  void keepBlobsKeepsTheLayerBlobsWhichDfCountsAndRmiRemoves() throws Exception {
    CliResult r = cairn.run("pull", "-q", "--keep-blobs", ref("1"));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(keptBlobs()).isEqualTo(layerDigests());
    long bytes = image.layers().stream().mapToLong(OciLayouts.Blob::size).sum();
    CliResult df = cairn.run("system", "df", "-v");
    assertThat(df.lines())
        .contains("Kept layer blobs (pull --keep-blobs): 2, " + Format.humanSize(bytes));
    assertThat(cairn.run("rmi", ref("1")).exit()).isZero();
    assertThat(keptBlobs()).isEmpty();
    assertThat(cairn.run("system", "df", "-v").out()).doesNotContain("Kept layer blobs");
  }

  @Test
  void cairnKeepBlobsInTheEnvironmentKeepsTheBlobsOfEveryPull() throws Exception {
    Cli withEnv = cairn.withEnv(Map.of("CAIRN_KEEP_BLOBS", "1", "HOME", dir.toString()));
    CliResult r = withEnv.run("pull", "-q", ref("1"));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(keptBlobs()).isEqualTo(layerDigests());
    CliResult bad =
        cairn
            .withEnv(Map.of("CAIRN_KEEP_BLOBS", "yes", "HOME", dir.toString()))
            .run("pull", "-q", ref("1"));
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("CAIRN_KEEP_BLOBS must be 1, true, 0 or false");
  }

  @Test
  void quietPrintsOnlyTheReference() {
    CliResult r = cairn.run("pull", "-q", ref("1"));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(ref("1") + "\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void jsonProgressIsOneDockerMessagePerLine() {
    CliResult r = cairn.run("pull", "--progress=json", ref("1"));
    assertThat(r.exit()).as(r.err()).isZero();
    List<JsonValue.JsonObject> messages =
        r.lines().stream()
            .map(l -> Json.parseObject(l.getBytes(StandardCharsets.UTF_8), "line"))
            .toList();
    assertThat(status(messages.getFirst())).isEqualTo("Pulling from test/cli");
    assertThat(string(messages.getFirst(), "id")).isEqualTo("1");
    for (OciLayouts.Blob layer : image.layers()) {
      assertThat(messages)
          .anySatisfy(
              m -> {
                assertThat(string(m, "id")).isEqualTo(shortId(layer));
                assertThat(status(m)).isEqualTo("Pull complete");
              });
    }
    assertThat(messages)
        .anySatisfy(
            m -> {
              assertThat(status(m)).isEqualTo("Downloading");
              assertThat(m.get("progressDetail")).isInstanceOf(JsonValue.JsonObject.class);
            });
    assertThat(status(messages.getLast()))
        .isEqualTo("Status: Downloaded newer image for " + ref("1"));
  }

  @Test
  void exitCodesSayWhatWentWrong() throws Exception {
    CliResult missing = cairn.run("pull", "-q", ref("nope"));
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).startsWith("cairn: pulling " + ref("nope"));

    CliResult mismatch = cairn.run("pull", "-q", ref("bad"));
    assertThat(mismatch.exit()).isEqualTo(1);
    assertThat(mismatch.err()).contains("DiffID is ").contains("not the expected");

    CliResult json = cairn.run("pull", "--progress=json", ref("nope"));
    assertThat(json.exit()).isEqualTo(2);
    JsonValue.JsonObject last =
        Json.parseObject(json.lines().getLast().getBytes(StandardCharsets.UTF_8), "line");
    assertThat(string(last, "error")).startsWith("pulling " + ref("nope"));

    CliResult badMode = cairn.run("pull", "--progress=loud", ref("1"));
    assertThat(badMode.exit()).isEqualTo(1);
    assertThat(badMode.err()).contains("--progress must be auto, plain or json");

    String line =
        Tools.run(List.of(Tools.require("htpasswd").toString(), "-nbB", "alice", "secret"));
    Path htpasswd = Files.writeString(temp.resolve("htpasswd"), line.strip() + "\n");
    String auth = "auth:\n  htpasswd:\n    realm: cairn-test\n    path: " + htpasswd + "\n";
    try (RegistryServer locked = RegistryServer.start(temp.resolve("storage"), temp, auth)) {
      CliResult denied = cairn.run("pull", "-q", locked.host() + "/test/cli:1");
      assertThat(denied.exit()).isEqualTo(3);
      assertThat(denied.err()).doesNotContain("secret");
    }
  }

  @Test
  void allTagsRefusesATagOrADigestAsDockerDoes() {
    for (String ref :
        List.of(
            ref("1"),
            server.host() + "/test/cli:latest",
            "alpine:latest",
            "alpine@" + image.manifest().digest())) {
      CliResult r = cairn.run("pull", "-a", ref);
      assertThat(r.exit()).as(ref).isEqualTo(1);
      assertThat(r.err()).isEqualTo("cairn: tag can't be used with --all-tags/-a\n");
    }
  }

  @Test
  void aFailedManifestFetchPrintsOnlyTheError() {
    CliResult r = cairn.run("pull", "--progress=plain", ref("nope"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).singleElement().asString().contains("MANIFEST_UNKNOWN");
  }

  @Test
  void aRefusedConnectionExitsFive() throws Exception {
    int port;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      port = closed.getLocalPort();
    }
    CliResult r = cairn.run("pull", "-q", "127.0.0.1:" + port + "/x");
    assertThat(r.exit()).isEqualTo(5);
    assertThat(r.err())
        .isEqualTo(
            "cairn: pulling 127.0.0.1:%d/x:latest: fetching manifest latest of x from"
                    .formatted(port)
                + " 127.0.0.1:%d: connection refused (5 attempts)\n".formatted(port));
  }

  @Test
  void aHostThatCannotBeResolvedExitsFive() {
    CliResult r =
        cairn.run("pull", "-q", "nonexistent.invalid/x"); // .invalid never resolves (RFC 6761)
    assertThat(r.exit()).isEqualTo(5);
    assertThat(r.err())
        .isEqualTo(
            "cairn: pulling nonexistent.invalid/x:latest: fetching manifest latest of x from"
                + " nonexistent.invalid: cannot resolve host nonexistent.invalid\n");
  }

  @Test
  void aPortOutOfRangeIsInvalidInputInOneLine() {
    CliResult r = cairn.run("pull", "127.0.0.1:99999/x");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "cairn: invalid reference \"127.0.0.1:99999/x\": registry domain \"127.0.0.1:99999\":"
                + " port 99999 is out of range (1 to 65535)\n");
  }

  @Test
  void anImageForAnotherPlatformThanTheOneAskedForExitsTwo() {
    CliResult r = cairn.run("pull", "-q", "--platform", "linux/arm64", ref("1"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "cairn: pulling "
                + ref("1")
                + ": the image was found but does not match the specified platform:"
                + " wanted linux/arm64, actual: linux/amd64\n");
  }

  @Test
  void aStalledDownloadIsReportedOnANonTerminal() {
    proxy.reset();
    OciLayouts.Blob layer = image.layers().getLast();
    proxy.plan("/blobs/" + layer.digest(), FaultProxy.Fault.STALL_MIDWAY);
    CliResult r =
        cairn.run("pull", "--progress=plain", "--read-timeout=300ms", proxy.host() + "/test/cli:1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .matches(
                        java.util.regex.Pattern.quote(shortId(layer) + ": Resuming at ")
                            + "[0-9.]+k?B "
                            + java.util.regex.Pattern.quote(
                                "(" + proxy.host() + " sent no data for 300 ms)")));
    assertThat(r.lines()).contains(shortId(layer) + ": Pull complete");
  }

  @Test
  void aReadTimeoutThatIsNoDurationIsInvalidInput() {
    CliResult r = cairn.run("pull", "--read-timeout=soon", ref("1"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "cairn: --read-timeout must be a duration such as 30s, 500ms or 2m (1ms to a day),"
                + " not \"soon\"\n");
  }

  private static String status(JsonValue.JsonObject m) {
    return string(m, "status");
  }

  private static String string(JsonValue.JsonObject m, String key) {
    return m.get(key) instanceof JsonValue.JsonString s ? s.value() : null;
  }

  @Test
  void registriesConfFromTheEnvironmentSendsThePullThroughItsMirrorOrRefusesIt() throws Exception {
    proxy.reset();
    Path conf =
        Files.writeString(
            dir.resolve("registries.conf"),
            "[[registry]]\nlocation = \""
                + server.host()
                + "\"\n[[registry.mirror]]\nlocation = \""
                + proxy.host()
                + "\"\n");
    Map<String, String> env =
        Map.of(
            "CAIRN_REGISTRIES_CONF",
            conf.toString(),
            "CAIRN_DAEMON_JSON",
            dir.resolve("no-daemon.json").toString());
    CliResult r = cairn.withEnv(env).run("pull", "--progress=plain", ref("1"));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines())
        .contains("Manifest from mirror " + proxy.host())
        .contains(shortId(image.layers().getFirst()) + ": From mirror " + proxy.host());
    assertThat(proxy.seen).anyMatch(s -> s.path().contains("/manifests/1"));

    Files.writeString(
        conf, "[[registry]]\nprefix = \"" + server.host() + "/test\"\nblocked = true\n");
    CliResult blocked = cairn.withEnv(env).run("pull", "-q", ref("1"));
    assertThat(blocked.exit()).isEqualTo(1);
    assertThat(blocked.err()).contains("blocked by " + conf);

    Files.writeString(conf, "[[registry]]\nlocation = \"a\"\ninsecure = maybe\n");
    CliResult malformed = cairn.withEnv(env).run("pull", "-q", ref("1"));
    assertThat(malformed.exit()).isEqualTo(1);
    assertThat(malformed.err()).startsWith("cairn: " + conf + ", line 3");
  }

  @Test
  void aRegistryMirrorServesDockerHubNamesWithoutDockerHub() {
    Map<String, String> env =
        Map.of(
            "CAIRN_REGISTRIES_CONF",
            dir.resolve("none.conf").toString(),
            "CAIRN_DAEMON_JSON",
            dir.resolve("none.json").toString());
    // Docker Hub itself is out of reach here: only the mirror can serve the pull
    CliResult r =
        cairn
            .withEnv(env)
            .run("pull", "--registry-mirror", "http://" + server.host(), "cairn-mirror-test:1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines())
        .contains("Manifest from mirror " + server.host())
        .endsWith("docker.io/library/cairn-mirror-test:1");
    CliResult images = cairn.run("images");
    assertThat(images.lines()).anyMatch(l -> l.matches("cairn-mirror-test +1 .*"));

    CliResult refused =
        cairn.withEnv(env).run("pull", "--registry-mirror", "mirror.local", "cairn-mirror-test:1");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err())
        .contains("registry mirror \"mirror.local\" must begin with https:// or http://");
  }
}
