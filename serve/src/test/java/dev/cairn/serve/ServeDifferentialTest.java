package dev.cairn.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.distribution.PullOptions;
import dev.cairn.image.Reference;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.store.ImageSummary;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import dev.cairn.testing.DockerEngine;
import dev.cairn.testing.TarBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * dockerd as the reference for {@code cairn serve}: a private dockerd and a cairn store served on a
 * unix socket hold the same images (pulled from one registry), and the docker CLI runs the same
 * commands against each. Outputs must be equal; the only differences allowed are named, with their
 * reasons, in {@link #ALLOWED}. The tests run in order: each one changes both sides alike, so the
 * two stay comparable.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeDifferentialTest {
  /**
   * Every difference between dockerd 20.10 and cairn serve these tests let pass, and why; a check
   * that passes over a difference names it here ({@link #allowed}).
   */
  static final Map<String, String> ALLOWED =
      Map.of(
          "API version",
          "each server advertises its own API version: dockerd 20.10 1.41, cairn 1.47",
          "inspect GraphDriver",
          "dockerd's storage driver and the directories of its layers; cairn's store shows none",
          "inspect Metadata",
          "dockerd's record of when it last tagged the image, kept by dockerd alone",
          "inspect of a missing image",
          "dockerd 20.10's inspect wraps its not-found message once more (\"no such image: NAME: \")",
          "malformed reference",
          "the parser's words: Go's \"invalid reference format: …\", cairn's names the reference and"
              + " what is wrong with it",
          "refusal to remove",
          "the words of rmi's refusal of an image in several repositories without -f: cairn's"
              + " own, which say what -f would do; the status (409) is dockerd's",
          "status of a malformed tag or save name",
          "dockerd 20.10 answers a malformed name in tag and save with 500 (it does not mark the"
              + " error as the client's); cairn answers 400 as dockerd does for rmi",
          "layer directories",
          "the directory of each layer in a saved archive: dockerd names it by a v1 ID it derives"
              + " for the archive, cairn by the store's node ID, so that cairn's own load keeps every"
              + " ID; loaders go by manifest.json's paths",
          "load error",
          "a broken archive: dockerd reports it in a 200 stream in Go's words, cairn refuses it with"
              + " 400 before any answer is sent, in its own words; both fail the CLI with exit 1");

  /** The key of {@link #ALLOWED} a check passes over, failing if it is not named there. */
  static String allowed(String difference) {
    assertThat(ALLOWED).as("allowed differences").containsKey(difference);
    return difference;
  }

  @TempDir static Path temp;
  static RegistryServer registry;
  static DockerEngine docker;
  static Store store;
  static EngineServer server;
  static Path socket;
  static Map<String, String> cairn;
  static String host;
  static OciLayouts layout;
  static String layers;
  static String labels;
  static String moved;
  static List<String> tagged;

  @BeforeAll
  static void start() throws Exception {
    long begin = System.nanoTime();
    registry = RegistryServer.start(temp.resolve("registry"), temp, "");
    host = registry.host();
    layout = new OciLayouts(temp.resolve("layout"));
    layers = host + "/diff/layers:1";
    labels = host + "/diff/labels:1";
    moved = host + "/diff/moved:1";
    layout.tag(
        "1",
        image(
            1,
            "",
            Map.of("etc/os", "base\n"),
            Map.of("bin/app", "app\n"),
            Map.of("etc/conf", "conf\n"),
            Map.of("data/x", "x\n")));
    Tools.push(layout.dir(), "1", host, "diff/layers", "--format", "v2s2");
    // one image under three tags in two repositories
    OciLayouts.Blob multi = image(2, "", Map.of("m", "m\n"));
    layout.tag("1", multi);
    layout.tag("2", multi);
    Tools.push(layout.dir(), "1", host, "diff/multi");
    Tools.push(layout.dir(), "2", host, "diff/multi");
    Tools.push(layout.dir(), "1", host, "diff/also");
    layout.tag(
        "1",
        image(
            3,
            """
            "Labels":{"org.example.name":"labelled","note":"ünï ✓"},"Entrypoint":["/bin/app"],\
            "Cmd":["-v"],"WorkingDir":"/w","User":"1000","ExposedPorts":{"80/tcp":{}},\
            "StopSignal":"SIGINT",\
            """,
            Map.of("l", "l\n")));
    Tools.push(layout.dir(), "1", host, "diff/labels", "--format", "v2s2");
    layout.tag("1", image(4, "", Map.of("old", "old\n")));
    Tools.push(layout.dir(), "1", host, "diff/moved");

    docker = DockerEngine.start();
    store = Store.open(temp.resolve("store"), StoreOptions.defaults().withDriver("overlay"));
    socket = temp.resolve("cairn.sock");
    server = EngineServer.start(store, List.of("unix://" + socket));
    cairn = Map.of("DOCKER_HOST", "unix://" + socket);
    tagged = List.of(layers, host + "/diff/multi:1", host + "/diff/multi:2", host + "/diff/also:1");
    for (String ref : tagged) {
      pullBoth(ref);
    }
    pullBoth(labels);
    pullBoth(moved);
    // a new image under the old tag leaves the old one dangling, on both sides
    layout.tag("1", image(5, "", Map.of("new", "new\n")));
    Tools.push(layout.dir(), "1", host, "diff/moved");
    pullBoth(moved);
    System.out.printf(
        "ServeDifferentialTest: dockerd, registry and images ready in %d ms%n",
        (System.nanoTime() - begin) / 1_000_000);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
      if (store != null) {
        store.close();
      }
      if (docker != null) {
        docker.close();
      }
    } finally {
      if (registry != null) {
        registry.close();
      }
    }
  }

  /**
   * An image made at second {@code second} of 2024 (so that listings sort it the same on both
   * sides), with {@code config} put at the start of its container config, one layer per map.
   */
  @SafeVarargs
  static OciLayouts.Blob image(int second, String config, Map<String, String>... files)
      throws IOException {
    String created = "2024-01-01T00:00:%02dZ".formatted(second);
    StringBuilder history = new StringBuilder();
    for (int i = 0; i < files.length; i++) {
      history
          .append(i > 0 ? "," : "")
          .append("{\"created\":\"%s\",\"created_by\":\"step %d\"}".formatted(created, i));
    }
    String json =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"%s\","
                + "\"config\":{%s\"Env\":[\"PATH=/bin\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%%s]},\"history\":[%s]}")
            .formatted(created, config, history);
    return layout
        .imageWithConfig(Arrays.stream(files).map(OciLayouts::tar).toList(), json)
        .manifest();
  }

  static void pullBoth(String ref) throws Exception {
    docker.docker("pull", "-q", ref);
    store.pull(Reference.parse(ref), PullOptions.defaults(), e -> {});
  }

  /** What one docker command gave against dockerd and against cairn serve. */
  record Both(DockerEngine.Result dockerd, DockerEngine.Result cairn) {
    void assertSame() {
      assertThat(cairn).as("cairn against dockerd").isEqualTo(dockerd);
    }

    /**
     * As {@link #assertSame()} for a listing of {@code docker images}, whose rows of one image the
     * CLI prints in no set order (it goes through the image's repositories in a Go map).
     */
    void assertSameRows() {
      assertThat(cairn.exit()).as(cairn.err()).isEqualTo(dockerd.exit());
      assertThat(cairn.err()).isEqualTo(dockerd.err());
      assertThat(rows(cairn.out())).as("cairn against dockerd").isEqualTo(rows(dockerd.out()));
    }
  }

  private static final Pattern ID_TOKEN = Pattern.compile("(sha256:)?[0-9a-f]{12}([0-9a-f]{52})?");
  private static final Pattern JSON_ID = Pattern.compile("\"ID\":\"([^\"]+)\"");

  /**
   * A listing's lines in runs of one image each (in order), each run's lines sorted. A row's image
   * is its {@code "ID"} member, else the last word that looks like an image ID (the digest column
   * comes before the ID).
   */
  static List<List<String>> rows(String out) {
    List<List<String>> runs = new ArrayList<>();
    String last = null;
    for (String line : out.lines().toList()) {
      String id = null;
      Matcher json = JSON_ID.matcher(line);
      if (json.find()) {
        id = json.group(1);
      } else {
        for (String word : line.split(" +")) {
          if (ID_TOKEN.matcher(word).matches()) {
            id = word;
          }
        }
      }
      if (id == null || !id.equals(last)) {
        runs.add(new ArrayList<>());
      }
      runs.getLast().add(line);
      last = id;
    }
    runs.forEach(run -> run.sort(null));
    return runs;
  }

  static Both both(String... args) throws Exception {
    return new Both(docker.run(args), docker.run(cairn, args));
  }

  static DockerEngine.Result dockerd(String... args) throws Exception {
    return docker.run(args);
  }

  @Test
  @Order(1)
  void eachServerNamesItsOwnApiVersion() throws Exception {
    Both version = both("version", "--format", "{{.Server.APIVersion}}");
    assertThat(version.dockerd().exit()).isEqualTo(version.cairn().exit()).isZero();
    assertThat(version.cairn().out())
        .as(allowed("API version"))
        .isEqualTo(EngineApi.API_VERSION + "\n")
        .isNotEqualTo(version.dockerd().out());
  }

  @Test
  @Order(2)
  void imagesPrintsWhatDockerdPrintsInEveryForm() throws Exception {
    List<List<String>> forms =
        List.of(
            List.of(),
            List.of("-a"),
            List.of("-q"),
            List.of("-aq"),
            List.of("--digests"),
            List.of("--no-trunc"),
            List.of("--format", "{{json .}}"),
            List.of("--format", "{{.Repository}}:{{.Tag}} {{.ID}}"));
    for (List<String> form : forms) {
      List<String> args = new ArrayList<>(List.of("images"));
      args.addAll(form);
      Both images = both(args.toArray(String[]::new));
      assertThat(images.dockerd().out().lines()).as("docker %s", args).hasSizeGreaterThan(5);
      images.assertSameRows();
    }
  }

  @Test
  @Order(3)
  void inspectShowsWhatDockerdShows() throws Exception {
    String dangling = danglingId();
    List<String> names = new ArrayList<>(tagged);
    names.addAll(List.of(labels, moved, dangling, dangling.substring(7, 19)));
    for (String name : names) {
      compareInspect(name);
    }
    // several at once, in the order asked
    Both two = both("image", "inspect", labels, layers);
    assertThat(inspected(two.cairn().out())).isEqualTo(inspected(two.dockerd().out())).hasSize(2);
  }

  /** The one image nothing names, on both sides (the same ID). */
  static String danglingId() throws Exception {
    Both ids = both("images", "--no-trunc", "--format", "{{.Tag}} {{.ID}}");
    ids.assertSameRows();
    List<String> dangling =
        ids.dockerd().out().lines().filter(l -> l.startsWith("<none> ")).toList();
    assertThat(dangling).hasSize(1);
    return dangling.getFirst().substring("<none> ".length());
  }

  static void compareInspect(String name) throws Exception {
    Both inspect = both("image", "inspect", name);
    assertThat(inspect.dockerd().exit()).as(inspect.dockerd().err()).isZero();
    assertThat(inspect.cairn().exit()).as(inspect.cairn().err()).isZero();
    assertThat(inspected(inspect.cairn().out()))
        .as("inspect %s", name)
        .isEqualTo(inspected(inspect.dockerd().out()));
  }

  /**
   * Each image of an inspect output as its members' texts (as the CLI laid out what the server
   * sent), without the members only dockerd shows.
   */
  static List<Map<String, String>> inspected(String out) {
    List<Map<String, String>> images = new ArrayList<>();
    for (JsonValue v : ((JsonArray) Json.parse(out.getBytes(StandardCharsets.UTF_8))).items()) {
      Map<String, String> members = members((JsonObject) v);
      members.remove(allowed("inspect GraphDriver").split(" ")[1]);
      members.remove(allowed("inspect Metadata").split(" ")[1]);
      images.add(members);
    }
    return images;
  }

  static Map<String, String> members(JsonObject o) {
    Map<String, String> members = new LinkedHashMap<>();
    for (JsonValue.Member m : o.members()) {
      members.put(m.key(), new String(m.value().raw(), StandardCharsets.UTF_8));
    }
    return members;
  }

  @Test
  @Order(4)
  void historyShowsWhatDockerdShows() throws Exception {
    for (String name : List.of(layers, labels, danglingId())) {
      both("history", name).assertSame();
      both("history", "--no-trunc", "--format", "json", name).assertSame();
    }
  }

  @Test
  @Order(5)
  void tagThenImagesAndRmiGoAsWithDockerd() throws Exception {
    String shortId = idOf(layers).substring(7, 19);
    both("tag", layers, host + "/diff/tagged:new").assertSame();
    both("tag", shortId, "tagged2").assertSame();
    both("tag", labels, layers).assertSame(); // moves a tag from one image to another
    both("images").assertSameRows();
    both("image", "inspect", "--format", "{{json .RepoTags}}", shortId).assertSame();

    both("rmi", "tagged2").assertSame();
    both("rmi", host + "/diff/multi:2").assertSame();
    // an image in two repositories is refused without -f, then untagged everywhere and deleted
    String multi = idOf(host + "/diff/multi:1").substring(7, 19);
    Both refused = both("rmi", multi);
    assertThat(refused.cairn().exit()).isEqualTo(refused.dockerd().exit()).isEqualTo(1);
    assertThat(refused.dockerd().err())
        .startsWith("Error response from daemon: conflict: unable to delete " + multi);
    assertThat(refused.cairn().err())
        .as(allowed("refusal to remove"))
        .isEqualTo(
            "Error response from daemon: cannot remove image %s without --force: it is referenced"
                + " in 2 repositories\n",
            multi);
    assertThat(Answer.of(socket, "DELETE", "/images/" + multi, null).status())
        .isEqualTo(Answer.of(dockerSocket(), "DELETE", "/images/" + multi, null).status())
        .isEqualTo(409);
    Both forced = both("rmi", "-f", multi);
    assertThat(forced.dockerd().out()).contains("Deleted: sha256:" + multi);
    forced.assertSame();
    both("images", "-a").assertSameRows();

    Both missing = both("rmi", "nosuch");
    assertThat(missing.dockerd().exit()).isEqualTo(1);
    missing.assertSame();
    Both forcedMissing = both("rmi", "-f", "nosuch");
    assertThat(forcedMissing.dockerd().exit()).isZero();
    forcedMissing.assertSame();
    both("tag", "nosuch", "x:1").assertSame();
    both("history", "nosuch").assertSame();

    both("tag", host + "/diff/tagged:new", layers).assertSame(); // back as it was
    both("rmi", host + "/diff/tagged:new").assertSame();
  }

  /** The image ID {@code name} has on both sides (the same). */
  static String idOf(String name) throws Exception {
    Both id = both("image", "inspect", "--format", "{{.Id}}", name);
    id.assertSame();
    return id.dockerd().out().strip();
  }

  @Test
  @Order(6)
  void saveWritesWhatDockerdWritesAndEachLoadsTheOthersArchive() throws Exception {
    Map<String, Path> one = saveBoth("one", layers);
    Map<String, Path> two = saveBoth("two", layers, labels);
    for (Map<String, Path> saved : List.of(one, two)) {
      assertThat(archive(saved.get("cairn"))).isEqualTo(archive(saved.get("dockerd")));
    }

    both("rmi", layers, labels).assertSame();
    both("images", "-a").assertSameRows();
    DockerEngine.Result intoDockerd = docker.run("load", "-i", two.get("cairn").toString());
    DockerEngine.Result intoCairn = docker.run(cairn, "load", "-i", two.get("dockerd").toString());
    assertThat(intoDockerd.exit()).as(intoDockerd.err()).isZero();
    assertThat(intoCairn).isEqualTo(intoDockerd);
    both("images", "-a", "--digests").assertSameRows();
    compareInspect(layers);
    compareInspect(labels);
    both("history", layers).assertSame();
    // loaded again: nothing changes, both say so alike
    Both again = both("load", "-i", one.get("dockerd").toString());
    again.assertSame();
  }

  /** {@code docker save} of {@code names} against both, into two files. */
  static Map<String, Path> saveBoth(String what, String... names) throws Exception {
    Map<String, Path> files = new LinkedHashMap<>();
    for (String side : List.of("dockerd", "cairn")) {
      Path file = temp.resolve(what + "-" + side + ".tar");
      List<String> args = new ArrayList<>(List.of("save", "-o", file.toString()));
      args.addAll(List.of(names));
      DockerEngine.Result r =
          side.equals("cairn")
              ? docker.run(cairn, args.toArray(String[]::new))
              : docker.run(args.toArray(String[]::new));
      assertThat(r.exit()).as("%s: %s", side, r.err()).isZero();
      files.put(side, file);
    }
    return files;
  }

  /**
   * What an archive holds that matters to a load, per image of its manifest.json: the members, the
   * config's name, the tags, the config's digest and each layer's (its DiffID). The layers' paths
   * are left out: dockerd names each layer's directory by a v1 ID it derives for the archive, cairn
   * by the store's node ID (so that its own load keeps every ID); loaders follow the paths given.
   */
  record Saved(
      List<String> members, String config, String tags, Digest digest, List<Digest> layers) {}

  static List<Saved> archive(Path file) throws IOException {
    allowed("layer directories");
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file)) {
      TarReader r = new TarReader(in);
      for (TarEntry e; (e = r.next()) != null; ) {
        entries.put(e.name(), r.payload().readAllBytes());
      }
    }
    byte[] manifest = entries.get("manifest.json");
    assertThat(manifest).as("manifest.json of %s", file).isNotNull();
    List<Saved> images = new ArrayList<>();
    for (JsonValue v : ((JsonArray) Json.parse(manifest)).items()) {
      JsonObject image = (JsonObject) v;
      String config = ((JsonString) image.get("Config")).value();
      List<Digest> layers = new ArrayList<>();
      for (JsonValue layer : ((JsonArray) image.get("Layers")).items()) {
        layers.add(Digest.sha256(entries.get(((JsonString) layer).value())));
      }
      images.add(
          new Saved(
              image.members().stream().map(JsonValue.Member::key).toList(),
              config,
              new String(image.get("RepoTags").raw(), StandardCharsets.UTF_8),
              Digest.sha256(entries.get(config)),
              layers));
    }
    return images;
  }

  @Test
  @Order(7)
  void pruneRemovesTheDanglingImageAsDockerdDoesAndWithAllEveryImage() throws Exception {
    Both prune = both("image", "prune", "-f");
    assertThat(prune.dockerd().out()).contains("deleted: sha256:");
    prune.assertSame(); // the space reclaimed too: cairn counts the layers' sizes as dockerd does
    both("images", "-a").assertSameRows();
    both("image", "prune", "-f").assertSame(); // nothing left to reclaim

    // another dangling image, then everything unused (with no containers: every image)
    layout.tag("1", image(6, "", Map.of("newer", "newer\n")));
    Tools.push(layout.dir(), "1", host, "diff/moved");
    pullBoth(moved);
    danglingId();
    Both all = both("image", "prune", "-a", "-f");
    assertThat(all.dockerd().exit()).isEqualTo(all.cairn().exit()).isZero();
    assertThat(Pruned.of(all.cairn().out())).isEqualTo(Pruned.of(all.dockerd().out()));
    assertThat(Pruned.of(all.dockerd().out()).images()).hasSize(4);
    Both images = both("images", "-aq");
    assertThat(images.dockerd().out()).isEmpty();
    images.assertSameRows();
  }

  /**
   * A prune's output taken apart: what each image's removal printed (its untaggings, then its
   * deletions), sorted, since dockerd goes through the images in no set order; and the other lines
   * in order.
   */
  record Pruned(List<List<String>> images, List<String> others) {
    static Pruned of(String out) {
      List<List<String>> images = new ArrayList<>();
      List<String> others = new ArrayList<>();
      String previous = "";
      for (String line : out.lines().toList()) {
        boolean untag = line.startsWith("untagged: ");
        if (untag || line.startsWith("deleted: ")) {
          if (images.isEmpty() || untag && previous.startsWith("deleted: ")) {
            images.add(new ArrayList<>());
          }
          images.getLast().add(line);
        } else {
          others.add(line);
        }
        previous = line;
      }
      images.sort(Comparator.comparing(List::getFirst));
      return new Pruned(images, others);
    }
  }

  @Test
  @Order(8)
  void aMissingImageIsTheSameErrorAsDockerds() throws Exception {
    Both inspect = both("image", "inspect", "nosuch");
    assertThat(inspect.cairn().exit()).isEqualTo(inspect.dockerd().exit()).isEqualTo(1);
    assertThat(inspect.cairn().out()).isEqualTo(inspect.dockerd().out()).isEqualTo("[]\n");
    assertThat(inspect.cairn().err())
        .as(allowed("inspect of a missing image"))
        .isEqualTo(inspect.dockerd().err().replace("no such image: nosuch: ", ""))
        .isEqualTo("Error response from daemon: No such image: nosuch:latest\n");
    Both save = both("save", "-o", temp.resolve("none.tar").toString(), "nosuch");
    save.assertSame();
  }

  @Test
  @Order(9)
  void aMalformedReferenceIsTheClientsErrorSaidClearly() throws Exception {
    pullBoth(labels);
    Both rmi = both("rmi", "Bad:Ref:@");
    assertThat(rmi.cairn().exit()).isEqualTo(rmi.dockerd().exit()).isEqualTo(1);
    assertThat(rmi.dockerd().err())
        .isEqualTo(
            "Error response from daemon: invalid reference format: repository name must be"
                + " lowercase\n");
    assertThat(rmi.cairn().err())
        .as(allowed("malformed reference"))
        .isEqualTo(
            "Error response from daemon: invalid reference \"Bad:Ref:@\": missing digest after"
                + " '@'\n");
    Answer delete = Answer.of(dockerSocket(), "DELETE", "/images/Bad:Ref:@", null);
    Answer mine = Answer.of(socket, "DELETE", "/images/Bad:Ref:@", null);
    assertThat(mine.status()).isEqualTo(delete.status()).isEqualTo(400);

    // the CLI checks a tag's target itself: nothing reaches either server
    both("tag", layers, "Bad:Ref:@").assertSame();
    // sent anyway, it is refused; dockerd 20.10 calls it a fault of its own
    String target = "/images/" + labels + "/tag?repo=Bad:Ref&tag=1";
    assertThat(Answer.of(dockerSocket(), "POST", target, null).status()).isEqualTo(500);
    Answer tag = Answer.of(socket, "POST", target, null);
    assertThat(tag.status()).as(allowed("status of a malformed tag or save name")).isEqualTo(400);
    assertThat(tag.body())
        .isEqualTo(
            "{\"message\":\"invalid reference \\\"Bad:Ref:1\\\": repository name must be"
                + " lowercase\"}\n");
    Both history = both("history", "Bad:Ref:@");
    assertThat(history.cairn().exit()).isEqualTo(history.dockerd().exit()).isEqualTo(1);
    Both save = both("save", "-o", temp.resolve("bad.tar").toString(), "Bad:Ref:@");
    assertThat(save.cairn().exit()).isEqualTo(save.dockerd().exit()).isEqualTo(1);
    assertThat(save.cairn().err()).contains("invalid reference \"Bad:Ref:@\"");
    String get = "/images/get?names=Bad:Ref:@";
    assertThat(Answer.of(dockerSocket(), "GET", get, null).status()).isEqualTo(500);
    assertThat(Answer.of(socket, "GET", get, null).status())
        .as(allowed("status of a malformed tag or save name"))
        .isEqualTo(400);
  }

  static Path dockerSocket() {
    return Path.of(docker.environment().get("DOCKER_HOST").substring("unix://".length()));
  }

  @Test
  @Order(10)
  void aTruncatedOrForeignLoadBodyIsRefusedAndChangesNothing() throws Exception {
    pullBoth(labels);
    Path saved = saveBoth("whole", labels).get("cairn");
    // cut inside an entry: a tar cut between two entries reads as complete to Go's reader
    byte[] half = Arrays.copyOf(Files.readAllBytes(saved), contentLength(saved) / 2 | 1);
    byte[] foreign = "this is no tar archive\n".repeat(100).getBytes(StandardCharsets.UTF_8);
    both("rmi", labels).assertSame();
    for (byte[] body : List.of(half, foreign)) {
      String before = docker.docker(cairn, "images", "-a", "--digests", "--no-trunc");
      List<ImageSummary> summaries = store.imageSummaries(true);
      Answer dockerd = Answer.of(dockerSocket(), "POST", "/images/load?quiet=1", body);
      Answer mine = Answer.of(socket, "POST", "/images/load?quiet=1", body);
      assertThat(dockerd.body()).contains("errorDetail"); // dockerd fails it in its stream
      assertThat(mine.status()).as(allowed("load error")).isEqualTo(400);
      assertThat(mine.body()).startsWith("{\"message\":\"loading image archive: ");
      System.out.printf("load of a broken archive: dockerd %s, cairn %s%n", dockerd, mine);
      assertThat(docker.docker(cairn, "images", "-a", "--digests", "--no-trunc")).isEqualTo(before);
      assertThat(store.imageSummaries(true)).isEqualTo(summaries);

      Path file = Files.write(temp.resolve("broken.tar"), body);
      Both load = both("load", "-i", file.toString());
      assertThat(load.cairn().exit()).isEqualTo(load.dockerd().exit()).isEqualTo(1);
      assertThat(load.cairn().out()).isEqualTo(load.dockerd().out());
      assertThat(load.cairn().err()).startsWith("Error response from daemon: loading image");
    }
    both("images", "-a").assertSameRows();
  }

  /** Where an archive's last entry ends: what follows is the end-of-archive marker and padding. */
  static int contentLength(Path archive) throws IOException {
    try (InputStream in = Files.newInputStream(archive)) {
      TarReader r = new TarReader(in);
      long end = 0;
      while (r.next() != null) {
        r.payload().transferTo(OutputStream.nullOutputStream());
        end = r.offset();
      }
      return (int) end;
    }
  }

  /** One HTTP/1.1 exchange over a unix socket, the body (if any) sent chunked as the CLI does. */
  record Answer(int status, String body) {
    static Answer of(Path socket, String method, String target, byte[] body) throws IOException {
      try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        c.connect(UnixDomainSocketAddress.of(socket));
        StringBuilder head =
            new StringBuilder(method + " /v1.41" + target + " HTTP/1.1\r\n")
                .append("Host: api.moby.localhost\r\nConnection: close\r\n");
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        if (body == null) {
          head.append("Content-Length: 0\r\n\r\n");
          request.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
        } else {
          head.append("Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n");
          request.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
          request.writeBytes(
              (Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          request.writeBytes(body);
          request.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        ByteBuffer out = ByteBuffer.wrap(request.toByteArray());
        while (out.hasRemaining()) {
          c.write(out);
        }
        String answer =
            new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8);
        int status = Integer.parseInt(answer.substring(9, 12));
        String headers = answer.substring(0, answer.indexOf("\r\n\r\n"));
        String rest = answer.substring(headers.length() + 4);
        return new Answer(
            status,
            headers.toLowerCase().contains("transfer-encoding: chunked") ? dechunk(rest) : rest);
      }
    }

    private static String dechunk(String chunked) {
      StringBuilder out = new StringBuilder();
      int at = 0;
      while (true) {
        int eol = chunked.indexOf("\r\n", at);
        int size = Integer.parseInt(chunked.substring(at, eol).strip(), 16);
        if (size == 0) {
          return out.toString();
        }
        out.append(chunked, eol + 2, eol + 2 + size);
        at = eol + 2 + size + 2;
      }
    }
  }

  /**
   * Fifty {@code GET /images/json} at once while a {@code docker load} of a large image streams in:
   * the CLI's standard input is held at half the archive until every listing has answered, so the
   * load is measured to be still running (its process alive, its image not yet in the store) when
   * they do.
   */
  @Test
  @Order(11)
  void fiftyListingsAnswerWhileALargeLoadStreamsIn() throws Exception {
    Path archive = largeArchive();
    byte[] bytes = Files.readAllBytes(archive);
    String big = host + "/diff/big:1";
    List<String> cmd = List.of(docker.cli().toString(), "load");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(temp.resolve("big-load.out").toFile())
            .redirectError(temp.resolve("big-load.err").toFile());
    pb.environment().putAll(docker.environment());
    pb.environment().putAll(cairn);
    long loadStart = System.nanoTime();
    Process load = pb.start();
    long[] ended = new long[50];
    List<Process> listings = new ArrayList<>();
    try (OutputStream stdin = load.getOutputStream()) {
      stdin.write(bytes, 0, bytes.length / 2); // returns once the server has taken most of it
      stdin.flush();
      long sent = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        Process p =
            new ProcessBuilder(
                    "curl",
                    "-sS",
                    "--max-time",
                    "30",
                    "--unix-socket",
                    socket.toString(),
                    "-o",
                    temp.resolve("list-" + i + ".json").toString(),
                    "-w",
                    "%{http_code}",
                    "http://localhost/v1.47/images/json")
                .redirectErrorStream(true)
                .start();
        int n = i;
        p.onExit().thenRun(() -> ended[n] = System.nanoTime());
        listings.add(p);
      }
      for (Process p : listings) {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
      long answered = System.nanoTime();
      assertThat(load.isAlive()).as("the load is still running").isTrue();
      assertThat(store.imageSummaries(true))
          .noneMatch(s -> s.repoTags().stream().anyMatch(t -> t.familiar().equals(big)));
      System.out.printf(
          "fifty listings during a load of %d MB: answered in %d ms after half was sent%n",
          bytes.length >> 20, (answered - sent) / 1_000_000);
      stdin.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
    }
    assertThat(load.waitFor(60, TimeUnit.SECONDS)).isTrue();
    long loadEnd = System.nanoTime();
    assertThat(load.exitValue()).as(Files.readString(temp.resolve("big-load.err"))).isZero();
    assertThat(Files.readString(temp.resolve("big-load.out")))
        .isEqualTo("Loaded image: " + big + "\n");
    System.out.printf("the load took %d ms in all%n", (loadEnd - loadStart) / 1_000_000);
    for (int i = 0; i < 50; i++) {
      Process p = listings.get(i);
      String status = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(status).as("listing %d", i).isEqualTo("200");
      assertThat(Json.parse(Files.readAllBytes(temp.resolve("list-" + i + ".json"))))
          .isInstanceOf(JsonArray.class);
      assertThat(ended[i]).as("listing %d ended before the load", i).isLessThan(loadEnd);
    }
    assertThat(docker.docker(cairn, "images", "--format", "{{.Repository}}:{{.Tag}}"))
        .contains(big);
  }

  /** A docker archive of an image of 48 MB of random bytes in three layers. */
  static Path largeArchive() throws Exception {
    Random random = new Random(42);
    List<byte[]> tars = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      byte[] data = new byte[16 << 20];
      random.nextBytes(data);
      tars.add(TarBuilder.tar().add(TarEntry.regular("big-" + i, data.length), data).bytes());
    }
    OciLayouts big = new OciLayouts(temp.resolve("big-layout"));
    String config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:01:00Z\","
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}";
    big.tag("1", big.imageWithConfig(tars, config).manifest());
    Path archive = temp.resolve("big.tar");
    Tools.run(
        List.of(
            Tools.require("skopeo").toString(),
            "--insecure-policy",
            "copy",
            "--quiet",
            "oci:" + big.dir() + ":1",
            "docker-archive:" + archive + ":" + host + "/diff/big:1"));
    return archive;
  }
}
