package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.image.ChainId;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.testing.TarBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inspect}, {@code history} and {@code images} of an image pulled from a real registry, held
 * against what Docker 20.10 shows for the same image.
 */
class DockerViewsTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static RegistryServer server;
  static OciLayouts.Image built;
  static OciLayouts.Blob multi;
  static OciLayouts.Image liar;
  Cli cairn;

  // Two layers, two steps that made none, a config that leaves out most of its fields.
  private static final String CONFIG =
      """
      {"architecture":"amd64","os":"linux","created":"2024-01-02T03:04:05.5Z",\
      "config":{"Env":["PATH=/bin"],"Cmd":["sh"]},\
      "rootfs":{"type":"layers","diff_ids":[%s]},"history":[\
      {"created":"2024-01-01T00:00:00Z","created_by":"ADD base /"},\
      {"created":"2024-01-01T00:00:01Z","created_by":"ENV A=1","empty_layer":true},\
      {"created":"2024-01-01T00:00:02Z","created_by":"COPY app /","comment":"step three"},\
      {"created":"2024-01-02T03:04:05.5Z","created_by":"CMD [\\"sh\\"]","empty_layer":true}]}""";

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    byte[] base = TarBuilder.tar().dir("etc").file("etc/os", "base\n").bytes();
    // 4 bytes of file and a symlink whose target is 3 bytes long: docker counts 7
    byte[] app =
        TarBuilder.tar().dir("bin").file("bin/app", "app\n").symlink("bin/run", "app").bytes();
    built = layout.imageWithConfig(List.of(base, app), CONFIG);
    layout.tag("built", built.manifest());
    liar =
        layout.imageWithConfig(
            List.of(base),
            """
            {"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[%s]},\
            "history":[{"created_by":"ADD base /"},{"created_by":"COPY app /"}]}""");
    layout.tag("liar", liar.manifest());
    OciLayouts.Image arm = layout.image("arm64", List.of(java.util.Map.of("x", "arm\n")));
    OciLayouts.Image amd = layout.image("amd64", List.of(java.util.Map.of("x", "amd\n")));
    multi = layout.index(List.of(arm, amd), List.of("arm64", "amd64"));
    layout.tag("multi", multi);
    Tools.push(layout.dir(), "built", server.host(), "test/views");
    Tools.push(layout.dir(), "liar", server.host(), "test/views");
    Tools.push(layout.dir(), "multi", server.host(), "test/views", "--multi-arch", "all");
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void setUp() {
    cairn = new Cli(dir.resolve("store"), "vfs");
  }

  private static String repo() {
    return server.host() + "/test/views";
  }

  private void pull(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "pull";
    all[1] = "-q";
    System.arraycopy(args, 0, all, 2, args.length);
    CliResult r = cairn.run(all);
    assertThat(r.exit()).as(r.err()).isZero();
  }

  @Test
  void inspectShowsDockersFieldsAndValuesIndentedByFourSpaces() {
    pull(repo() + ":built");
    CliResult r = cairn.run("inspect", repo() + ":built");
    assertThat(r.exit()).as(r.err()).isZero();
    String zeroConfig =
        """
                    "Hostname": "",
                    "Domainname": "",
                    "User": "",
                    "AttachStdin": false,
                    "AttachStdout": false,
                    "AttachStderr": false,
                    "Tty": false,
                    "OpenStdin": false,
                    "StdinOnce": false,
                    "Env": %s,
                    "Cmd": %s,
                    "Image": "",
                    "Volumes": null,
                    "WorkingDir": "",
                    "Entrypoint": null,
                    "OnBuild": null,
                    "Labels": null
        """;
    String env = "[\n                \"PATH=/bin\"\n            ]";
    String cmd = "[\n                \"sh\"\n            ]";
    String expected =
        """
        [
            {
                "Id": "%s",
                "RepoTags": [
                    "%s:built"
                ],
                "RepoDigests": [
                    "%s@%s"
                ],
                "Parent": "",
                "Comment": "",
                "Created": "2024-01-02T03:04:05.5Z",
                "Container": "",
                "ContainerConfig": {
        %s        },
                "DockerVersion": "",
                "Author": "",
                "Config": {
        %s        },
                "Architecture": "amd64",
                "Os": "linux",
                "Size": 12,
                "VirtualSize": 12,
                "RootFS": {
                    "Type": "layers",
                    "Layers": [
                        "%s",
                        "%s"
                    ]
                }
            }
        ]
        """
            .formatted(
                built.config().digest(),
                repo(),
                repo(),
                built.manifest().digest(),
                zeroConfig.formatted("null", "null"),
                zeroConfig.formatted(env, cmd),
                dev.cairn.digest.Digest.sha256(
                    TarBuilder.tar().dir("etc").file("etc/os", "base\n").bytes()),
                dev.cairn.digest.Digest.sha256(
                    TarBuilder.tar()
                        .dir("bin")
                        .file("bin/app", "app\n")
                        .symlink("bin/run", "app")
                        .bytes()));
    assertThat(r.out()).isEqualTo(expected);
  }

  @Test
  void aPullByTagOfAnIndexRecordsTheIndexDigestAsDockerDoes() {
    pull(repo() + ":multi");
    CliResult r = cairn.run("inspect", repo() + ":multi");
    assertThat(r.out())
        .contains("\"RepoDigests\": [\n            \"" + repo() + "@" + multi.digest());
  }

  @Test
  void anIndexPulledForASecondPlatformLeavesItsDigestWithTheFirstAsDockerDoes() {
    pull(repo() + ":multi");
    String amd = text(inspect(repo() + ":multi").get("Id"));
    pull("--platform=linux/arm64", repo() + ":multi");
    JsonObject arm = inspect(repo() + ":multi");
    assertThat(text(arm.get("Id"))).isNotEqualTo(amd);
    assertThat(text(arm.get("RepoDigests"))).isEqualTo("[]");
    String digest = repo() + "@" + multi.digest();
    assertThat(text(inspect(digest).get("Id"))).isEqualTo(amd);
    assertThat(text(inspect(digest).get("RepoDigests"))).isEqualTo("[\"" + digest + "\"]");
  }

  @Test
  void aPullByDigestListsThatDigestAndNoTag() {
    pull(repo() + "@" + built.manifest().digest());
    CliResult r = cairn.run("inspect", repo() + "@" + built.manifest().digest());
    assertThat(r.out())
        .contains("\"RepoTags\": [],")
        .contains("\"RepoDigests\": [\n            \"" + repo() + "@" + built.manifest().digest());
  }

  private JsonObject inspect(String ref) {
    CliResult r = cairn.run("inspect", ref);
    assertThat(r.exit()).as(r.err()).isZero();
    JsonArray all = (JsonArray) Json.parse(r.out().getBytes(StandardCharsets.UTF_8));
    return (JsonObject) all.items().getFirst();
  }

  private static String text(JsonValue v) {
    return new String(new GoJsonWriter().raw(v).toByteArray(), StandardCharsets.UTF_8);
  }

  @Test
  void aPullByTagListsTheManifestDigestInRepoDigests() {
    pull(repo() + ":built");
    assertThat(text(inspect(repo() + ":built").get("RepoDigests")))
        .isEqualTo("[\"" + repo() + "@" + built.manifest().digest() + "\"]");
  }

  @Test
  void aPulledImageHasNoParent() {
    pull(repo() + ":built"); // two layers: the node below the image is a layer, not its parent
    assertThat(text(inspect(repo() + ":built").get("Parent"))).isEqualTo("\"\"");
  }

  @Test
  void sizesCountSymlinksAsDockerDoes() {
    pull(repo() + ":built");
    assertThat(text(inspect(repo() + ":built").get("Size"))).isEqualTo("12");
    List<String[]> rows =
        cairn.run("history", repo() + ":built").lines().stream()
            .skip(1)
            .map(l -> l.split(" {3,}"))
            .toList();
    assertThat(rows).extracting(c -> c[3]).containsExactly("0B", "7B", "0B", "5B");
  }

  @Test
  void configShowsEveryFieldOfDockersContainerConfigZeroValued() {
    pull(repo() + ":built"); // its config holds only Env and Cmd
    assertThat(text(inspect(repo() + ":built").get("Config")))
        .isEqualTo(
            "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
                + "\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,"
                + "\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/bin\"],"
                + "\"Cmd\":[\"sh\"],\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\","
                + "\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null}");
  }

  @Test
  void historyNamesTheImageOnTheNewestRowOnly() {
    pull(repo() + ":built");
    CliResult r = cairn.run("history", repo() + ":built");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String[]> rows = r.lines().stream().skip(1).map(l -> l.split(" {3,}")).toList();
    String id = built.config().digest().hex().substring(0, 12);
    assertThat(rows)
        .extracting(c -> c[0])
        .containsExactly(id, "<missing>", "<missing>", "<missing>");
    assertThat(rows)
        .extracting(c -> c[2])
        .containsExactly("CMD [\"sh\"]", "COPY app /", "ENV A=1", "ADD base /");
    assertThat(r.lines().get(2)).endsWith("step three");

    assertThat(cairn.run("history", "-q", repo() + ":built").lines())
        .containsExactly(id, "<missing>", "<missing>", "<missing>");
    assertThat(cairn.run("history", "-q", "--no-trunc", repo() + ":built").lines().getFirst())
        .isEqualTo(built.config().digest().toString());
  }

  @Test
  void historyWithMoreLayerStepsThanLayersFailsAsInDocker() {
    pull(repo() + ":liar");
    CliResult r = cairn.run("history", repo() + ":liar");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "cairn: image "
                + liar.config().digest().hex()
                + ": its history has more steps that made a layer than the image has layers\n");
  }

  @Test
  void imagesShowsTheDigestOfEachTagWithDigests() {
    pull(repo() + ":built");
    CliResult r = cairn.run("images", "--digests");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines().getFirst().split(" {3,}"))
        .containsExactly("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE");
    assertThat(r.lines().get(1).split(" {3,}"))
        .startsWith(
            repo(),
            "built",
            built.manifest().digest().toString(),
            built.config().digest().hex().substring(0, 12))
        .endsWith("12B");
    assertThat(cairn.run("images").lines()).hasSize(2); // one row: the digest is no row of its own
  }

  @Test
  void rmiOfTheLastTagTakesTheRepositorysDigestAlongAndDeletesTheImage() {
    pull(repo() + ":built");
    CliResult r = cairn.run("rmi", repo() + ":built");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines().subList(0, 3))
        .containsExactly(
            "Untagged: " + repo() + ":built",
            "Untagged: " + repo() + "@" + built.manifest().digest(),
            "Deleted: " + built.config().digest());
    assertThat(cairn.run("images", "-a", "-q").out()).isEmpty();
  }

  @Test
  void imagesAllListsThePulledImageAloneAndItsLayersNameNoImage() {
    pull(repo() + ":built");
    assertThat(cairn.run("images", "-a", "-q", "--no-trunc").lines())
        .containsExactly(built.config().digest().toString());
    assertThat(cairn.run("images", "-a").lines()).hasSize(2);
    JsonObject inspect =
        (JsonObject)
            ((JsonArray)
                    Json.parse(
                        cairn
                            .run("inspect", repo() + ":built")
                            .out()
                            .getBytes(StandardCharsets.UTF_8)))
                .items()
                .getFirst();
    List<Digest> diffIds =
        ((JsonArray) ((JsonObject) inspect.get("RootFS")).get("Layers"))
            .items().stream().map(v -> Digest.parse(((JsonValue.JsonString) v).value())).toList();
    String layer = ChainId.of(diffIds).getFirst().hex();
    for (String name : List.of(layer, "sha256:" + layer, layer.substring(0, 12))) {
      for (String command : List.of("inspect", "history", "rmi", "save")) {
        CliResult r =
            command.equals("save")
                ? cairn.run(command, "-o", dir.resolve("out.tar").toString(), name)
                : cairn.run(command, name);
        assertThat(r.exit()).as(command + " " + name).isEqualTo(2);
        assertThat(r.err()).isEqualTo("cairn: no such image: \"" + name + "\"\n");
      }
    }
    assertThat(cairn.run("images", "-a", "-q").lines()).hasSize(1);
  }

  @Test
  void imagesJsonGivesDockersFieldsWithTheTimeInTheLocalZone() {
    pull(repo() + ":built");
    pull(repo() + ":liar"); // its config has no time: Go's zero time
    Cli utc = cairn.withEnv(java.util.Map.of("TZ", ""));
    CliResult r = utc.run("images", "--format", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    String built =
        """
        {"Containers":"N/A","CreatedAt":"2024-01-02 03:04:05 +0000 UTC","CreatedSince":"%s",\
        "Digest":"\\u003cnone\\u003e","ID":"%s","Repository":"%s","SharedSize":"N/A","Size":"12B",\
        "Tag":"built","UniqueSize":"N/A","VirtualSize":"12B"}"""
            .formatted(
                Format.since(
                    java.time.Instant.parse("2024-01-02T03:04:05Z"), java.time.Instant.now()),
                DockerViewsTest.built.config().digest().hex().substring(0, 12),
                repo());
    assertThat(r.lines()).contains(built);
    assertThat(r.lines())
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains(
                        "\"CreatedAt\":\"0001-01-01 00:00:00 +0000 UTC\",\"CreatedSince\":\"\",")
                    .contains("\"Tag\":\"liar\""));
    assertThat(utc.run("images", repo() + ":liar").lines().get(1)).contains("   N/A   ");
  }

  @Test
  void rmiOfOneOfTwoTagsKeepsTheDigest() {
    pull(repo() + ":built");
    assertThat(cairn.run("tag", repo() + ":built", repo() + ":other").exit()).isZero();
    CliResult r = cairn.run("rmi", repo() + ":built");
    assertThat(r.lines()).containsExactly("Untagged: " + repo() + ":built");
    assertThat(cairn.run("inspect", repo() + ":other").out())
        .contains(repo() + "@" + built.manifest().digest());
  }
}
