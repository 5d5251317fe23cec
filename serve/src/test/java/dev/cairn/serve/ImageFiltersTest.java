package dev.cairn.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.testing.DockerEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker images --filter, docker info and docker system df against dockerd and against cairn serve,
 * each holding the same images pulled from one registry: images of different ages, with and without
 * labels, sharing a layer, named by a registry, a local and a familiar name, and one left dangling
 * by a pull that moved its tag.
 */
class ImageFiltersTest {
  @TempDir static Path temp;
  static RegistryServer registry;
  static DockerEngine docker;
  static Store store;
  static EngineServer server;
  static Map<String, String> cairn;
  static String host;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryServer.start(temp.resolve("registry"), temp, "");
    host = registry.host();
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    byte[] base = OciLayouts.tar(Map.of("etc/os", "base\n"));
    push(
        layout,
        "web",
        image(
            layout,
            "2020-01-02T03:04:05Z",
            "{\"tier\":\"web\",\"v\":\"1\"}",
            base,
            OciLayouts.tar(Map.of("srv/web", "web\n"))));
    push(
        layout,
        "db",
        image(
            layout,
            "2021-01-02T03:04:05Z",
            "{\"tier\":\"db\"}",
            base,
            OciLayouts.tar(Map.of("srv/db", "database\n"))));
    push(
        layout,
        "bar",
        image(layout, "2022-01-02T03:04:05Z", "null", OciLayouts.tar(Map.of("bar", "bar bar\n"))));
    push(
        layout,
        "moving",
        image(
            layout,
            "2023-01-02T03:04:05Z",
            "{\"tier\":\"web\"}",
            OciLayouts.tar(Map.of("old", "old\n"))));
    docker = DockerEngine.start();
    store = Store.open(temp.resolve("store"), StoreOptions.defaults().withDriver("vfs"));
    Path socket = temp.resolve("cairn.sock");
    server = EngineServer.start(store, List.of("unix://" + socket));
    cairn = Map.of("DOCKER_HOST", "unix://" + socket);
    for (String repo : List.of("web", "db", "bar", "moving")) {
      both("pull", host + "/filters/" + repo + ":1");
    }
    both("tag", host + "/filters/web:1", "web:1");
    both("tag", host + "/filters/web:1", "mirror/web:latest");
    both("tag", host + "/filters/bar:1", "localhost:5000/foo/bar:v1");
    // the tag moves to a newer image: the old one keeps only its digest, and dangles
    push(
        layout,
        "moving",
        image(layout, "2024-01-02T03:04:05Z", "null", OciLayouts.tar(Map.of("new", "new\n"))));
    both("pull", host + "/filters/moving:1");
  }

  private static OciLayouts.Blob image(
      OciLayouts layout, String created, String labels, byte[]... tars) throws Exception {
    String config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\""
            + created
            + "\","
            + "\"config\":{\"Env\":[\"PATH=/bin\"],\"Labels\":"
            + labels
            + "},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]},\"history\":[]}");
    return layout.imageWithConfig(List.of(tars), config).manifest();
  }

  private static void push(OciLayouts layout, String repo, OciLayouts.Blob manifest)
      throws Exception {
    layout.tag("1", manifest);
    Tools.push(layout.dir(), "1", host, "filters/" + repo, "--format", "v2s2");
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
    if (registry != null) {
      registry.close();
    }
  }

  /** What one docker command gave against dockerd and against cairn serve. */
  record Both(DockerEngine.Result dockerd, DockerEngine.Result cairn) {}

  static Both both(String... args) throws Exception {
    Both b = new Both(docker.run(args), docker.run(cairn, args));
    assertThat(b.dockerd().exit()).as("dockerd: docker %s: %s", args, b.dockerd().err()).isZero();
    assertThat(b.cairn().exit()).as("cairn: docker %s: %s", args, b.cairn().err()).isZero();
    return b;
  }

  static Both bothFailing(String... args) throws Exception {
    return new Both(docker.run(args), docker.run(cairn, args));
  }

  /** docker images with {@code flags}: name, tag, digest and ID of each row, as both print them. */
  static Both images(String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("images", "--digests", "--format"));
    args.add("{{.Repository}} {{.Tag}} {{.Digest}} {{.ID}}");
    args.addAll(List.of(flags));
    return both(args.toArray(String[]::new));
  }

  @ParameterizedTest(name = "images {0}")
  @ValueSource(
      strings = {
        "",
        "-a",
        "--filter dangling=true",
        "--filter dangling=false",
        "-a --filter dangling=true",
        "--filter reference=web",
        "--filter reference=web:1",
        "--filter reference=w?b:[0-9]",
        "--filter reference=*/web",
        "--filter reference=mirror/*:latest",
        "--filter reference=localhost:5000/foo/*",
        "--filter reference=*/foo/*:v1",
        "--filter reference=127.0.0.1:*/filters/*",
        "--filter reference=127.0.0.1:*/filters/moving",
        "--filter reference=web --filter reference=*/foo/*",
        "--filter reference=nothing",
        "--filter label=tier",
        "--filter label=tier=web",
        "--filter label=tier=web --filter label=v=1",
        "--filter label=tier=",
        "--filter label=nosuch",
        "--filter before=localhost:5000/foo/bar:v1",
        "--filter since=web:1",
        "--filter before=BAR_ID --filter since=WEB_ID",
        "--filter since=sha256:DB_LONG",
        "--filter dangling=false --filter label=tier",
        "-a --filter label=tier=web",
        "--filter reference=web --filter label=v=1",
      })
  void imagesWithFiltersListTheRowsDockerdLists(String flags) throws Exception {
    String id = id("web:1");
    String resolved =
        flags
            .replace("BAR_ID", id("localhost:5000/foo/bar:v1").substring(0, 12))
            .replace("WEB_ID", id.substring(0, 12))
            .replace("DB_LONG", id(host + "/filters/db:1"));
    Both b = images(resolved.isEmpty() ? new String[0] : resolved.split(" "));
    assertThat(byImage(b.cairn().out())).isEqualTo(byImage(b.dockerd().out()));
    assertThat(b.cairn().err()).isEqualTo(b.dockerd().err());
  }

  /**
   * A listing as the images it shows, in order, each with its rows. The docker CLI groups an
   * image's names by repository in a Go map, so the rows of one image come in any order, from
   * either engine.
   */
  private static List<List<String>> byImage(String listing) {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (String row : listing.lines().toList()) {
      rows.computeIfAbsent(row.substring(row.lastIndexOf(' ') + 1), k -> new ArrayList<>())
          .add(row);
    }
    return rows.values().stream().map(r -> r.stream().sorted().toList()).toList();
  }

  /** The ID (hex) of an image, as dockerd has it. */
  private static String id(String name) throws Exception {
    return docker.docker("image", "inspect", "--format", "{{.Id}}", name).strip().substring(7);
  }

  @Test
  void theFiltersMakeTheListingsTheyShould() throws Exception {
    // the comparisons above would pass on two engines that filter nothing: these rows say what
    // the filters must keep
    assertThat(images("--filter", "dangling=true").cairn().out())
        .matches(host + "/filters/moving <none> sha256:[0-9a-f]{64} [0-9a-f]{12}\n");
    assertThat(images("--filter", "reference=*/foo/*:v1").cairn().out())
        .startsWith("localhost:5000/foo/bar v1 <none> ")
        .hasLineCount(1);
    assertThat(images("--filter", "label=tier=web", "--filter", "label=v=1").cairn().out())
        .hasLineCount(3) // web:1, mirror/web, and the registry's name with its tag and digest
        .contains("web 1 <none> ", "mirror/web latest <none> ");
    assertThat(images("--filter", "since=web:1").cairn().out()).doesNotContain("web");
  }

  @ParameterizedTest(name = "images --filter {0}")
  @ValueSource(strings = {"x=1", "dangling=maybe", "reference=[", "reference=b[]", "before=nosuch"})
  void aFilterDockerdRefusesIsRefusedWithDockerdsMessage(String filter) throws Exception {
    Both b = bothFailing("images", "--filter", filter);
    assertThat(b.cairn().exit()).isEqualTo(b.dockerd().exit()).isEqualTo(1);
    assertThat(b.cairn().out()).isEqualTo(b.dockerd().out());
    // The one difference allowed: dockerd 20.10 writes "Invalid filter", dockerd 28 (whose API
    // cairn serves) "invalid filter".
    assertThat(b.cairn().err())
        .isEqualTo(b.dockerd().err().replace("Invalid filter", "invalid filter"))
        .startsWith("Error response from daemon: ");
  }

  @Test
  void dockerInfoShowsTheStoreAndTheMachineAsDockerdShowsItsOwn() throws Exception {
    String machine =
        "{{.Containers}} {{.ContainersRunning}} {{.Images}} {{.OSType}} {{.Architecture}}"
            + " {{.NCPU}} {{.MemTotal}} {{.Name}} {{.KernelVersion}} {{.OperatingSystem}}"
            + " {{.OSVersion}} {{.IndexServerAddress}} {{.RegistryConfig.InsecureRegistryCIDRs}}"
            + " {{.Swarm.LocalNodeState}}";
    Both same = both("info", "--format", machine);
    assertThat(same.cairn().out()).isEqualTo(same.dockerd().out());

    Both own = both("info", "--format", "{{.Driver}} {{.DockerRootDir}} {{.ServerVersion}}");
    assertThat(own.cairn().out())
        .isEqualTo("vfs " + temp.resolve("store") + " " + SystemRoutes.serverVersion() + "\n");

    Both plain = both("info");
    assertThat(plain.cairn().err()).isEqualTo(plain.dockerd().err()).isEmpty();
    assertThat(plain.cairn().out())
        .contains(" Storage Driver: vfs\n", " Docker Root Dir: " + temp.resolve("store") + "\n");

    Both json = both("system", "info", "--format", "{{json .}}");
    JsonValue.JsonObject info =
        (JsonValue.JsonObject) Json.parse(json.cairn().out().getBytes(StandardCharsets.UTF_8));
    assertThat(info.get("ServerErrors")).isNull();
    assertThat(info.get("ID")).isInstanceOf(JsonValue.JsonString.class);
    assertThat(((JsonValue.JsonString) info.get("Driver")).value()).isEqualTo("vfs");
  }

  /**
   * docker system df: the same rows, counts and sizes as dockerd. Sizes may differ in general
   * (dockerd measures overlay2's directories, cairn its own layers), but for these images, regular
   * files only, both count the bytes of the files: this test holds them equal, so a change that
   * makes them differ shows here first.
   */
  @Test
  void systemDfPrintsWhatDockerdPrints() throws Exception {
    Both summary = both("system", "df");
    assertThat(summary.cairn().out()).isEqualTo(summary.dockerd().out());
    assertThat(summary.cairn().out()).contains("Images          5         0");

    Both verbose = both("system", "df", "-v");
    assertThat(verbose.cairn().out()).isEqualTo(verbose.dockerd().out());
    assertThat(verbose.cairn().out()).contains("Images space usage:", "SHARED SIZE");
    assertThat(verbose.cairn().err()).isEqualTo(verbose.dockerd().err()).isEmpty();

    Both json = both("system", "df", "--format", "{{json .}}");
    assertThat(json.cairn().out()).isEqualTo(json.dockerd().out());
  }

  @Test
  void otherSystemEndpointsAreStillOnesCairnDoesNotServe() throws Exception {
    String answer = SocketClient.exchange(temp.resolve("cairn.sock"), "GET", "/v1.47/system/other");
    assertThat(answer)
        .startsWith("HTTP/1.1 501")
        .contains("cairn serves images only: GET /system/other");
    assertThat(SocketClient.exchange(temp.resolve("cairn.sock"), "GET", "/v1.47/system/df"))
        .startsWith("HTTP/1.1 200");
  }

  @Test
  void systemDfTakesTheObjectTypesOfApi142AndRefusesOthers() throws Exception {
    Path socket = temp.resolve("cairn.sock");
    assertThat(SocketClient.exchange(socket, "GET", "/v1.47/system/df?type=image"))
        .startsWith("HTTP/1.1 200")
        .contains("\"Images\":[{");
    assertThat(SocketClient.exchange(socket, "GET", "/v1.47/system/df?type=volume"))
        .startsWith("HTTP/1.1 200")
        .contains("\"Images\":[]");
    assertThat(SocketClient.exchange(socket, "GET", "/v1.47/system/df?type=disk"))
        .startsWith("HTTP/1.1 400")
        .contains("{\"message\":\"unknown object type: disk\"}");
  }
}
