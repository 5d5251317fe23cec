package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.PullOptions;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.image.Reference;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Trees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * cairn fsck ({@link Store#check}): each planted fault is found and named, a repair leaves a store
 * that passes and pulls the removed images again, and never removes a healthy or a held node.
 */
class StoreCheckTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static RegistryServer registry;
  static String oci;
  static String s2;
  static String s1;

  static final Map<String, String> BASE = Map.of("etc/os", "base\n", "bin/sh", "shell\n");
  static final Map<String, String> TOP = Map.of("app/run", "the application\n");

  @BeforeAll
  static void push() throws Exception {
    registry = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    layout.tag("1", layout.image("amd64", List.of(BASE, TOP)).manifest());
    Tools.push(layout.dir(), "1", registry.host(), "test/oci");
    Tools.push(layout.dir(), "1", registry.host(), "test/s2", "--format", "v2s2");
    Tools.push(layout.dir(), "1", registry.host(), "test/s1", "--format", "v2s1");
    oci = registry.host() + "/test/oci:1";
    s2 = registry.host() + "/test/s2:1";
    s1 = registry.host() + "/test/s1:1";
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  record Run(CheckResult result, List<String> lines) {}

  static StoreOptions options(String driver) {
    return StoreOptions.defaults().withDriver(driver);
  }

  static Run check(Path root, String driver, boolean repair) throws IOException {
    List<String> lines = new ArrayList<>();
    CheckResult r =
        Store.check(
            root,
            options(driver),
            repair,
            new CheckListener() {
              @Override
              public void problem(CheckProblem problem) {
                lines.add(problem.toString());
              }

              @Override
              public void repaired(Store.Removal step) {
                lines.add(step.toString());
              }
            });
    return new Run(r, lines);
  }

  static void overlayOrSkip(String driver) {
    if (driver.equals("overlay")) {
      try (Store probe = Store.open(temp.resolve("probe"), options("overlay"))) {
        dev.cairn.testing.Tools.requireThat(
            probe.driver().name().equals("overlay"), "overlayfs does not mount here");
      } catch (IOException | CairnException e) {
        dev.cairn.testing.Tools.requireThat(
            false, "overlayfs does not work here: " + e.getMessage());
      }
    }
  }

  private static void pull(Store store, String ref) throws IOException {
    store.pull(Reference.parse(ref), PullOptions.defaults(), e -> {});
  }

  private static List<String> chain(Store store, String ref) throws IOException {
    return store.image(ref).chain().stream().map(Node::id).toList();
  }

  /** A store holding the image as pulled schema2 and schema1, and an imported one. */
  private Path pulledStore(String driver) throws IOException {
    Path root = dir.resolve(driver);
    try (Store store = Store.open(root, options(driver))) {
      pull(store, s2);
      pull(store, s1);
      store.importTarball(
          new ByteArrayInputStream(TarBuilder.tar().file("healthy", "yes\n").bytes()),
          Reference.parse("healthy:1"),
          null);
    }
    return root;
  }

  /** The file {@code name} of node {@code id}'s own layer, where the driver keeps it. */
  private static Path layerFile(Path root, String driver, String id, String name) {
    return driver.equals("vfs")
        ? root.resolve("vfs/dir").resolve(id).resolve(name)
        : root.resolve("overlay").resolve(id).resolve("diff").resolve(name);
  }

  private static Path node(Path root, String id) {
    return root.resolve("graph").resolve(id);
  }

  private static void flipFirstByte(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[0] ^= 1;
    Files.write(file, b);
  }

  private static String healthyId(Path root, String driver) throws IOException {
    try (Store store = Store.open(root, options(driver))) {
      return store.image("healthy:1").top().id();
    }
  }

  /** After a repair: fsck passes, the healthy image is there, and the removed image pulls again. */
  private static void repairLeavesASoundStore(Path root, String driver, String healthy)
      throws IOException {
    Run repaired = check(root, driver, true);
    assertThat(repaired.result().unrepaired()).as(repaired.lines().toString()).isZero();
    Run again = check(root, driver, false);
    assertThat(again.result().problems()).as(again.lines().toString()).isZero();
    assertThat(again.lines()).isEmpty();
    try (Store store = Store.open(root, options(driver))) {
      assertThat(store.image("healthy:1").top().id()).isEqualTo(healthy);
      pull(store, s2);
      pull(store, s1);
      assertThat(chain(store, s2)).hasSize(2);
    }
    Run afterPull = check(root, driver, false);
    assertThat(afterPull.result().problems()).as(afterPull.lines().toString()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"vfs", "overlay"})
  void aHealthyStoreOfPulledLoadedAndImportedImagesPasses(String driver) throws IOException {
    overlayOrSkip(driver);
    Path root = pulledStore(driver);
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    try (Store store = Store.open(root, options(driver))) {
      pull(store, oci);
      store.save(List.of(s2, s1), archive);
    }
    Path loaded = dir.resolve("loaded-" + driver);
    try (Store store = Store.open(loaded, options(driver))) {
      store.load(new ByteArrayInputStream(archive.toByteArray()));
    }
    for (Path r : List.of(root, loaded)) {
      Run run = check(r, driver, false);
      assertThat(run.lines()).isEmpty();
      assertThat(run.result().problems()).isZero();
      assertThat(run.result().clean()).isTrue();
    }
    Run run = check(root, driver, false);
    assertThat(run.result().nodes()).isEqualTo(2 + 2 + 1); // ChainID + config, strong IDs, import
    assertThat(run.result().tags()).isGreaterThanOrEqualTo(4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"vfs", "overlay"})
  void aFlippedByteInALayerFileIsFoundAndTheImageRemovedWithItsTag(String driver)
      throws IOException {
    overlayOrSkip(driver);
    Path root = pulledStore(driver);
    String healthy = healthyId(root, driver);
    List<String> ids;
    try (Store store = Store.open(root, options(driver))) {
      ids = chain(store, s2);
    }
    flipFirstByte(layerFile(root, driver, ids.get(1), "app/run"));
    Run run = check(root, driver, false);
    assertThat(run.result().clean()).isFalse();
    assertThat(run.lines())
        .anySatisfy(
            l -> assertThat(l).startsWith("node " + ids.get(1) + ": its layer does not rebuild"));
    Run repaired = check(root, driver, true);
    assertThat(repaired.lines())
        .containsSubsequence(
            "Untagged: " + Reference.parse(s2).familiar(), "Deleted: sha256:" + ids.get(1));
    assertThat(repaired.lines()).doesNotContain("Deleted: sha256:" + ids.get(0)); // healthy base
    repairLeavesASoundStore(root, driver, healthy);
  }

  @Test
  void aDeletedJsonIsFoundAndTheNodesAboveGoWithIt() throws IOException {
    Path root = pulledStore("vfs");
    String healthy = healthyId(root, "vfs");
    List<String> ids;
    try (Store store = Store.open(root, options("vfs"))) {
      ids = chain(store, s1);
    }
    Files.delete(node(root, ids.get(0)).resolve("json"));
    Run run = check(root, "vfs", false);
    assertThat(run.lines())
        .contains(
            "node " + ids.get(0) + ": json is missing",
            "node " + ids.get(1) + ": it stands on broken node " + ids.get(0));
    Run repaired = check(root, "vfs", true);
    assertThat(repaired.lines())
        .containsSubsequence(
            "Untagged: " + Reference.parse(s1).familiar(),
            "Deleted: sha256:" + ids.get(1),
            "Deleted: sha256:" + ids.get(0));
    repairLeavesASoundStore(root, "vfs", healthy);
  }

  @Test
  void garbageJsonIsFound() throws IOException {
    Path root = pulledStore("vfs");
    String healthy = healthyId(root, "vfs");
    Files.writeString(node(root, healthy).resolve("json"), "{\"id\": nope");
    Run run = check(root, "vfs", false);
    assertThat(run.lines()).singleElement().asString().startsWith("node " + healthy + ": json");
    check(root, "vfs", true);
    assertThat(check(root, "vfs", false).result().problems()).isZero();
    try (Store store = Store.open(root, options("vfs"))) {
      assertThat(store.tags().all()).doesNotContainKey(Reference.parse("healthy:1"));
      assertThat(chain(store, s2)).hasSize(2);
    }
  }

  @Test
  void aLayersizeThatIsNoNumberIsFoundAndRemovedToBeCountedAgain() throws IOException {
    Path root = pulledStore("vfs");
    String healthy = healthyId(root, "vfs");
    Files.writeString(node(root, healthy).resolve("layersize"), "12 bytes");
    Run run = check(root, "vfs", false);
    assertThat(run.lines())
        .containsExactly(
            "node " + healthy + ": its layersize is no number (Docker 1.9 cannot load the node)");
    Run repaired = check(root, "vfs", true);
    assertThat(repaired.lines())
        .contains("Fixed: node " + healthy + ": layersize removed, to be counted again")
        .noneMatch(l -> l.startsWith("Deleted"));
    repairLeavesASoundStore(root, "vfs", healthy);
    assertThat(Files.readString(node(root, healthy).resolve("layersize"))).isEqualTo("4");
  }

  @Test
  void aMissingDiffIdOfAConfigsLayerIsFoundAndRecordedAgain() throws IOException {
    Path root = pulledStore("vfs");
    String healthy = healthyId(root, "vfs");
    List<String> ids;
    try (Store store = Store.open(root, options("vfs"))) {
      ids = chain(store, s2);
    }
    Path diffId = node(root, ids.get(0)).resolve("diffid");
    String recorded = Files.readString(diffId);
    Files.delete(diffId);
    Run run = check(root, "vfs", false);
    assertThat(run.lines())
        .containsExactly(
            "node "
                + ids.get(0)
                + ": diffid is missing (every layer of an image config records one)");
    Run repaired = check(root, "vfs", true);
    assertThat(repaired.lines()).noneMatch(l -> l.startsWith("Deleted"));
    assertThat(Files.readString(diffId)).isEqualTo(recorded);
    repairLeavesASoundStore(root, "vfs", healthy);
  }

  @Test
  void aWrongStrongIdIsFound() throws IOException {
    Path root = pulledStore("vfs");
    String healthy = healthyId(root, "vfs");
    List<String> ids;
    try (Store store = Store.open(root, options("vfs"))) {
      ids = chain(store, s1);
    }
    // Another v1Compatibility: the json no longer is the config the image's ID was made of.
    Path v1 = node(root, ids.get(1)).resolve("v1Compatibility");
    Files.writeString(
        v1, Files.readString(v1).replace("\"created\"", "\"comment\":\"x\",\"created\""));
    Run run = check(root, "vfs", false);
    assertThat(run.lines())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("node " + ids.get(1) + ": its v1Compatibility gives strong ID"));
    Path json = node(root, ids.get(0)).resolve("json");
    Files.writeString(json, Files.readString(json).replace("{", "{\"comment\":\"y\","));
    assertThat(check(root, "vfs", false).lines())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("node " + ids.get(0) + ": its ID is not its strong ID sha256:"));
    repairLeavesASoundStore(root, "vfs", healthy);
  }

  @Test
  void aWrongConfigDigestIsFoundAndOnlyTheConfigGoes() throws IOException {
    Path root = pulledStore("vfs");
    String healthy = healthyId(root, "vfs");
    List<String> ids;
    try (Store store = Store.open(root, options("vfs"))) {
      ids = chain(store, s2);
    }
    Path json = node(root, ids.get(1)).resolve("json");
    Files.writeString(json, Files.readString(json) + " ");
    String digest = digestOf(json);
    Run run = check(root, "vfs", false);
    assertThat(run.lines())
        .singleElement()
        .asString()
        .startsWith("node " + ids.get(1) + ": its ID is not its config's digest sha256:");
    Run repaired = check(root, "vfs", true);
    // as rmi, the last tag takes the repository's digest reference along
    assertThat(repaired.lines())
        .hasSize(4)
        .containsSubsequence(
            "node " + ids.get(1) + ": its ID is not its config's digest " + digest,
            "Untagged: " + Reference.parse(s2).familiar(),
            "Deleted: sha256:" + ids.get(1))
        .anySatisfy(
            l -> assertThat(l).startsWith("Untagged: " + registry.host() + "/test/s2@sha256:"));
    assertThat(node(root, ids.get(0))).isDirectory(); // its healthy layer stays
    repairLeavesASoundStore(root, "vfs", healthy);
  }

  private static String digestOf(Path file) throws IOException {
    return dev.cairn.digest.Digest.sha256(Files.readAllBytes(file)).toString();
  }

  @Test
  void aTagToAMissingNodeAnOrphanLayerAndAHalfWrittenTempDirectoryAreFound() throws IOException {
    Path root = pulledStore("vfs");
    String healthy = healthyId(root, "vfs");
    String ghost = "ab".repeat(32);
    String orphan = "cd".repeat(32);
    Path tags = root.resolve("repositories-vfs");
    Files.writeString(
        tags,
        Files.readString(tags)
            .replaceFirst(
                "\\{\"Repositories\":\\{",
                "{\"Repositories\":{\"ghost\":{\"1\":\"" + ghost + "\"},"));
    Files.createDirectories(root.resolve("vfs/dir").resolve(orphan).resolve("etc"));
    Path half = root.resolve("graph/_tmp").resolve("ef".repeat(32) + ".0123456789abcdef");
    Files.createDirectories(half);
    Files.writeString(half.resolve("json"), "{\"id\":");
    Run run = check(root, "vfs", false);
    assertThat(run.lines())
        .containsExactly(
            "graph/_tmp/"
                + half.getFileName()
                + ": left behind by an interrupted pull, load or"
                + " delete",
            "tag ghost:1: names image " + ghost + ", which does not exist",
            "vfs layer " + orphan + ": no node uses it");
    assertThat(run.result().problems()).isEqualTo(3);
    Run repaired = check(root, "vfs", true);
    assertThat(repaired.lines())
        .contains(
            "Removed: graph/_tmp/" + half.getFileName(),
            "Untagged: ghost:1",
            "Removed: vfs layer " + orphan);
    assertThat(half).doesNotExist();
    assertThat(root.resolve("vfs/dir").resolve(orphan)).doesNotExist();
    repairLeavesASoundStore(root, "vfs", healthy);
  }

  @Test
  void stagingTreesOfCutShortLayerCreatesOldAndNewAreFoundAndRemoved() throws IOException {
    Path root = pulledStore("vfs");
    String healthy = healthyId(root, "vfs");
    Path current = root.resolve("vfs/dir/.tmp-" + "ab".repeat(32));
    Path older = root.resolve("vfs/dir/.tmp-" + "cd".repeat(32) + "-5f3a9c0e1b2d4f67");
    for (Path tree : List.of(current, older)) {
      Files.createDirectories(tree.resolve("etc"));
      Files.writeString(tree.resolve("etc/half"), "half a layer");
    }
    Run run = check(root, "vfs", false);
    assertThat(run.lines())
        .containsExactly(
            "vfs staging "
                + current.getFileName()
                + ": left behind by an interrupted layer create or remove",
            "vfs staging "
                + older.getFileName()
                + ": left behind by an interrupted layer create or remove");
    Run repaired = check(root, "vfs", true);
    assertThat(repaired.lines())
        .contains(
            "Removed: vfs staging " + current.getFileName(),
            "Removed: vfs staging " + older.getFileName());
    assertThat(current).doesNotExist();
    assertThat(older).doesNotExist();
    repairLeavesASoundStore(root, "vfs", healthy);
  }

  @Test
  void aTempDirectoryIsNoLeftoverWhileAnotherOpenerMayBeWritingIt() throws IOException {
    Path root = pulledStore("vfs");
    Path busy = root.resolve("graph/_tmp").resolve("ef".repeat(32) + ".0123456789abcdef");
    try (Store other = Store.open(root, options("vfs"))) {
      Files.createDirectories(busy); // as a pull of that store stages a node
      Run run = check(root, "vfs", true);
      assertThat(run.lines()).isEmpty();
      assertThat(busy).isDirectory();
    }
  }

  @Test
  void repairNeverRemovesAHealthyNode() throws IOException {
    Path root = pulledStore("vfs");
    Map<String, Long> before = listing(root);
    Run run = check(root, "vfs", true);
    assertThat(run.lines()).isEmpty();
    assertThat(listing(root)).isEqualTo(before);
  }

  private static Map<String, Long> listing(Path root) throws IOException {
    Map<String, Long> out = new java.util.TreeMap<>();
    try (var walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (!p.getFileName().toString().equals(".lock")) {
          out.put(root.relativize(p).toString(), Files.isRegularFile(p) ? Files.size(p) : -1);
        }
      }
    }
    return out;
  }

  @Test
  void aBrokenNodeThatIsHeldOrMountedIsReportedAndKept() throws IOException {
    Path root = pulledStore("vfs");
    List<String> s2Ids;
    List<String> s1Ids;
    try (Store store = Store.open(root, options("vfs"))) {
      s2Ids = chain(store, s2);
      s1Ids = chain(store, s1);
      store.mount(s1);
    }
    flipFirstByte(layerFile(root, "vfs", s2Ids.get(1), "app/run"));
    flipFirstByte(layerFile(root, "vfs", s1Ids.get(1), "app/run"));
    try (Store holder = Store.open(root, options("vfs"));
        Graph.Hold hold = holder.graph().retain(List.of(s2Ids.get(1)))) {
      Run run = check(root, "vfs", true);
      assertThat(run.lines())
          .contains(
              "Kept: sha256:" + s2Ids.get(1) + ": it is in use by a running pull, save or load",
              "Kept: sha256:" + s1Ids.get(1) + ": it is mounted")
          .noneMatch(l -> l.startsWith("Deleted") || l.startsWith("Untagged"));
      assertThat(run.result().unrepaired()).isEqualTo(2);
      assertThat(node(root, s2Ids.get(1))).isDirectory();
      assertThat(node(root, s1Ids.get(1))).isDirectory();
    }
  }

  /** A fault a pull finds in an image's chain, planted in node {@code id}'s files. */
  enum ChainFault {
    LAYER_DIRECTORY_GONE,
    JSON_DELETED;

    void plant(Path root, String driver, String id) throws IOException {
      if (this == JSON_DELETED) {
        Files.delete(node(root, id).resolve("json"));
      } else {
        Trees.delete(
            driver.equals("vfs")
                ? root.resolve("vfs/dir").resolve(id)
                : root.resolve("overlay").resolve(id));
      }
    }
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "vfs, LAYER_DIRECTORY_GONE, s2",
    "vfs, JSON_DELETED, s2",
    "vfs, LAYER_DIRECTORY_GONE, s1",
    "vfs, JSON_DELETED, s1",
    "overlay, LAYER_DIRECTORY_GONE, s2",
    "overlay, JSON_DELETED, s2",
    "overlay, LAYER_DIRECTORY_GONE, s1",
    "overlay, JSON_DELETED, s1"
  })
  void aPullThatFindsABrokenNodeInItsChainFetchesItAgain(
      String driver, ChainFault fault, String which) throws IOException {
    overlayOrSkip(driver);
    Path root = pulledStore(driver);
    String ref = which.equals("s1") ? s1 : s2;
    List<String> ids;
    try (Store store = Store.open(root, options(driver))) {
      ids = chain(store, ref);
    }
    fault.plant(root, driver, ids.get(0)); // the base: every node above stands on it
    try (Store store = Store.open(root, options(driver))) {
      pull(store, ref);
      assertThat(store.warnings()).isEmpty();
      assertThat(chain(store, ref)).isEqualTo(ids);
      ByteArrayOutputStream layer = new ByteArrayOutputStream();
      store.exportLayer(ids.get(0), layer);
      assertThat(Digest.sha256(layer.toByteArray()))
          .as("the base layer, exported again")
          .isEqualTo(Digest.sha256(OciLayouts.tar(BASE)));
      assertThat(store.mount(ref).resolve("app/run")).hasContent("the application");
      store.unmount(ref);
    }
    Run run = check(root, driver, false);
    assertThat(run.lines()).isEmpty();
  }

  @Test
  void aBrokenImageASaveInAnotherProcessHoldsIsKeptAndGoesOnceReleased() throws Exception {
    Path root = pulledStore("vfs");
    String broken;
    try (Store store = Store.open(root, options("vfs"))) {
      broken = store.image(s2).top().id();
    }
    Path json = node(root, broken).resolve("json");
    Files.writeString(json, Files.readString(json) + " "); // its ID no longer is its digest
    Process save =
        new ProcessBuilder(StoreChild.command("save", root.toString(), "vfs", s2))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      java.io.BufferedReader said =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(save.getInputStream(), StandardCharsets.UTF_8));
      assertThat(said.readLine()).isEqualTo("holding"); // the archive has begun: the image is held
      Run run = check(root, "vfs", true);
      assertThat(run.lines())
          .contains("Kept: sha256:" + broken + ": it is in use by a running pull, save or load")
          .noneMatch(l -> l.startsWith("Deleted") || l.startsWith("Untagged"));
      assertThat(node(root, broken)).isDirectory();
    } finally {
      save.getOutputStream().close();
      assertThat(save.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    Run repaired = check(root, "vfs", true);
    assertThat(repaired.lines())
        .containsSubsequence(
            "Untagged: " + Reference.parse(s2).familiar(), "Deleted: sha256:" + broken);
    assertThat(check(root, "vfs", false).result().problems()).isZero();
  }

  @Test
  void aNodeWithoutTarSplitOrDiffIdIsDocker18sAndPassesButADiffIdWithoutTarSplitIsAProblem()
      throws IOException {
    Path root = pulledStore("vfs");
    String imported = healthyId(root, "vfs");
    Files.delete(node(root, imported).resolve("tar-data.json.gz"));
    Files.delete(node(root, imported).resolve("diffid"));
    assertThat(check(root, "vfs", false).lines()).isEmpty(); // its tar is the driver's diff
    List<String> ids;
    try (Store store = Store.open(root, options("vfs"))) {
      ids = chain(store, s1);
    }
    Files.delete(node(root, ids.get(1)).resolve("tar-data.json.gz"));
    assertThat(check(root, "vfs", false).lines())
        .containsExactly(
            "node "
                + ids.get(1)
                + ": tar-data.json.gz is missing: its layer cannot be rebuilt to its DiffID");
  }
}
