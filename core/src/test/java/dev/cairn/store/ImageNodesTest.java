package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.NodeSpec;
import dev.cairn.image.ChainId;
import dev.cairn.image.Reference;
import dev.cairn.tar.TarEntry;
import dev.cairn.testing.ChainImage;
import dev.cairn.testing.DockerSave;
import dev.cairn.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which nodes are images, as docker tells images from layers: the nodes below an image config are
 * its layers and no listing, ID or command names them; every node of a Docker 1.9-style chain is an
 * image; a node marked unfinished is none.
 */
class ImageNodesTest {
  @TempDir Path root;
  Store store;

  @BeforeEach
  void open() throws IOException {
    store = Store.open(root, StoreOptions.defaults().withDriver("vfs"));
  }

  @AfterEach
  void close() throws IOException {
    // The listing applies the rule over node numbers, ImageNodes over the graph's map: they agree.
    for (boolean all : new boolean[] {true, false}) {
      assertThat(store.images(all))
          .extracting(i -> i.top().id())
          .containsExactlyInAnyOrderElementsOf(
              ImageNodes.of(StoreFixtures.graph(store), store.tags()).listed(all));
    }
    store.close();
  }

  private static final List<byte[]> LAYERS =
      List.of(
          TarBuilder.tar().file("a", "a\n").bytes(),
          TarBuilder.tar().file("b", "b\n").bytes(),
          TarBuilder.tar().file("c", "c\n").bytes());
  private static final byte[] CONFIG = ChainImage.config(LAYERS, null);

  /** Loads a docker ≥ 1.10 archive of a three-layer image: two ChainID nodes and its config. */
  private List<String> loadConfigImage() throws IOException {
    byte[] archive =
        DockerSave.of(List.of(new DockerSave.Image(CONFIG, LAYERS, List.of("app:1")))).bytes();
    store.load(new ByteArrayInputStream(archive));
    List<Digest> diffIds = LAYERS.stream().map(Digest::sha256).toList();
    List<Digest> chain = ChainId.of(diffIds);
    return List.of(chain.get(0).hex(), chain.get(1).hex(), Digest.sha256(CONFIG).hex());
  }

  private static ByteArrayInputStream layer(String file) {
    return TarBuilder.tar().file(file, file).stream();
  }

  private static byte[] v1Json(String id, String parent) {
    return ("{\"id\":\"%s\"%s,\"container_config\":{}}")
        .formatted(id, parent == null ? "" : ",\"parent\":\"" + parent + "\"")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] config(String... diffIdsOf) {
    StringBuilder ids = new StringBuilder();
    for (String file : diffIdsOf) {
      ids.append(ids.isEmpty() ? "" : ",").append('"');
      ids.append(Digest.sha256(TarBuilder.tar().file(file, file).bytes())).append('"');
    }
    return ("{\"architecture\":\"amd64\",\"os\":\"linux\","
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
            + ids
            + "]}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private Map<String, Node> nodes() {
    return StoreFixtures.graph(store).map();
  }

  @Test
  void theLayersBelowAnImageConfigAreNoImagesInAnyListing() throws IOException {
    List<String> ids = loadConfigImage();
    assertThat(nodes()).hasSize(3);
    assertThat(store.images(true)).extracting(i -> i.top().id()).containsExactly(ids.get(2));
    assertThat(store.images(false)).extracting(i -> i.top().id()).containsExactly(ids.get(2));
    assertThat(store.imageSummaries(true)).hasSize(1);
  }

  @Test
  void theIdOfALayerNamesNoImage() throws IOException {
    List<String> ids = loadConfigImage();
    String layer = ids.get(1);
    List<Command> commands =
        List.of(
            store::inspect,
            store::history,
            n -> store.remove(n, true),
            n -> store.tag(n, Reference.parse("other:1")),
            store::mount,
            n -> store.save(List.of(n), new ByteArrayOutputStream()));
    for (String name : List.of(layer, "sha256:" + layer, layer.substring(0, 12))) {
      for (Command command : commands) {
        assertThatThrownBy(() -> command.run(name))
            .isInstanceOfSatisfying(
                CairnException.class,
                e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND))
            .hasMessage("no such image: \"" + name + "\"");
      }
    }
    assertThat(nodes()).hasSize(3);
    assertThat(store.images(true))
        .extracting(Image::references)
        .containsExactly(List.of(Reference.parse("app:1")));
  }

