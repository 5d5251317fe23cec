package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.NodeSpec;
import dev.cairn.image.Reference;
import dev.cairn.testing.TarBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The views of an image as Docker 1.9 kept it (v1 JSON nodes chained by parent, as a schema1 pull,
 * a Docker 1.9 graph or import make): each node is an image, so its parent and its chain show, as
 * Docker 1.9 showed them. Images of docker 1.10 and later are held against docker in the command
 * line's tests.
 */
class ImageViewsTest {
  @TempDir Path root;
  Store store;

  @BeforeEach
  void open() throws IOException {
    store = Store.open(root, StoreOptions.defaults().withDriver("vfs"));
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  @Test
  void aV1ChainShowsItsParentAndEveryImageOfItInHistory() throws IOException {
    Graph g = store.graph();
    Node base = g.create(null, "base", TarBuilder.tar().file("a", "base\n").stream());
    Node middle = g.create(base.id(), "middle", TarBuilder.tar().symlink("l", "a").stream());
    Node top = g.create(middle.id(), "top", TarBuilder.tar().file("c", "c").stream());
    store.tags().tag(Reference.parse("app:1"), top.id(), false);
    store.tags().tag(Reference.parse("base:1"), base.id(), false);

    ImageInspect inspect = store.inspect("app:1");
    assertThat(inspect.parent()).isEqualTo(Digest.sha256Hex(middle.id()));
    assertThat(inspect.size()).isEqualTo(5 + 1 + 1);
    assertThat(inspect.config()).isNull();

    List<HistoryEntry> history = store.history("app:1");
    assertThat(history)
        .extracting(HistoryEntry::id)
        .containsExactly(
            Digest.sha256Hex(top.id()), Digest.sha256Hex(middle.id()), Digest.sha256Hex(base.id()));
    assertThat(history)
        .extracting(HistoryEntry::tags)
        .containsExactly(
            List.of(Reference.parse("app:1")), List.of(), List.of(Reference.parse("base:1")));
    assertThat(history).extracting(HistoryEntry::comment).containsExactly("top", "middle", "base");
    assertThat(history).extracting(HistoryEntry::size).containsExactly(1L, 1L, 5L);
  }

  @Test
  void aListingReadsEachNodeOfAV1ChainOnceHoweverManyImagesSitAboveIt() throws IOException {
    Graph g = store.graph();
    String parent = null;
    for (int i = 0; i < 5; i++) {
      parent = g.create(parent, "step " + i, TarBuilder.tar().file("f" + i, "x").stream()).id();
    }
    ImageViews views = new ImageViews(store, g, store.tags());
    assertThat(store.imageSummaries(true, true, views))
        .extracting(ImageSummary::size)
        .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
    // per node at most its v1Compatibility and its json; 15 chain places, 5 nodes
    assertThat(views.nodeFileReads).isBetween(5, 2 * 5);
  }

  @Test
  void aListingReadsNothingOfEmptyLayersAndWithoutLabelsNoJsonAtAll() throws IOException {
    Graph g = store.graph();
    String parent = null;
    for (int i = 0; i < 5; i++) {
      parent = g.create(parent, "step " + i, TarBuilder.tar().stream()).id();
    }
    ImageViews views = new ImageViews(store, g, store.tags());
    assertThat(store.imageSummaries(true, true, views)).hasSize(5).allMatch(s -> s.size() == 0);
    assertThat(views.nodeFileReads).isZero();

    // Without labels the table needs no image's JSON at all.
    for (Node n : g.map().values()) {
      java.nio.file.Files.delete(root.resolve("graph").resolve(n.id()).resolve("json"));
    }
    assertThat(store.imageSummaries(true, false))
        .extracting(ImageSummary::id)
        .hasSize(5)
        .contains(Digest.sha256Hex(parent));
  }

  @Test
  void summariesNameEachImageOnceWithItsReferencesInDockersOrder() throws IOException {
    Node n = store.graph().create(null, null, TarBuilder.tar().file("a", "a").stream());
    store.tags().tag(Reference.parse("b:1"), n.id(), false);
    store.tags().tag(Reference.parse("a:2"), n.id(), false);
    store.tags().tag(Reference.parse("localhost:5000/a:1"), n.id(), false);
    assertThat(store.imageSummaries(false))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.id()).isEqualTo(Digest.sha256Hex(n.id()));
              assertThat(s.parent()).isNull();
              // by full name, as docker sorts: docker.io/library/… before localhost:5000/…
              assertThat(s.repoTags())
                  .extracting(Reference::familiar)
                  .containsExactly("a:2", "b:1", "localhost:5000/a:1");
              assertThat(s.size()).isEqualTo(1);
            });
  }

  @Test
  void aThrowawayV1ImageHasNoLayerInInspectHistoryOrImagesEvenWhenItsBlobHasFiles()
      throws IOException {
    Graph g = store.graph();
    String base = "b".repeat(64);
    String skipped = "5".repeat(64);
    String top = "7".repeat(64);
    register(g, base, null, "{\"id\":\"%s\",\"created\":\"2024-01-01T00:00:00Z\"}", "a", "1");
    // docker never downloads a throwaway image's blob, whatever it holds
    register(
        g,
        skipped,
        base,
        "{\"id\":\"%s\",\"parent\":\"%s\",\"created\":\"2024-01-01T00:00:00Z\","
            + "\"container_config\":{\"Cmd\":[\"ENV X=1\"]},\"throwaway\":true}",
        "junk",
        "12345");
    register(
        g,
        top,
        skipped,
        "{\"id\":\"%s\",\"parent\":\"%s\",\"created\":\"2024-01-01T00:00:00Z\"}",
        "c",
        "12");
    store.tags().tag(Reference.parse("app:1"), top, false);

    ImageInspect inspect = store.inspect("app:1");
    assertThat(inspect.layers())
        .containsExactly(g.diffId(base), g.diffId(top))
        .doesNotContain(g.diffId(skipped));
    assertThat(inspect.size()).isEqualTo(1 + 2);
    assertThat(store.history("app:1")).extracting(HistoryEntry::size).containsExactly(2L, 0L, 1L);
    assertThat(store.imageSummaries(false))
        .singleElement()
        .satisfies(s -> assertThat(s.size()).isEqualTo(1 + 2));
  }

  /** A node whose v1Compatibility is {@code v1} (a format of its ID and parent). */
  private static void register(
      Graph g, String id, String parent, String v1, String file, String content)
      throws IOException {
    byte[] json = v1.formatted(id, parent).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    g.register(
        new NodeSpec(id, parent, json, json, null, null),
        TarBuilder.tar().file(file, content).stream());
  }
}
