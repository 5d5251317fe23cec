package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.NodeSpec;
import dev.cairn.image.Reference;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarWriter;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Tools;
import dev.cairn.testing.Trees;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade's name resolution and docker rmi rules. */
class StoreTest {
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

  private static ByteArrayInputStream layer(String file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      byte[] data = file.getBytes(StandardCharsets.UTF_8);
      w.add(TarEntry.regular(file, data.length), new ByteArrayInputStream(data));
    }
    return new ByteArrayInputStream(out.toByteArray());
  }

  /** base <- middle <- top, as a three-node chain. */
  private List<Node> chain() throws IOException {
    Graph g = store.graph();
    Node base = g.create(null, "base", layer("a"));
    Node middle = g.create(base.id(), "middle", layer("b"));
    Node top = g.create(middle.id(), "top", layer("c"));
    return List.of(base, middle, top);
  }

  @Test
  void aListingByIdsAndNamesNeedsNoImagesJsonAndKeepsTheOrderOfTheFullListing() throws IOException {
    List<Node> c = chain();
    store.tags().tag(Reference.parse("app:1"), c.get(2).id(), false);
    store.tags().tag(Reference.parse("base:1"), c.get(0).id(), false);
    List<Digest> full = store.images(true).stream().map(Image::id).toList();
    assertThat(store.listedImages(true)).extracting(ListedImage::id).isEqualTo(full);
    assertThat(store.listedImages(false))
        .extracting(ListedImage::references)
        .containsExactlyInAnyOrder(
            List.of(Reference.parse("app:1")), List.of(Reference.parse("base:1")));

    // The JSON goes from under the open store: the IDs do not need it.
    Files.delete(root.resolve("graph").resolve(c.get(1).id()).resolve("json"));
    assertThat(store.listedImages(true)).extracting(ListedImage::id).isEqualTo(full);
  }

  @Test
  void namesResolveByTagByIdPrefixAndBySha256Prefix() throws IOException {
    List<Node> c = chain();
    String top = c.get(2).id();
    store.tags().tag(Reference.parse("app:1"), top, false);
    assertThat(store.image("app:1").top().id()).isEqualTo(top);
    assertThat(store.image("docker.io/library/app:1").top().id()).isEqualTo(top);
    assertThat(store.image(top.substring(0, 10)).top().id()).isEqualTo(top);
    assertThat(store.image("sha256:" + top).top().id()).isEqualTo(top);
    assertThat(store.image("app:1").chain())
        .extracting(Node::id)
        .containsExactly(c.get(0).id(), c.get(1).id(), top);
    assertThatThrownBy(() -> store.image("app:2"))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
  }

  @Test
  void removingATopImageDeletesTheUnusedChainBeneathIt() throws IOException {
    List<Node> c = chain();
    store.tags().tag(Reference.parse("app:1"), c.get(2).id(), false);
    List<Store.Removal> done = store.remove("app:1", false);
    assertThat(done)
        .extracting(Store.Removal::toString)
        .containsExactly(
            "Untagged: app:1",
            "Deleted: sha256:" + c.get(2).id(),
            "Deleted: sha256:" + c.get(1).id(),
            "Deleted: sha256:" + c.get(0).id());
    assertThat(store.graph().map()).isEmpty();
  }

  @Test
  void removingWithNoPruneDeletesOnlyTheTopAndKeepsTheParentImages() throws IOException {
    List<Node> c = chain();
    store.tags().tag(Reference.parse("app:1"), c.get(2).id(), false);
    assertThat(store.remove("app:1", false, true))
        .extracting(Store.Removal::toString)
        .containsExactly("Untagged: app:1", "Deleted: sha256:" + c.get(2).id());
    assertThat(store.graph().map().keySet()).containsOnly(c.get(0).id(), c.get(1).id());
  }

  @Test
  void deletionStopsAtANodeThatIsTaggedOrHasOtherChildren() throws IOException {
    List<Node> c = chain();
    store.tags().tag(Reference.parse("app:1"), c.get(2).id(), false);
    store.tags().tag(Reference.parse("base:1"), c.get(0).id(), false);
    store.remove("app:1", false);
    assertThat(store.graph().map().keySet()).containsExactly(c.get(0).id());
  }

  @Test
  void anImageWithChildrenIsNeverDeleted() throws IOException {
    List<Node> c = chain();
    assertThatThrownBy(() -> store.remove(c.get(1).id(), true))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.CONFLICT))
        .hasMessageContaining("dependent child images");
    assertThat(store.graph().map()).hasSize(3);
  }

  @Test
  void removingTheNameOfAnImageWithChildrenUntagsItAndKeepsTheImage() throws IOException {
    List<Node> c = chain();
    store.tags().tag(Reference.parse("mid:1"), c.get(1).id(), false);
    assertThat(store.remove("mid:1", false))
        .extracting(Store.Removal::toString)
        .containsExactly("Untagged: mid:1");
    assertThat(store.graph().map()).hasSize(3);
  }

  @Test
  void anImageHeldByAPullIsNotDeleted() throws IOException {
    List<Node> c = chain();
    try (Graph.Hold h = store.graph().retain(List.of(c.get(2).id()))) {
      assertThatThrownBy(() -> store.remove(c.get(2).id(), true))
          .hasMessageContaining("running pull");
    }
    assertThat(store.remove(c.get(2).id(), false)).hasSize(3);
  }

  @Test
  void aLayerWithNamesThatAreNotUtf8ExportsByteForByte() throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9};
    try (TarWriter w = new TarWriter(tar)) {
      w.add(TarEntry.directory("d/").withName(new byte[] {'d', (byte) 0xff, '/'}));
      w.add(
          TarEntry.regular("x", 2).withName(latin1),
          new ByteArrayInputStream(new byte[] {'h', 'i'}));
    }
    Node n = store.graph().create(null, "latin-1", new ByteArrayInputStream(tar.toByteArray()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.exportLayer(n.id(), out);
    assertThat(out.toByteArray()).isEqualTo(tar.toByteArray());
  }

  @Test
  void imagesListsTaggedAndDanglingImagesAndAllListsEveryImageOfAChain() throws IOException {
    List<Node> c = chain();
    assertThat(store.images(false)).extracting(i -> i.top().id()).containsExactly(c.get(2).id());
    assertThat(store.images(true)).hasSize(3);
  }

  @Test
  void anArchiveWhoseSecondLayerHardLinksAFileOfTheFirstLoadsOnOverlay() throws IOException {
    byte[] base = TarBuilder.tar().dir("bin/").file("bin/tool", "tool\n").bytes();
    byte[] top = TarBuilder.tar().dir("bin/").hardlink("bin/tool2", "bin/tool").bytes();
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\"]},"
                + "\"history\":[{\"created_by\":\"a\"},{\"created_by\":\"b\"}]}")
            .formatted(Digest.sha256(base), Digest.sha256(top))
            .getBytes(StandardCharsets.UTF_8);
    String cfg = Digest.sha256(config).hex();
    String one = Digest.sha256(base).hex();
    String two = Digest.sha256(top).hex();
    byte[] manifest =
        ("[{\"Config\":\"%s.json\",\"RepoTags\":[\"linked:1\"],"
                + "\"Layers\":[\"%s/layer.tar\",\"%s/layer.tar\"]}]")
            .formatted(cfg, one, two)
            .getBytes(StandardCharsets.UTF_8);
    byte[] archive =
        TarBuilder.tar()
            .add(TarEntry.regular(cfg + ".json", config.length), config)
            .dir(one + "/")
            .add(TarEntry.regular(one + "/layer.tar", base.length), base)
            .dir(two + "/")
            .add(TarEntry.regular(two + "/layer.tar", top.length), top)
            .add(TarEntry.regular("manifest.json", manifest.length), manifest)
            .bytes();
    Store overlay;
    try {
      overlay = Store.open(root.resolve("overlay"), StoreOptions.defaults().withDriver("overlay"));
    } catch (CairnException e) {
      Tools.requireThat(false, "overlayfs cannot be used here: " + e.getMessage());
      return;
    }
    try (overlay) {
      overlay.load(new ByteArrayInputStream(archive));
      Image image = overlay.image("linked:1");
      assertThat(image.id().hex()).isEqualTo(cfg);
      List<byte[]> layers = List.of(base, top);
      for (int i = 0; i < 2; i++) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        overlay.exportLayer(image.chain().get(i).id(), out);
        assertThat(out.toByteArray()).isEqualTo(layers.get(i));
      }
      Path view = overlay.mount("linked:1");
      try {
        assertThat(Trees.snapshot(view).get("bin/tool2")).endsWith("linked=bin/tool");
        assertThat(view.resolve("bin/tool2")).hasContent("tool");
      } finally {
        overlay.unmount("linked:1");
      }
    }
  }

  private static final String HEX = "0123456789abcdef".repeat(4);

  @Test
  void importWithADigestReferenceRefusesAndWritesNothing() throws IOException {
    Map<String, String> before = Trees.snapshot(root, false);
    Reference pinned = Reference.parse("app@" + Digest.sha256(new byte[] {1}));
    assertThatThrownBy(() -> store.importTarball(layer("a"), pinned, "x"))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessageContaining("cannot import with a digest reference");
    assertThatThrownBy(() -> store.tag("anything", pinned))
        .hasMessageContaining("cannot tag with a digest reference");
    assertThat(Trees.snapshot(root, false)).isEqualTo(before);
    assertThat(store.graph().map()).isEmpty();
  }

  @Test
  void aStoreWhoseTagFileHoldsABadEntryOpensAndResolvesTheRest() throws IOException {
    Node n = chain().get(2);
    store.tags().tag(Reference.parse("app:1"), n.id(), false);
    store.close();
    Path file = root.resolve("repositories-vfs");
    String text = Files.readString(file);
    String bad = "\"" + HEX + "\":{\"1\":\"" + n.id() + "\"}";
    Files.writeString(file, text.replace("{\"Repositories\":{", "{\"Repositories\":{" + bad + ","));
    store = Store.open(root, StoreOptions.defaults().withDriver("vfs"));
    assertThat(store.tags().skipped()).hasSize(1);
    assertThat(store.image("app:1").top().id()).isEqualTo(n.id());
    assertThat(store.image(n.id()).references()).containsExactly(Reference.parse("app:1"));
    assertThat(store.images(false)).hasSize(1);
    // The name that would be ambiguous resolves as the ID it spells, never as the skipped tag.
    assertThatThrownBy(() -> store.image(HEX + ":1"))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
  }

  // ------------------------------------------------------------ across processes

  /** Runs a {@link StoreChild} command on this store to its end and returns what it printed. */
  private String inChild(String... args) throws Exception {
    Process p = startChild(args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("child %s: %s", List.of(args), out).isZero();
    return out;
  }

  private Process startChild(String... args) throws IOException {
    String[] all = new String[args.length + 2];
    all[0] = args[0];
    all[1] = root.toString();
    all[2] = "vfs";
    System.arraycopy(args, 1, all, 3, args.length - 1);
    return new ProcessBuilder(StoreChild.command(all))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  /** A save of {@code name} in another process, holding the image until closed. */
  private final class SaveInAnotherProcess implements AutoCloseable {
    final Process process;

    SaveInAnotherProcess(String name) throws IOException {
      process = startChild("save", name);
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("holding");
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isZero();
    }
  }

  private static void assertConflict(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.CONFLICT))
        .hasMessageContaining(message);
  }

  @Test
  void rmiByIdOfAnImageASaveHoldsRefusesAndKeepsTheTag() throws Exception {
    List<Node> c = chain();
    String top = c.get(2).id();
    store.tags().tag(Reference.parse("app:1"), top, false);
    try (SaveInAnotherProcess save = new SaveInAnotherProcess("app:1")) {
      assertConflict(() -> store.remove(top.substring(0, 12), true), "running pull, save or load");
      assertThat(store.tags().resolve(Reference.parse("app:1"))).contains(top);
      assertThat(store.graph().map()).hasSize(3);
    }
    assertThat(store.remove(top.substring(0, 12), false)).hasSize(4);
  }

  @Test
  void rmiByNameOfAnImageASaveHoldsUntagsItAndKeepsTheImage() throws Exception {
    List<Node> c = chain();
    String top = c.get(2).id();
    store.tags().tag(Reference.parse("app:1"), top, false);
    try (SaveInAnotherProcess save = new SaveInAnotherProcess("app:1")) {
      assertThat(store.remove("app:1", false))
          .extracting(Store.Removal::toString)
          .containsExactly("Untagged: app:1");
      assertThat(store.graph().map()).hasSize(3);
    }
    assertThat(store.images(false)).extracting(i -> i.top().id()).containsExactly(top);
  }

  @Test
  void rmiOfAMountedImageIsRefusedEvenWithForce() throws Exception {
    List<Node> c = chain();
    String top = c.get(2).id();
    store.tags().tag(Reference.parse("app:1"), top, false);
    inChild("mount", "app:1"); // cairn mount: the mount outlives the process that made it
    assertConflict(() -> store.remove(top, true), "it is mounted");
    assertThat(store.tags().resolve(Reference.parse("app:1"))).contains(top);
    assertThat(store.graph().map()).hasSize(3);
    assertConflict(() -> store.graph().delete(top), "it is mounted");
    assertThat(store.graph().map()).hasSize(3);
  }

  @Test
  void rmiOfTheLastNameOfAMountedImageNeedsForceAndThenOnlyUntags() throws Exception {
    List<Node> c = chain();
    String top = c.get(2).id();
    store.tags().tag(Reference.parse("app:1"), top, false);
    store.mount("app:1");
    assertConflict(() -> store.remove("app:1", false), "without --force");
    assertThat(store.tags().resolve(Reference.parse("app:1"))).contains(top);
    assertThat(store.remove("app:1", true))
        .extracting(Store.Removal::toString)
        .containsExactly("Untagged: app:1");
    assertThat(store.graph().map()).hasSize(3);
  }

  @Test
  void twoMountsNeedTwoUnmounts() throws Exception {
    List<Node> c = chain();
    String top = c.get(2).id();
    store.tags().tag(Reference.parse("app:1"), top, false);
    Path first = Path.of(inChild("mount", "app:1"));
    assertThat(store.mount("app:1")).isEqualTo(first);
    inChild("unmount", "app:1");
    assertThat(store.graph().mounts().count(top)).isEqualTo(1);
    assertConflict(() -> store.remove(top, true), "it is mounted");
    store.unmount("app:1");
    assertThat(store.graph().mounts().count(top)).isZero();
    assertThat(store.remove(top, true)).hasSize(4);
  }

  @Test
  void unmountByIdWorksAfterTheLastTagIsGone() throws Exception {
    List<Node> c = chain();
    String top = c.get(2).id();
    store.tags().tag(Reference.parse("app:1"), top, false);
    store.mount("app:1");
    store.remove("app:1", true); // untagged only: the image is mounted
    assertThatThrownBy(() -> store.unmount("app:1"))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
    inChild("unmount", top.substring(0, 12));
    assertThat(store.graph().mounts().count(top)).isZero();
    assertThat(store.remove(top.substring(0, 12), false))
        .extracting(Store.Removal::toString)
        .containsExactly(
            "Deleted: sha256:" + top,
            "Deleted: sha256:" + c.get(1).id(),
            "Deleted: sha256:" + c.get(0).id());
  }

  @Test
  void withOverlayTwoMountsNeedTwoUnmounts() throws Exception {
    Store overlay;
    try {
      overlay = Store.open(root.resolve("overlay"), StoreOptions.defaults().withDriver("overlay"));
    } catch (CairnException e) {
      Tools.requireThat(false, "overlayfs cannot be used here: " + e.getMessage());
      return;
    }
    try (overlay) {
      Node base = overlay.graph().create(null, "base", layer("a"));
      Node top = overlay.graph().create(base.id(), "top", layer("b"));
      Path view = overlay.mount(top.id());
      assertThat(overlay.mount(top.id())).isEqualTo(view);
      overlay.unmount(top.id());
      assertThat(view.resolve("a")).hasContent("a");
      overlay.unmount(top.id());
      assertThat(view.resolve("a")).doesNotExist();
    }
  }

  @Test
  void aNameAnotherProcessGaveResolvesToItsImage() throws Exception {
    store.images(false); // this store has looked at the graph before the other process imports
    String id = inChild("import", "other:1");
    assertThat(store.image("other:1").id().toString()).isEqualTo(id);
    assertThat(store.images(false)).extracting(i -> i.id().toString()).containsExactly(id);
  }

  @Test
  void nodesOfAnUnfinishedImageListAsNoImageUntilItIsFinished() throws IOException {
    Graph g = store.graph();
    String base = "b".repeat(64);
    String top = "c".repeat(64);
    g.register(NodeSpec.of(base, null, json(base, null)).asUnfinished(), layer("a"));
    assertThat(store.images(false)).isEmpty();
    g.register(NodeSpec.of(top, base, json(top, base)).asUnfinished(), layer("b"));
    assertThat(store.images(false)).isEmpty();
    assertThat(store.images(true)).isEmpty(); // as docker: layers, no images
    store.tags().tag(Reference.parse("app:1"), top, false);
    g.finish(top);
    assertThat(store.images(false)).extracting(i -> i.top().id()).containsExactly(top);
    assertThat(store.images(true)).hasSize(2); // a Docker 1.9 chain: every node an image
    store.remove("app:1", false);
    assertThat(g.map()).isEmpty();
  }

  private static byte[] json(String id, String parent) {
    return ("{\"id\":\""
            + id
            + "\""
            + (parent == null ? "" : ",\"parent\":\"" + parent + "\"")
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
