package dev.cairn.graph;

import static dev.cairn.graph.Fixtures.id;
import static dev.cairn.graph.Fixtures.json;
import static dev.cairn.graph.Fixtures.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.driver.Driver;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.testing.Seeds;
import dev.cairn.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GraphTest {
  @TempDir Path root;
  private final Random random = Seeds.random(GraphTest.class);
  private Driver driver;
  private Graph graph;

  @BeforeEach
  void open() throws IOException {
    driver = Drivers.open(root, "vfs", DriverOptions.defaults());
    graph = Graph.open(root, driver);
  }

  @AfterEach
  void close() throws IOException {
    graph.close();
  }

  private Graph reopen() throws IOException {
    graph.close();
    graph = Graph.open(root, driver);
    return graph;
  }

  private Node register(String id, String parent, byte[] layer) throws IOException {
    return graph.register(
        NodeSpec.of(id, parent, json(id, parent)), new ByteArrayInputStream(layer));
  }

  private Path layerDir(String id) {
    return root.resolve("vfs/dir").resolve(id);
  }

  private Path node(String id) {
    return root.resolve("graph").resolve(id);
  }

  private static byte[] tarOf(Graph g, String id) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    g.tarLayer(id, out);
    return out.toByteArray();
  }

  @Test
  void aLayerNamingAPathTwiceRegistersWithTheLaterEntryAndRebuildsByteForByte() throws IOException {
    String id = id(random);
    byte[] layer =
        TarBuilder.tar()
            .file("a", "one")
            .hardlink("b", "a")
            .file("a", "two")
            .dir("d/")
            .file("d/x", "x")
            .file("d", "file")
            .bytes();
    Node n = register(id, null, layer);
    assertThat(n.diffId()).isEqualTo(Digest.sha256(layer));
    assertThat(layerDir(id).resolve("a")).hasContent("two");
    assertThat(layerDir(id).resolve("b")).hasContent("one");
    assertThat(layerDir(id).resolve("d")).hasContent("file");
    assertThat(tarOf(graph, id)).isEqualTo(layer);
    try (Stream<Path> files = Files.list(node(id))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("json", "layersize", "tar-data.json.gz", "diffid");
    }
    assertThat(tarOf(reopen(), id)).isEqualTo(layer);
  }

  @Test
  void registerWritesTheDocker19LayoutAndTheDiffId() throws IOException {
    String base = id(random);
    byte[] layer = tar("etc/", "", "etc/hostname", "cairn\n");
    Digest blob = Digest.sha256("the blob".getBytes(StandardCharsets.UTF_8));
    byte[] v1 = "{\"id\":\"legacy\"}".getBytes(StandardCharsets.UTF_8);
    Node n =
        graph.register(
            new NodeSpec(base, null, json(base, null), v1, blob, null),
            new ByteArrayInputStream(layer));

    assertEquals(Digest.sha256(layer), n.diffId());
    assertEquals(6, n.size());
    assertEquals(Instant.parse("2015-11-20T10:00:00.123456789Z"), n.created());
    assertArrayEquals(json(base, null), Files.readAllBytes(node(base).resolve("json")));
    assertEquals("6", Files.readString(node(base).resolve("layersize")));
    assertEquals(blob.toString(), Files.readString(node(base).resolve("checksum")));
    assertEquals(Digest.sha256(layer).toString(), Files.readString(node(base).resolve("diffid")));
    assertArrayEquals(v1, Files.readAllBytes(node(base).resolve("v1Compatibility")));
    assertTrue(Files.exists(node(base).resolve("tar-data.json.gz")));
    assertFalse(Files.exists(node(base).resolve("parent")), "the JSON names no other parent");
    assertEquals("cairn\n", Files.readString(layerDir(base).resolve("etc/hostname")));
    try (Stream<Path> staged = Files.list(root.resolve("graph/_tmp"))) {
      assertEquals(0, staged.count());
    }
    assertEquals(n, reopen().get(base));
    assertEquals(List.of(), graph.skipped());
  }

  @Test
  void aBaseWhoseJsonNamesAParentStaysABase() throws IOException {
    String other = id(random);
    register(other, null, tar("a", "1"));
    String base = id(random);
    // docker build configs may carry the builder's parent; the spec says this node has none
    graph.register(
        NodeSpec.of(base, null, json(base, other)), new ByteArrayInputStream(tar("b", "2")));
    assertEquals("", Files.readString(node(base).resolve("parent")));
    assertNull(graph.get(base).parent());
    assertNull(reopen().get(base).parent());
    assertTrue(graph.heads().containsKey(other), "the JSON's parent gained no child");
    assertFalse(graph.hasChildren(other));
  }

  @Test
  void anExpectedDiffIdIsCheckedBeforeTheNodeCommits() throws IOException {
    String base = id(random);
    byte[] layer = tar("etc/hostname", "cairn\n");
    Digest wrong = Digest.sha256(tar("etc/hostname", "other\n"));
    NodeSpec spec = NodeSpec.of(base, null, json(base, null));
    CairnException e =
        assertThrows(
            CairnException.class,
            () -> graph.register(spec.withDiffId(wrong), new ByteArrayInputStream(layer)));
    assertEquals(CairnException.Kind.INVALID, e.kind());
    assertTrue(
        e.getMessage()
            .contains("DiffID is " + Digest.sha256(layer) + ", not the expected " + wrong),
        e.getMessage());
    assertFalse(graph.exists(base));
    assertFalse(Files.exists(node(base)));
    assertFalse(driver.exists(base));
    try (Stream<Path> staged = Files.list(root.resolve("graph/_tmp"))) {
      assertEquals(0, staged.count());
    }
    Node n = graph.register(spec.withDiffId(Digest.sha256(layer)), new ByteArrayInputStream(layer));
    assertEquals(Digest.sha256(layer), n.diffId());
    assertEquals(n, graph.node(base).orElseThrow());
    assertEquals(n, graph.node("sha256:" + base).orElseThrow());
    assertTrue(graph.node(id(random)).isEmpty());
  }

  @Test
  void aParentOtherThanTheJsonsIsStoredInParentFile() throws IOException {
    String base = id(random);
    register(base, null, tar("a", "1"));
    String top = id(random);
    byte[] config = "{\"architecture\":\"amd64\",\"rootfs\":{}}".getBytes(StandardCharsets.UTF_8);
    graph.register(NodeSpec.of(top, base, config), new ByteArrayInputStream(tar("b", "2")));
    assertEquals(base, Files.readString(node(top).resolve("parent")));
    assertEquals(base, reopen().get(top).parent());
    assertArrayEquals(config, graph.rawJSON(top));
  }

  @Test
  void tarLayerRebuildsTheRegisteredTarByteForByteFromACompressedBlob() throws IOException {
    String base = id(random);
    String longName = "d/" + "x".repeat(150) + "/file";
    byte[] layer = tar("d/", "", longName, "long name", "d/é-ü", "non-ASCII", "empty", "");
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
      z.write(layer);
    }
    Node n =
        graph.register(
            NodeSpec.of(base, null, json(base, null)), new ByteArrayInputStream(gz.toByteArray()));
    assertEquals(Digest.sha256(layer), n.diffId());
    assertArrayEquals(layer, tarOf(graph, base));
    try (TempLayer temp = reopen().tempLayerArchive(base.substring(0, 12))) {
      assertEquals(layer.length, temp.size());
      assertArrayEquals(layer, temp.readAllBytes());
    }
    try (Stream<Path> staged = Files.list(root.resolve("graph/_tmp"))) {
      assertEquals(0, staged.count(), "the temporary archive leaves no file behind");
    }
  }

  @Test
  void tarLayerRefusesAFileThatChangedOnDisk() throws IOException {
    String base = id(random);
    register(base, null, tar("f", "original"));
    Files.writeString(layerDir(base).resolve("f"), "tampered");
    CairnException e = assertThrows(CairnException.class, () -> tarOf(graph, base));
    assertTrue(e.getMessage().startsWith("layer of image " + base), e.getMessage());
  }

  @Test
  void getAcceptsUniquePrefixesAndNamesUnknownAndAmbiguousOnes() throws IOException {
    String a = id("abc1", random);
    String b = id("abc2", random);
    register(a, null, tar("a", "1"));
    register(b, null, tar("b", "2"));
    assertEquals(a, graph.get("abc1").id());
    assertEquals(b, graph.get("sha256:abc2").id());
    assertEquals(a, graph.get(a).id());
    CairnException ambiguous = assertThrows(CairnException.class, () -> graph.get("abc"));
    assertEquals("ambiguous ID prefix abc: matches 2 images", ambiguous.getMessage());
    assertEquals(CairnException.Kind.INVALID, ambiguous.kind());
    CairnException unknown = assertThrows(CairnException.class, () -> graph.get("abd"));
    assertEquals("no such image: abd", unknown.getMessage());
    assertEquals(CairnException.Kind.NOT_FOUND, unknown.kind());
    assertEquals(
        CairnException.Kind.NOT_FOUND,
        assertThrows(CairnException.class, () -> graph.get("not-hex")).kind());
    assertTrue(graph.exists(a));
    assertFalse(graph.exists("abc1"), "exists wants the whole ID");
  }

  @Test
  void headsByParentAndHasChildrenFollowTheTree() throws IOException {
    String base = id(random);
    String left = id(random);
    String right = id(random);
    String leaf = id(random);
    register(base, null, tar("a", "1"));
    register(left, base, tar("l", "1"));
    register(right, base, tar("r", "1"));
    register(leaf, left, tar("x", "1"));
    assertEquals(Set.of(right, leaf), graph.heads().keySet());
    Map<String, List<Node>> byParent = graph.byParent();
    assertEquals(Set.of(base, left), byParent.keySet());
    assertEquals(
        Set.of(left, right), byParent.get(base).stream().map(Node::id).collect(Collectors.toSet()));
    assertTrue(graph.hasChildren(base));
    assertFalse(graph.hasChildren(leaf));
    assertEquals(4, graph.map().size());
    assertEquals("1", Files.readString(layerDir(leaf).resolve("a")), "layers stack");
  }

  @Test
  void deleteRemovesTheNodeAndItsLayerButRefusesParentsAndRetainedNodes() throws IOException {
    String base = id(random);
    String top = id(random);
    register(base, null, tar("a", "1"));
    register(top, base, tar("b", "2"));

    CairnException parent = assertThrows(CairnException.class, () -> graph.delete(base));
    assertEquals(CairnException.Kind.CONFLICT, parent.kind());
    try (Graph.Hold held = graph.retain(List.of(top))) {
      assertTrue(graph.isRetained(top));
      CairnException inUse = assertThrows(CairnException.class, () -> graph.delete(top));
      assertEquals(CairnException.Kind.CONFLICT, inUse.kind());
      assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
    }
    assertFalse(graph.isRetained(top));
    graph.delete(top);
    assertFalse(graph.exists(top));
    assertFalse(Files.exists(node(top)));
    assertFalse(driver.exists(top));
    assertFalse(graph.hasChildren(base));
    assertEquals(Set.of(base), graph.heads().keySet());
    assertEquals(Map.of(), graph.byParent());
    graph.delete(base.substring(0, 10));
    assertEquals(Map.of(), graph.heads());
    assertEquals(Map.of(), graph.map());
    assertEquals(Map.of(), reopen().map());
    try (Stream<Path> staged = Files.list(root.resolve("graph/_tmp"))) {
      assertEquals(0, staged.count());
    }
  }

  @Test
  void registerRefusesDuplicatesMissingParentsAndBadTimes() throws IOException {
    String base = id(random);
    register(base, null, tar("a", "1"));
    assertEquals(
        CairnException.Kind.CONFLICT,
        assertThrows(CairnException.class, () -> register(base, null, tar("a", "1"))).kind());
    String orphan = id(random);
    assertEquals(
        CairnException.Kind.NOT_FOUND,
        assertThrows(CairnException.class, () -> register(orphan, id(random), tar("a", "1")))
            .kind());
    byte[] badTime = "{\"created\":\"yesterday\"}".getBytes(StandardCharsets.UTF_8);
    CairnException time =
        assertThrows(
            CairnException.class,
            () ->
                graph.register(
                    NodeSpec.of(orphan, null, badTime), new ByteArrayInputStream(tar("a", "1"))));
    assertTrue(time.getMessage().contains("is not an RFC 3339 time"), time.getMessage());
    assertFalse(driver.exists(orphan));
    assertFalse(Files.exists(node(orphan)));
  }

  @Test
  void aFailedRegisterLeavesNothingBehind() throws IOException {
    String base = id(random);
    byte[] good = tar("a", "1", "b", "2");
    byte[] truncated = java.util.Arrays.copyOf(good, 700); // inside b's header block
    InputStream failing =
        new InputStream() {
          int pos;

          @Override
          public int read() throws IOException {
            if (pos == 600) {
              throw new IOException("connection reset");
            }
            return good[pos++] & 0xff;
          }
        };
    assertThrows(
        IOException.class,
        () -> graph.register(NodeSpec.of(base, null, json(base, null)), failing));
    assertThrows(
        CairnException.class,
        () ->
            graph.register(
                NodeSpec.of(base, null, json(base, null)), new ByteArrayInputStream(truncated)));
    assertFalse(graph.exists(base));
    assertFalse(Files.exists(node(base)));
    assertFalse(driver.exists(base));
    try (Stream<Path> staged = Files.list(root.resolve("graph/_tmp"))) {
      assertEquals(0, staged.count());
    }
    assertEquals(Digest.sha256(good), register(base, null, good).diffId(), "the ID is still free");
  }

  @Test
  void corruptNodesAreReportedAndSkippedWithTheirDescendants() throws IOException {
    String good = id("0", random);
    String badJson = id("1", random);
    String noJson = id("2", random);
    String noLayer = id("3", random);
    String childOfBad = id("4", random);
    register(good, null, tar("a", "1"));
    register(badJson, null, tar("a", "1"));
    register(noJson, null, tar("a", "1"));
    register(noLayer, null, tar("a", "1"));
    register(childOfBad, badJson, tar("b", "1"));
    Files.writeString(node(badJson).resolve("json"), "{\"id\":");
    Files.delete(node(noJson).resolve("json"));
    driver.remove(noLayer);
    Files.createDirectories(root.resolve("graph/not-an-id"));

    reopen();
    assertEquals(Set.of(good), graph.map().keySet());
    Map<String, String> why =
        graph.skipped().stream().collect(Collectors.toMap(SkippedNode::name, SkippedNode::reason));
    assertEquals(Set.of(badJson, noJson, noLayer, childOfBad, "not-an-id"), why.keySet());
    assertTrue(why.get(badJson).startsWith("json: invalid JSON"), why.get(badJson));
    assertEquals("json is missing", why.get(noJson));
    assertEquals("its vfs layer is missing", why.get(noLayer));
    assertEquals("its parent " + badJson + " is corrupt", why.get(childOfBad));
    assertEquals(Digest.sha256(tar("a", "1")), graph.get(good).diffId());

    // Registering over a corrupt leftover replaces it.
    assertEquals(Digest.sha256(tar("c", "3")), register(noLayer, null, tar("c", "3")).diffId());
  }

  @Test
  void openRemovesLeftoversOfInterruptedRegistersAndDeletes() throws IOException {
    String kept = id(random);
    register(kept, null, tar("a", "1"));
    graph.close();
    // A register killed before its commit: staged directory and driver layer.
    String staged = id(random);
    Files.createDirectories(root.resolve("graph/_tmp/" + staged + ".0123456789abcdef"));
    driver.create(staged, null);
    // A delete killed after its rename: the node moved away, its layer still there.
    String deleted = id(random);
    Files.createDirectories(root.resolve("graph/_tmp/" + deleted + ".0123456789abcdef.del"));
    driver.create(deleted, null);
    // An old staging name of a node that has since been committed keeps its layer.
    Files.createDirectories(root.resolve("graph/_tmp/" + kept + ".fedcba9876543210"));

    graph = Graph.open(root, driver);
    assertFalse(driver.exists(staged));
    assertFalse(driver.exists(deleted));
    assertTrue(driver.exists(kept));
    try (Stream<Path> left = Files.list(root.resolve("graph/_tmp"))) {
      assertEquals(0, left.count());
    }
    assertEquals(Set.of(kept), graph.map().keySet());
  }

  @Test
  void aSecondGraphOfTheSameRootLeavesLeftoversAlone() throws IOException {
    String staged = id(random);
    Path stage = root.resolve("graph/_tmp/" + staged + ".0123456789abcdef");
    Files.createDirectories(stage);
    driver.create(staged, null);
    try (Graph second = Graph.open(root, driver)) {
      assertTrue(Files.exists(stage), "the first graph may be staging it");
      assertTrue(driver.exists(staged));
      assertEquals(Map.of(), second.map());
    }
  }

  @Test
  void aDocker18NodeGetsItsSizeDiffIdAndTarSplitWhenFirstNeeded() throws IOException {
    graph.close();
    String old = id(random);
    Path dir = Files.createDirectories(node(old));
    Files.write(dir.resolve("json"), json(old, null));
    driver.create(old, null);
    Files.createDirectories(layerDir(old).resolve("etc"));
    Files.writeString(layerDir(old).resolve("etc/motd"), "hello from 2015\n");
    graph = Graph.open(root, driver);

    Node n = graph.map().get(old);
    assertEquals(-1, n.size());
    assertNull(n.diffId());
    assertNull(n.layerDigest());
    assertEquals(16, graph.get(old).size());
    assertEquals("16", Files.readString(dir.resolve("layersize")));

    byte[] first = tarOf(graph, old);
    Digest diffId = Digest.sha256(first);
    assertEquals(diffId, graph.get(old).diffId());
    assertEquals(diffId.toString(), Files.readString(dir.resolve("diffid")));
    assertTrue(Files.exists(dir.resolve("tar-data.json.gz")), "recorded on the first export");
    assertArrayEquals(first, tarOf(reopen(), old), "later exports rebuild the same bytes");
    assertEquals(diffId, graph.diffId(old));
  }

  @Test
  void aDocker18NodeWithTarSplitButNoDiffIdGetsItFromTheRebuiltTar() throws IOException {
    String id = id(random);
    byte[] layer = tar("a", "1");
    register(id, null, layer);
    graph.close();
    Files.delete(node(id).resolve("diffid"));
    Files.delete(node(id).resolve("layersize"));
    reopen();
    assertNull(graph.map().get(id).diffId());
    assertEquals(Digest.sha256(layer), graph.diffId(id));
    assertEquals(Digest.sha256(layer), reopen().map().get(id).diffId());
  }

  @Test
  void layerDigestCanBeSetLater() throws IOException {
    String id = id(random);
    register(id, null, tar("a", "1"));
    assertNull(graph.get(id).layerDigest());
    Digest d = Digest.sha256("blob".getBytes(StandardCharsets.UTF_8));
    graph.setLayerDigest(id, d);
    reopen();
    assertEquals(d, graph.get(id).layerDigest());
  }

  @Test
  void aV1ChainMadeOfNodeJsonLinksItsIdsFromTheBaseUpAndWritesNothing() throws IOException {
    String base = id(random);
    String top = id(random);
    register(base, null, tar("a", "1"));
    byte[] config =
        ("{\"os\":\"linux\",\"id\":\"sha256:"
                + top
                + "\",\"architecture\":\"amd64\","
                + " \"config\": {\"Cmd\": [\"sh\", \"-c\", \"a<b\"]}}")
            .getBytes(StandardCharsets.UTF_8);
    graph.register(NodeSpec.of(top, base, config), new ByteArrayInputStream(tar("b", "2")));

    List<byte[]> v1s = V1Chain.of(graph, List.of(graph.get(base), graph.get(top)));

    JsonValue.JsonObject baseV1 = Json.parseObject(v1s.get(0), "v1");
    assertThat(baseV1.get("id"))
        .isInstanceOfSatisfying(
            JsonValue.JsonString.class, id -> assertThat(id.value()).isEqualTo(base));
    assertThat(baseV1.get("parent")).isNull();
    assertThat(new String(v1s.get(1), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"architecture\":\"amd64\",\"config\":{\"Cmd\":[\"sh\",\"-c\",\"a\\u003cb\"]},\"id\":\""
                + top
                + "\",\"os\":\"linux\",\"parent\":\""
                + base
                + "\"}");
    assertThat(graph.v1Compatibility(base)).isEmpty();
    assertThat(graph.v1Compatibility(top)).isEmpty();
  }

  @Test
  void aV1ChainKeepsEachNodesStoredV1CompatibilityAndMendsAParentThatIsAnotherImages()
      throws IOException {
    String base = id(random);
    String top = id(random);
    String kept = "{\"id\":\"" + "b".repeat(64) + "\",\"parent\":\"" + "c".repeat(64) + "\"}";
    graph.register(
        new NodeSpec(
            base,
            null,
            json(base, null),
            "{\"id\":\"a\"}".getBytes(StandardCharsets.UTF_8),
            null,
            null),
        new ByteArrayInputStream(tar("a", "1")));
    graph.register(
        new NodeSpec(top, base, json(top, base), kept.getBytes(StandardCharsets.UTF_8), null, null),
        new ByteArrayInputStream(tar("b", "2")));

    List<byte[]> v1s = V1Chain.of(graph, List.of(graph.get(base), graph.get(top)));

    assertThat(v1s)
        .extracting(b -> new String(b, StandardCharsets.UTF_8))
        .containsExactly("{\"id\":\"a\"}", "{\"id\":\"" + "b".repeat(64) + "\",\"parent\":\"a\"}");
  }

  @Test
  void createMakesARandomIdAndDockerStyleJson() throws IOException {
    String base = id(random);
    register(base, null, tar("a", "1"));
    Node n = graph.create(base, "a comment", new ByteArrayInputStream(tar("c", "3")));
    assertEquals(base, n.parent());
    assertTrue(Graph.isId(n.id()));
    String json = new String(graph.rawJSON(n.id()), StandardCharsets.UTF_8);
    assertTrue(
        json.startsWith(
            "{\"id\":\"" + n.id() + "\",\"parent\":\"" + base + "\",\"comment\":\"a comment\""),
        json);
    assertTrue(json.contains("\"container_config\":{\"Hostname\":\"\""), json);
    assertFalse(Files.exists(node(n.id()).resolve("parent")));
  }

  @Test
  void refreshSeesWhatAnotherGraphOfTheRootCommitted() throws IOException {
    String base = id(random);
    register(base, null, tar("a", "1"));
    graph.map(); // every node known: from here this graph answers from memory
    try (Graph other = Graph.open(root, driver)) {
      String child = id(random);
      other.register(
          NodeSpec.of(child, base, json(child, base)), new ByteArrayInputStream(tar("b", "2")));
      assertFalse(graph.exists(child));
      // A delete looks first: the child counts though this graph has not seen it yet.
      assertEquals(
          CairnException.Kind.CONFLICT,
          assertThrows(CairnException.class, () -> graph.delete(base)).kind());
      assertTrue(graph.exists(child));
      other.delete(child);
      graph.refresh();
      assertFalse(graph.exists(child));
      graph.delete(base);
      other.refresh();
      assertEquals(Map.of(), other.map());
    }
  }
}
