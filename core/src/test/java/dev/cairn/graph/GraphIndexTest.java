package dev.cairn.graph;

import static dev.cairn.graph.Fixtures.id;
import static dev.cairn.graph.Fixtures.json;
import static dev.cairn.graph.Fixtures.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.cairn.driver.Driver;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.testing.Seeds;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The graph index ({@code graph/.index}): derived from {@code graph/}, used when current, brought
 * in line when missing, stale or corrupt, and never the cause of an error.
 */
class GraphIndexTest {
  @TempDir Path root;
  private final Random random = Seeds.random(GraphIndexTest.class);
  private Driver driver;
  private Graph graph;
  private final List<String> chain = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    driver = Drivers.open(root, "vfs", DriverOptions.defaults());
    graph = Graph.open(root, driver);
    String parent = null;
    for (int i = 0; i < 3; i++) {
      String id = id(random);
      graph.register(
          NodeSpec.of(id, parent, json(id, parent)),
          new ByteArrayInputStream(tar("f" + i, "x".repeat(i))));
      chain.add(id);
      parent = id;
    }
    graph.map(); // the index is written
  }

  @AfterEach
  void tearDown() throws IOException {
    graph.close();
  }

  private Path index() {
    return root.resolve("graph/.index");
  }

  private Graph reopen() throws IOException {
    graph.close();
    graph = Graph.open(root, driver);
    return graph;
  }

  /** A node as Docker 1.9 (or a cairn without the index) leaves it: directories written by hand. */
  private String handWritten(String parent) throws IOException {
    String id = id(random);
    Path dir = Files.createDirectories(root.resolve("graph").resolve(id));
    Files.write(dir.resolve("json"), json(id, parent));
    Files.writeString(dir.resolve("layersize"), "0");
    Files.createDirectories(root.resolve("vfs/dir").resolve(id));
    return id;
  }

  @Test
  void aGraphListsFromTheIndexAndTheIndexMatchesItsDirectories() throws IOException {
    assertThat(index()).exists();
    assertThat(IndexChecks.claimsFresh(root)).isTrue();
    assertThat(IndexChecks.differences(root)).isEmpty();
    assertThat(reopen().map().keySet()).containsExactlyInAnyOrderElementsOf(chain);
    assertThat(graph.heads()).containsOnlyKeys(chain.getLast());
  }

  @Test
  void theTableReadFromTheIndexHoldsWhatTheGraphHoldsAfterRecordsWereAppended() throws IOException {
    String labelled = id(random);
    byte[] json =
        ("{\"id\":\"%s\",\"parent\":\"%s\",\"created\":\"2016-01-02T03:04:05.5Z\","
                + "\"config\":{\"Labels\":{\"b\":\"2\",\"a\":\"1\"}}}")
            .formatted(labelled, chain.getLast())
            .getBytes(StandardCharsets.UTF_8);
    graph.register(
        NodeSpec.of(labelled, chain.getLast(), json).asUnfinished(),
        new ByteArrayInputStream(tar("l", "z")));
    String gone = id(random);
    graph.register(
        NodeSpec.of(gone, labelled, json(gone, labelled)), new ByteArrayInputStream(tar("g", "")));
    graph.delete(gone);
    graph.finish(labelled);
    assertThat(IndexChecks.differences(root)).isEmpty(); // the table included
    NodeTable t = reopen().table();
    assertThat(t.nodes()).isEqualTo(4);
    assertThat(t.find(gone))
        .satisfiesAnyOf(i -> assertThat(i).isNegative(), i -> assertThat(t.exists(i)).isFalse());
    for (String id : graph.map().keySet()) {
      IndexFile.Entry e =
          new IndexFile.Entry(graph.get(id), graph.isUnfinished(id), graph.facts(id).orElse(null));
      assertThat(IndexChecks.difference(t, e)).as(id).isNull();
    }
    assertThat(t.labels(t.find(labelled))).containsExactly(entry("b", "2"), entry("a", "1"));
    assertThat(t.parent(t.find(chain.getFirst()))).isEqualTo(NodeTable.NONE);
  }

  @Test
  void aTableAskedOfAnIndexBehindItsDirectoriesComesFromTheGraphBroughtInLine() throws IOException {
    graph.close();
    String added = handWritten(chain.getLast());
    graph = Graph.open(root, driver);
    NodeTable t = graph.table();
    assertThat(t.nodes()).isEqualTo(4);
    assertThat(t.id(t.parent(t.find(added)))).isEqualTo(chain.getLast());
    assertThat(IndexChecks.claimsFresh(root)).isTrue();
  }

  @Test
  void aCommitAndADeleteAreAppendedToACurrentIndex() throws IOException {
    long before = Files.size(index());
    String id = id(random);
    graph.register(
        NodeSpec.of(id, chain.getLast(), json(id, chain.getLast())).asUnfinished(),
        new ByteArrayInputStream(tar("g", "y")));
    graph.finish(id);
    graph.delete(id);
    assertThat(Files.size(index())).isGreaterThan(before);
    assertThat(IndexChecks.claimsFresh(root)).isTrue();
    assertThat(IndexChecks.differences(root)).isEmpty();
  }

  @Test
  void aGraphWithoutAnIndexIsReadFromItsDirectoriesAndGetsOne() throws IOException {
    graph.close();
    Files.delete(index());
    graph = Graph.open(root, driver);
    assertThat(graph.map().keySet()).containsExactlyInAnyOrderElementsOf(chain);
    assertThat(graph.skipped()).isEmpty();
    assertThat(IndexChecks.claimsFresh(root)).isTrue();
    assertThat(IndexChecks.differences(root)).isEmpty();
  }

  @Test
  void aNodeAnOlderStoreAddedWithoutTheIndexIsFoundByTheNextListing() throws IOException {
    graph.close();
    String added = handWritten(chain.getLast());
    graph = Graph.open(root, driver);
    assertThat(graph.heads()).containsOnlyKeys(added);
    assertThat(graph.get(added).parent()).isEqualTo(chain.getLast());
    assertThat(IndexChecks.claimsFresh(root)).isTrue();
    assertThat(IndexChecks.differences(root)).isEmpty();
  }

  @Test
  void aNodeAnOlderStoreRemovedBehindTheIndexIsDroppedWithWhatStoodOnIt() throws IOException {
    graph.close();
    String middle = chain.get(1);
    NodeFiles.deleteTree(root.resolve("graph").resolve(middle));
    NodeFiles.deleteTree(root.resolve("vfs/dir").resolve(middle));
    graph = Graph.open(root, driver);
    assertThat(graph.map()).containsOnlyKeys(chain.getFirst());
    assertThat(graph.skipped())
        .extracting(SkippedNode::name, SkippedNode::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                chain.getLast(), "its parent " + middle + " does not exist"));
    assertThat(IndexChecks.claimsFresh(root)).isTrue();
  }

  @Test
  void aNodeDirectoryNamedByHandIsOneMoreMatchForItsPrefixOnceTheIndexIsBehind()
      throws IOException {
    graph.close();
    String twin = chain.getFirst().substring(0, 12) + id(random).substring(12);
    Path dir = Files.createDirectories(root.resolve("graph").resolve(twin));
    Files.write(dir.resolve("json"), json(twin, null));
    Files.createDirectories(root.resolve("vfs/dir").resolve(twin));
    graph = Graph.open(root, driver);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> graph.get(chain.getFirst().substring(0, 12)))
        .hasMessageContaining("ambiguous ID prefix");
  }

  static Stream<Arguments> corruptions() {
    return Stream.of(
        Arguments.of("truncated in a record", (UnaryOperator<byte[]>) b -> slice(b, b.length - 7)),
        Arguments.of("truncated in its header", (UnaryOperator<byte[]>) b -> slice(b, 20)),
        Arguments.of("empty", (UnaryOperator<byte[]>) b -> new byte[0]),
        Arguments.of(
            "garbage",
            (UnaryOperator<byte[]>)
                b ->
                    "not an index at all, but long enough to have a header of 48 bytes"
                        .getBytes(StandardCharsets.US_ASCII)),
        Arguments.of("a flipped byte in a record", (UnaryOperator<byte[]>) b -> flip(b, 60)),
        Arguments.of("a flipped byte in the header", (UnaryOperator<byte[]>) b -> flip(b, 20)),
        Arguments.of(
            "a future version",
            (UnaryOperator<byte[]>) b -> ByteBuffer.wrap(b.clone()).putInt(8, 99).array()));
  }

  private static byte[] slice(byte[] b, int length) {
    return java.util.Arrays.copyOf(b, length);
  }

  private static byte[] flip(byte[] b, int at) {
    byte[] c = b.clone();
    c[at] ^= 0x40;
    return c;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void anUnreadableIndexIsRebuiltFromTheDirectoriesWithoutAnError(
      String what, UnaryOperator<byte[]> damage) throws IOException {
    graph.close();
    Files.write(index(), damage.apply(Files.readAllBytes(index())));
    graph = Graph.open(root, driver);
    assertThat(graph.map().keySet()).containsExactlyInAnyOrderElementsOf(chain);
    assertThat(graph.skipped()).isEmpty();
    assertThat(IndexChecks.claimsFresh(root)).isTrue();
    assertThat(IndexChecks.differences(root)).isEmpty();
  }

  @Test
  void anIdPrefixIsAnsweredFromTheSortedIdsAndTheRecordsAppendedSince() throws IOException {
    reopen();
    assertThat(graph.idsWithPrefix(chain.get(1).substring(0, 12))).hasValue(List.of(chain.get(1)));
    assertThat(graph.idsWithPrefix("").orElseThrow()).containsExactlyInAnyOrderElementsOf(chain);

    String added = id(random);
    graph.register(
        NodeSpec.of(added, chain.getLast(), json(added, chain.getLast())),
        new ByteArrayInputStream(tar("g", "y")));
    reopen();
    assertThat(graph.idsWithPrefix(added.substring(0, 5))).hasValue(List.of(added));
    graph.delete(added);
    reopen();
    assertThat(graph.idsWithPrefix(added.substring(0, 5))).hasValue(List.of());
    assertThat(graph.idsWithPrefix("").orElseThrow()).containsExactlyInAnyOrderElementsOf(chain);
  }

  @Test
  void anIndexBehindItsDirectoriesLeavesAPrefixToTheWholeGraph() throws IOException {
    graph.close();
    String added = handWritten(chain.getLast());
    graph = Graph.open(root, driver);
    assertThat(graph.idsWithPrefix(added.substring(0, 12))).isEmpty();
    assertThat(graph.map()).containsKey(added); // the listing brings the index in line
    assertThat(reopen().idsWithPrefix(added.substring(0, 12))).hasValue(List.of(added));
  }

  @Test
  void aNodeAskedForByItsIdReadsItsChainAndNoOtherNode() throws IOException {
    graph.close();
    String other = handWritten(null);
    Files.writeString(root.resolve("graph").resolve(other).resolve("json"), "{\"id\":");
    graph = Graph.open(root, driver);
    assertThat(graph.get(chain.getLast()).parent()).isEqualTo(chain.get(1));
    assertThat(graph.skipped()).isEmpty(); // the broken node was not read
    assertThat(graph.heads()).containsOnlyKeys(chain.getLast());
    assertThat(graph.skipped()).extracting(SkippedNode::name).containsExactly(other);
  }

  @Test
  void aNodeWhoseChainIsBrokenIsReportedWhenAskedForAndNotFound() throws IOException {
    graph.close();
    Files.writeString(root.resolve("graph").resolve(chain.get(1)).resolve("json"), "[]");
    graph = Graph.open(root, driver);
    assertThat(graph.exists(chain.getLast())).isFalse();
    assertThat(graph.skipped())
        .extracting(SkippedNode::name)
        .containsExactlyInAnyOrder(chain.get(1), chain.getLast());
    assertThat(graph.exists(chain.getFirst())).isTrue();
  }

  @Test
  void twoProcessesAddingAndRemovingImagesAtOnceLeaveAnIndexThatMatchesTheGraph() throws Exception {
    graph.close();
    List<Process> children = new ArrayList<>();
    for (long seed : new long[] {random.nextLong(), random.nextLong()}) {
      children.add(
          new ProcessBuilder(
                  GraphChild.command("rounds", root.toString(), Long.toString(seed), "40"))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start());
    }
    for (Process p : children) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
    }
    // Both kept the index current as they went: it matches before anyone brings it in line.
    assertThat(IndexChecks.claimsFresh(root)).isTrue();
    assertThat(IndexChecks.differences(root)).isEmpty();
    graph = Graph.open(root, driver);
    assertThat(graph.map().keySet())
        .containsExactlyInAnyOrderElementsOf(IndexFile.read(index()).entries().keySet());
  }
}