  /** A command given an image's name. */
  private interface Command {
    void run(String name) throws IOException;
  }

  @Test
  void aPrefixThatALayerSharesNamesTheOneImage() throws IOException {
    Graph g = StoreFixtures.graph(store);
    String base = "ab" + "1".repeat(62);
    String top = "ab" + "2".repeat(62);
    g.register(NodeSpec.of(base, null, v1Json(base, null)).asUnfinished(), layer("x"));
    g.register(NodeSpec.of(top, base, config("x", "y")).asUnfinished(), layer("y"));
    g.finish(top);
    assertThat(store.image("ab").top().id()).isEqualTo(top);
    assertThat(store.image("sha256:ab").top().id()).isEqualTo(top);
  }

  @Test
  void finishingAConfigImageLeavesItsLayersUnfinished() throws IOException {
    Graph g = StoreFixtures.graph(store);
    String base = "1".repeat(64);
    String top = "2".repeat(64);
    g.register(NodeSpec.of(base, null, v1Json(base, null)).asUnfinished(), layer("x"));
    g.register(NodeSpec.of(top, base, config("x", "y")).asUnfinished(), layer("y"));
    g.finish(top);
    assertThat(g.isUnfinished(top)).isFalse();
    assertThat(g.isUnfinished(base)).isTrue();
    assertThat(store.images(true)).extracting(i -> i.top().id()).containsExactly(top);
  }

  @Test
  void finishingADocker19ChainMakesEveryNodeOfItAnImage() throws IOException {
    Graph g = StoreFixtures.graph(store);
    String base = "1".repeat(64);
    String middle = "2".repeat(64);
    String top = "3".repeat(64);
    g.register(NodeSpec.of(base, null, v1Json(base, null)).asUnfinished(), layer("x"));
    g.register(NodeSpec.of(middle, base, v1Json(middle, base)).asUnfinished(), layer("y"));
    g.register(NodeSpec.of(top, middle, v1Json(top, middle)).asUnfinished(), layer("z"));
    assertThat(store.images(true)).isEmpty();
    assertThatThrownBy(() -> store.image(middle)).hasMessageContaining("no such image");
    g.finish(top);
    assertThat(store.images(true))
        .extracting(i -> i.top().id())
        .containsExactlyInAnyOrder(base, middle, top);
    assertThat(store.image(middle.substring(0, 12)).top().id()).isEqualTo(middle);
    assertThat(store.images(false)).extracting(i -> i.top().id()).containsExactly(top);
  }

  @Test
  void everyNodeOfALoadedDocker19ArchiveIsAnImage() throws IOException {
    String base = "1".repeat(64);
    String top = "2".repeat(64);
    byte[] archive =
        TarBuilder.tar()
            .file(base + "/VERSION", "1.0")
            .file(base + "/json", new String(v1Json(base, null), StandardCharsets.UTF_8))
            .add(TarEntry.regular(base + "/layer.tar", tar("x").length), tar("x"))
            .file(top + "/VERSION", "1.0")
            .file(top + "/json", new String(v1Json(top, base), StandardCharsets.UTF_8))
            .add(TarEntry.regular(top + "/layer.tar", tar("y").length), tar("y"))
            .file("repositories", "{\"old\":{\"1.9\":\"" + top + "\"}}")
            .bytes();
    store.load(new ByteArrayInputStream(archive));
    assertThat(store.images(true))
        .extracting(i -> i.top().id())
        .containsExactlyInAnyOrder(base, top);
    assertThat(store.inspect(base).id()).isEqualTo(Digest.sha256Hex(base));
  }

  private static byte[] tar(String file) {
    return TarBuilder.tar().file(file, file).bytes();
  }

  @Test
  void aNodeANamePointsAtListsAsAnImage() throws IOException {
    Graph g = StoreFixtures.graph(store);
    String base = "1".repeat(64);
    String top = "2".repeat(64);
    g.register(NodeSpec.of(base, null, v1Json(base, null)), layer("x"));
    g.register(NodeSpec.of(top, base, config("x", "y")), layer("y"));
    store.tags().tag(Reference.parse("layer:1"), base, false); // as an older cairn could
    assertThat(store.images(true))
        .extracting(i -> i.top().id())
        .containsExactlyInAnyOrder(base, top);
    assertThat(store.images(false))
        .extracting(i -> i.top().id())
        .containsExactlyInAnyOrder(base, top);
  }
}
