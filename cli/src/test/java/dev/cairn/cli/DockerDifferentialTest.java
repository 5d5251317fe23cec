package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.registry.RegistryServer;
import dev.cairn.testing.DockerEngine;
import dev.cairn.testing.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Docker as the reference: a private dockerd and cairn pull the same images from the same registry
 * (the {@link DockerCorpus}), and every check compares what the two show, value by value: {@code
 * inspect}, {@code history}, {@code images}, the image's file tree, and archives both ways. The
 * differences allowed are listed in {@link Differences}; any other fails with both values.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerDifferentialTest {
  @TempDir static Path temp;
  static RegistryServer registry;
  static RegistryServer second;
  static DockerEngine docker;
  static List<DockerCorpus.Sample> corpus;
  static Cli cairn;
  static Instant started;

  /** The inspect fields docker 20.10 prints that describe the image rather than the daemon. */
  static final List<String> INSPECT_FIELDS =
      List.of(
          "Id",
          "RepoTags",
          "RepoDigests",
          "Parent",
          "Comment",
          "Created",
          "Container",
          "ContainerConfig",
          "DockerVersion",
          "Author",
          "Config",
          "Architecture",
          "Variant",
          "Os",
          "OsVersion",
          "Size",
          "VirtualSize",
          "RootFS");

  @BeforeAll
  static void pullTheCorpusWithBoth() throws Exception {
    long start = System.nanoTime();
    started = Instant.now().minusSeconds(1);
    docker = DockerEngine.start();
    registry = RegistryServer.start(temp.resolve("registry"), temp, "");
    corpus = DockerCorpus.build(temp.resolve("corpus"), registry, docker);
    cairn = new Cli(temp.resolve("cairn"), "overlay");
    for (DockerCorpus.Sample s : corpus) {
      docker.docker(pull(s).toArray(String[]::new));
      CliResult r = cairn.run(pull(s).toArray(String[]::new));
      assertThat(r.exit()).as("cairn pull %s: %s", s.reference(), r.err()).isZero();
    }
    System.out.printf(
        "DockerDifferentialTest: dockerd, registry and corpus ready in %d ms%n",
        (System.nanoTime() - start) / 1_000_000);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (docker != null) {
        docker.close();
      }
    } finally {
      for (RegistryServer r : new RegistryServer[] {registry, second}) {
        if (r != null) {
          r.close();
        }
      }
    }
    Differences.SEEN.forEach(
        (rule, list) -> list.forEach(d -> System.out.println("allowed (" + rule + "): " + d)));
  }

  static List<DockerCorpus.Sample> corpus() {
    return corpus;
  }

  private static List<String> pull(DockerCorpus.Sample s) {
    List<String> args = new ArrayList<>(List.of("pull", "-q"));
    if (s.platform() != null) {
      args.add("--platform=" + s.platform());
    }
    args.add(s.reference());
    return args;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @Order(1)
  void inspectShowsWhatDockerShows(DockerCorpus.Sample s) throws Exception {
    Differences diffs = new Differences(s, "inspect");
    compareInspect(diffs, dockerInspect(s.reference()), cairnInspect(cairn, s.reference()));
    diffs.assertOnlyAllowed();
  }

  /** Compares inspect objects field by field, and Config member by member. */
  static void compareInspect(Differences diffs, JsonObject docker, JsonObject cairn) {
    for (String field : INSPECT_FIELDS) {
      compareField(diffs, field, docker, cairn);
    }
  }

  private static void compareField(
      Differences diffs, String field, JsonObject docker, JsonObject cairn) {
    if (field.equals("Config")) {
      compareConfig(diffs, docker.get(field), cairn.get(field));
    } else {
      diffs.compareJson(field, docker.get(field), cairn.get(field));
    }
  }

  private static void compareConfig(Differences diffs, JsonValue docker, JsonValue cairn) {
    if (!(Differences.plain(docker) instanceof Map<?, ?> d)
        || !(Differences.plain(cairn) instanceof Map<?, ?> c)) {
      diffs.compareJson("Config", docker, cairn);
      return;
    }
    Set<Object> keys = new TreeSet<>(d.keySet());
    keys.addAll(c.keySet());
    List<Object> zeroLeftOut = new ArrayList<>();
    for (Object key : keys) {
      Object dv = d.containsKey(key) ? d.get(key) : Differences.ABSENT;
      Object cv = c.containsKey(key) ? c.get(key) : Differences.ABSENT;
      if (cv == Differences.ABSENT && Differences.zero(dv)) {
        zeroLeftOut.add(key);
      } else {
        diffs.compare("Config." + key, dv, cv);
      }
    }
    if (!zeroLeftOut.isEmpty()) {
      diffs.add("Config: zero-valued fields left out", zeroLeftOut, "(absent)");
    }
  }

  static JsonObject dockerInspect(String reference) throws Exception {
    return only(docker.docker("image", "inspect", reference));
  }

  static JsonObject cairnInspect(Cli cli, String reference) {
    CliResult r = cli.run("inspect", reference);
    assertThat(r.exit()).as("cairn inspect %s: %s", reference, r.err()).isZero();
    return only(r.out());
  }

  private static JsonObject only(String json) {
    JsonValue v = Json.parse(json.getBytes(StandardCharsets.UTF_8));
    assertThat(v).isInstanceOf(JsonArray.class);
    List<JsonValue> items = ((JsonArray) v).items();
    assertThat(items).hasSize(1);
    return (JsonObject) items.getFirst();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @Order(2)
  void historyShowsWhatDockerShows(DockerCorpus.Sample s) throws Exception {
    Differences diffs = new Differences(s, "history");
    for (boolean noTrunc : List.of(true, false)) {
      String[] args =
          noTrunc
              ? new String[] {"history", "--no-trunc", s.reference()}
              : new String[] {"history", s.reference()};
      List<Map<String, String>> d = Table.parse(docker.docker(args));
      List<Map<String, String>> c = Table.parse(cairnOut(args));
      diffs.compare(noTrunc ? "rows" : "rows (truncated)", d.size(), c.size());
      for (int i = 0; i < Math.min(d.size(), c.size()); i++) {
        for (String column : d.getFirst().keySet()) {
          String dv = d.get(i).get(column);
          String cv = c.get(i).get(column);
          if (column.equals("CREATED") ? !Ages.agree(dv, cv) : !dv.equals(cv)) {
            diffs.add(column, "row " + i + " " + dv, cv);
          }
        }
      }
    }
    diffs.compare(
        "-q",
        docker.docker("history", "-q", s.reference()).lines().toList(),
        cairnOut("history", "-q", s.reference()).lines().toList());
    diffs.assertOnlyAllowed();
  }

  private static String cairnOut(String... args) {
    CliResult r = cairn.run(args);
    assertThat(r.exit()).as("cairn %s: %s", String.join(" ", args), r.err()).isZero();
    return r.out();
  }

  @Test
  @Order(3)
  void imagesShowsWhatDockerShows() throws Exception {
    Map<String, Map<String, String>> d = byName(docker.docker("images", "--format", "{{json .}}"));
    Map<String, Map<String, String>> c = byName(cairnOut("images", "--format", "json"));
    Map<String, Map<String, String>> dt = byName(Table.parse(docker.docker("images")));
    Map<String, Map<String, String>> ct = byName(Table.parse(cairnOut("images")));
    List<Differences> all = new ArrayList<>();
    Differences whole = new Differences(DockerCorpus.Sample.ALL, "images");
    whole.compare("rows", d.keySet(), c.keySet());
    whole.compare("rows (table)", dt.keySet(), ct.keySet());
    // Newest first; images made in the same second may come in any order.
    whole.compare(
        "order",
        d.keySet().stream().map(k -> d.get(k).get("CreatedAt")).toList(),
        c.keySet().stream().map(k -> d.containsKey(k) ? d.get(k).get("CreatedAt") : k).toList());
    all.add(whole);
    for (DockerCorpus.Sample s : corpus) {
      Differences diffs = new Differences(s, "images");
      compareRow(diffs, d.get(s.reference()), c.get(s.reference()), "CreatedSince");
      compareRow(diffs, dt.get(s.reference()), ct.get(s.reference()), "CREATED");
      all.add(diffs);
    }
    Differences.assertOnlyAllowed(all);
  }

  private static void compareRow(
      Differences diffs, Map<String, String> docker, Map<String, String> cairn, String age) {
    for (String column : docker.keySet()) {
      String dv = docker.get(column);
      String cv = cairn == null ? null : cairn.get(column);
      if (column.equals(age) ? cv == null || !Ages.agree(dv, cv) : !dv.equals(cv)) {
        diffs.add(column, dv, cv);
      }
    }
  }

  @Test
  @Order(3)
  void imagesJsonPrintsCreatedAtInTheLocalZoneAsDockerDoes() throws Exception {
    Differences diffs = new Differences(DockerCorpus.Sample.ALL, "images");
    List<String> zones = new ArrayList<>(List.of("", "UTC", "No/Such_Zone"));
    if (java.nio.file.Files.isDirectory(Path.of("/usr/share/zoneinfo"))) {
      zones.addAll(List.of("Europe/Berlin", "Asia/Dubai", "America/St_Johns", ":Asia/Kolkata"));
    }
    zones.add(null); // unset: the machine's /etc/localtime
    for (String tz : zones) {
      Map<String, String> env = new java.util.HashMap<>(System.getenv());
      env.remove("TZ");
      Map<String, String> dockerEnv = new java.util.HashMap<>();
      dockerEnv.put("TZ", tz);
      if (tz != null) {
        env.put("TZ", tz);
      }
      Map<String, Map<String, String>> d =
          byName(docker.docker(dockerEnv, "images", "--format", "{{json .}}"));
      CliResult r = cairn.withEnv(env).run("images", "--format", "json");
      assertThat(r.exit()).as(r.err()).isZero();
      Map<String, Map<String, String>> c = byName(r.out());
      for (String name : d.keySet()) {
        diffs.compare(
            "CreatedAt (TZ=" + tz + ") of " + name,
            d.get(name).get("CreatedAt"),
            c.containsKey(name) ? c.get(name).get("CreatedAt") : null);
      }
    }
    diffs.assertOnlyAllowed();
  }

  @Test
  @Order(3)
  void imagesAllListsTheImagesDockerLists() throws Exception {
    Set<String> d =
        new TreeSet<>(docker.docker("images", "-a", "-q", "--no-trunc").lines().toList());
    Set<String> c = new TreeSet<>(cairnOut("images", "-a", "-q", "--no-trunc").lines().toList());
    // A schema1 image's chain is Docker 1.9's: each of its nodes was an image (the mission's).
    for (DockerCorpus.Sample s : corpus) {
      if (s.schema1()) {
        c.removeAll(cairnOut("history", "-q", "--no-trunc", s.reference()).lines().toList());
        d.remove(dockerInspect(s.reference()).get("Id") instanceof JsonString id ? id.value() : "");
      }
    }
    Differences diffs = new Differences(DockerCorpus.Sample.ALL, "images");
    Set<String> dockerOnly = new TreeSet<>(d);
    dockerOnly.removeAll(c);
    c.removeAll(d);
    if (!dockerOnly.isEmpty() || !c.isEmpty()) {
      diffs.add("-a", "only " + dockerOnly, "only " + c);
    }
    diffs.assertOnlyAllowed();
  }

  /** Rows of {@code images --format json}, by REPOSITORY:TAG. */
  private static Map<String, Map<String, String>> byName(String lines) {
    Map<String, Map<String, String>> rows = new LinkedHashMap<>();
    for (String line : lines.lines().toList()) {
      JsonObject o = (JsonObject) Json.parse(line.getBytes(StandardCharsets.UTF_8));
      Map<String, String> row = new LinkedHashMap<>();
      o.members().forEach(m -> row.put(m.key(), ((JsonString) m.value()).value()));
      rows.put(row.get("Repository") + ":" + row.get("Tag"), row);
    }
    return rows;
  }

  /** Rows of the {@code images} table, by REPOSITORY:TAG. */
  private static Map<String, Map<String, String>> byName(List<Map<String, String>> table) {
    Map<String, Map<String, String>> rows = new LinkedHashMap<>();
    for (Map<String, String> row : table) {
      rows.put(row.get("REPOSITORY") + ":" + row.get("TAG"), row);
    }
    return rows;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @Order(4)
  void theImagesFilesAreTheFilesDockerExtracted(DockerCorpus.Sample s) throws Exception {
    Map<String, String> dockerTree = docker.imageTree(s.reference());
    Path merged = Path.of(cairnOut("mount", s.reference()).strip());
    Map<String, String> cairnTree;
    try {
      cairnTree = Trees.snapshot(merged);
    } finally {
      cairnOut("unmount", s.reference());
    }
    Differences diffs = new Differences(s, "tree");
    Set<String> paths = new TreeSet<>(dockerTree.keySet());
    paths.addAll(cairnTree.keySet());
    for (String path : paths) {
      diffs.compare(
          new String(path.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8),
          extractionTime(dockerTree.get(path)),
          extractionTime(cairnTree.get(path)));
    }
    diffs.assertOnlyAllowed();
  }

  private static final Pattern DIRECTORY_TIME =
      Pattern.compile("^(40\\d{3} \\S+ mtime=)(\\d+)\\.\\d+");

  /**
   * A directory that no tar entry describes (one implied by a path, or the root) gets the time it
   * was made, on both sides: such a time, later than the start of this run, is not compared.
   */
  private static String extractionTime(String description) {
    if (description == null) {
      return null;
    }
    Matcher m = DIRECTORY_TIME.matcher(description);
    if (m.find() && Long.parseLong(m.group(2)) >= started.getEpochSecond()) {
      return m.replaceFirst("$1(when extracted)");
    }
    return description;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @Order(5)
  void dockerSaveLoadsIntoCairnAsDockerShowsIt(DockerCorpus.Sample s, @TempDir Path dir)
      throws Exception {
    Path archive = dir.resolve("docker.tar");
    docker.docker("save", "-o", archive.toString(), s.reference());
    Cli fresh = new Cli(dir.resolve("store"), "overlay");
    CliResult load = fresh.run("load", "-i", archive.toString());
    assertThat(load.exit()).as("cairn load: %s", load.err()).isZero();
    Differences diffs = new Differences(s, "load of docker's archive");
    Differences inspect = new Differences(s, "load of docker's archive: inspect");
    diffs.compare("output", List.of("Loaded image: " + s.reference()), load.lines());
    if (!load.err().isEmpty()) {
      diffs.add("warning", "", load.err().strip());
    }
    // What docker shows of an image it loads: no RepoDigests, no Parent.
    JsonObject expected = dockerInspect(s.reference());
    JsonObject loaded = cairnInspect(fresh, s.reference());
    for (String field : INSPECT_FIELDS) {
      switch (field) {
        case "RepoDigests" ->
            inspect.compare(field, List.of(), Differences.plain(loaded.get(field)));
        case "Parent" -> inspect.compare(field, "", Differences.plain(loaded.get(field)));
        default -> compareField(inspect, field, expected, loaded);
      }
    }
    Differences.assertOnlyAllowed(List.of(diffs, inspect));
  }

  @Test
  @Order(5)
  void dockerSaveOfTheWholeCorpusLoadsIntoCairnAsDockerShowsIt(@TempDir Path dir) throws Exception {
    Path archive = dir.resolve("docker.tar");
    List<String> args = new ArrayList<>(List.of("save", "-o", archive.toString()));
    corpus.forEach(s -> args.add(s.reference()));
    docker.docker(args.toArray(String[]::new));
    Cli fresh = new Cli(dir.resolve("store"), "overlay");
    CliResult load = fresh.run("load", "-i", archive.toString());
    assertThat(load.exit()).as("cairn load: %s", load.err()).isZero();
    List<Differences> all = new ArrayList<>();
    Differences whole = new Differences(DockerCorpus.Sample.ALL, "load of docker's archive");
    whole.compare(
        "output",
        new TreeSet<>(corpus.stream().map(s -> "Loaded image: " + s.reference()).toList()),
        new TreeSet<>(load.lines()));
    if (!load.err().isEmpty()) {
      whole.add("warning", "", load.err().strip());
    }
    all.add(whole);
    for (DockerCorpus.Sample s : corpus) {
      Differences inspect = new Differences(s, "load of docker's archive: inspect");
      JsonObject expected = dockerInspect(s.reference());
      JsonObject loaded = cairnInspect(fresh, s.reference());
      for (String field : List.of("Id", "RepoTags", "Created", "Config", "Size", "RootFS")) {
        compareField(inspect, field, expected, loaded);
      }
      all.add(inspect);
    }
    Differences.assertOnlyAllowed(all);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @Order(6)
  void cairnSaveLoadsIntoDockerAsItWasPulled(DockerCorpus.Sample s, @TempDir Path dir)
      throws Exception {
    Path archive = dir.resolve("cairn.tar");
    CliResult save = cairn.run("save", "-o", archive.toString(), s.reference());
    if (save.exit() != 0) {
      Differences failed = new Differences(s, "cairn");
      failed.add("save", "(docker saves it)", save.err().strip());
      failed.assertOnlyAllowed();
      return;
    }
    Differences diffs = new Differences(s, "docker load of cairn's archive");
    Differences inspect = new Differences(s, "docker load of cairn's archive: inspect");
    JsonObject pulled = dockerInspect(s.reference());
    docker.docker("rmi", s.reference());
    try {
      String out = docker.docker("load", "-i", archive.toString());
      diffs.compare("output", List.of("Loaded image: " + s.reference()), out.lines().toList());
      // What docker had pulled, but for the digests, which no archive carries.
      JsonObject loaded = dockerInspect(s.reference());
      for (String field : INSPECT_FIELDS) {
        switch (field) {
          case "RepoDigests" ->
              inspect.compare(field, List.of(), Differences.plain(loaded.get(field)));
          default -> compareField(inspect, field, pulled, loaded);
        }
      }
    } finally {
      // dockerd holds the pulled image again, with its RepoDigests, for whatever runs next
      docker.run("rmi", s.reference());
      docker.docker(pull(s).toArray(String[]::new));
    }
    Differences.assertOnlyAllowed(List.of(diffs, inspect));
  }

  /** A second registry, for pushes: nothing there can be found or mounted from the first. */
  private static synchronized RegistryServer second() throws Exception {
    if (second == null) {
      second = RegistryServer.start(temp.resolve("second"), temp, "");
    }
    return second;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @Order(6)
  void whatCairnPushesToAnotherRegistryDockerPullsAsTheImageItPulled(
      DockerCorpus.Sample s, @TempDir Path dir) throws Exception {
    DockerPushChecks.roundTrip(docker, cairn, second(), s, "pushed/" + s.name(), dir);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @Order(6)
  void aSignedSchema1PushDockerPullsWithTheLayersItPulled(DockerCorpus.Sample s) throws Exception {
    DockerPushChecks.schema1RoundTrip(docker, cairn, second(), s, "v2s1/" + s.name());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @Order(6)
  void pushPrintsWhatDockerPushPrints(DockerCorpus.Sample s, @TempDir Path dir) throws Exception {
    try (RegistryServer fresh = RegistryServer.start(dir.resolve("storage"), dir, "")) {
      DockerPushChecks.outputLikeDocker(docker, cairn, fresh, s);
    }
  }

  @Test
  @Order(6)
  void withKeptBlobsAPushKeepsTheManifestDigestAndDockerPullsTheSameImage(@TempDir Path dir)
      throws Exception {
    List<DockerCorpus.Sample> samples = corpus.stream().filter(s -> !s.schema1()).toList();
    Cli keeping = DockerPushChecks.keeping(dir.resolve("kept"), samples);
    for (DockerCorpus.Sample s : samples) {
      String digest =
          DockerPushChecks.roundTrip(docker, keeping, second(), s, "kept/" + s.name(), dir);
      // One pulled through an index is pushed as its platform's manifest, not the index.
      if (!s.name().startsWith("index-")) {
        assertThat(digest)
            .as("%s: digest of the push", s)
            .isEqualTo(DockerPushChecks.pulledDigest(keeping, s));
      }
    }
  }

  @Test
  @Order(6)
  void aSchema1ImagePulledWithItsBlobsKeptPushesAsV2s1AndPullsBackAsTheSameImage(@TempDir Path dir)
      throws Exception {
    List<DockerCorpus.Sample> samples =
        corpus.stream().filter(DockerCorpus.Sample::schema1).toList();
    assertThat(samples).isNotEmpty();
    Cli keeping = DockerPushChecks.keeping(dir.resolve("kept"), samples);
    Cli fresh = new Cli(dir.resolve("fresh"), "overlay");
    for (DockerCorpus.Sample s : samples) {
      DockerPushChecks.schema1KeptRoundTrip(
          docker, keeping, fresh, second(), s, "kept-v2s1/" + s.name());
    }
  }

  @Test
  @Order(6)
  void loginAndLogoutThroughATokenServerDoWhatDockerDoes(@TempDir Path dir) throws Exception {
    DockerLoginChecks.againstDocker(docker, dir);
  }

  @Test
  @Order(7)
  void systemDfShowsWhatDockerShows() throws Exception {
    Differences.assertOnlyAllowed(DockerDiskChecks.systemDf(docker, cairn, corpus));
  }

  /** Last: it empties both stores. */
  @Test
  @Order(8)
  void imagePruneRemovesWhatDockerRemoves() throws Exception {
    Differences.assertOnlyAllowed(DockerDiskChecks.prune(docker, cairn, corpus));
  }
}
