package dev.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.archive.Layer;
import dev.cairn.digest.Digest;
import dev.cairn.digest.Digester;
import dev.cairn.driver.Driver;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.graph.Node;
import dev.cairn.graph.NodeSpec;
import dev.cairn.graph.TagStore;
import dev.cairn.image.ChainId;
import dev.cairn.image.Platform;
import dev.cairn.image.Reference;
import dev.cairn.image.Schema1Image;
import dev.cairn.image.Schema1Manifest;
import dev.cairn.image.V1Image;
import dev.cairn.registry.FaultProxy;
import dev.cairn.registry.FaultProxy.Fault;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.Registry;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import dev.cairn.tarexport.LoadResult;
import dev.cairn.tarexport.Loader;
import dev.cairn.tarexport.Saver;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Trees;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from the real Docker Distribution registry, through a proxy that counts and misbehaves. */
class PullTest {
  @TempDir static Path temp;
  @TempDir Path store;
  static RegistryServer server;
  static FaultProxy proxy;
  static final List<Map<String, String>> apps = new ArrayList<>();
  static final List<OciLayouts.Image> images = new ArrayList<>();
  static OciLayouts.Image arm;
  static OciLayouts.Blob index;
  static OciLayouts.Image badDiffId;
  static OciLayouts.Image linked; // its top layer hard-links files of its base
  static String blob; // the base layer's large file, as put into the layer
  static final Digest CLAIMED = Digest.sha256("not the layer".getBytes(StandardCharsets.UTF_8));

  static final Map<String, String> BASE =
      files("etc/os", "base", "bin/sh", "shell", "etc/keep", "k");

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    byte[] noise = new byte[160 * 1024];
    new Random(11).nextBytes(noise);
    Map<String, String> base = new LinkedHashMap<>(BASE);
    base.put("blob", new String(noise, StandardCharsets.ISO_8859_1));
    blob = base.get("blob");
    for (int i = 1; i <= 4; i++) {
      Map<String, String> top = files("app/" + i, "app " + i, "etc/.wh.os", "");
      OciLayouts.Image img =
          layout.image("amd64", List.of(base, files("lib/" + i, "lib " + i), top));
      images.add(img);
      layout.tag("app" + i, img.manifest());
    }
    arm = layout.image("arm64", List.of(files("arch", "arm64")));
    index = layout.index(List.of(images.get(0), arm), List.of("amd64", "arm64"));
    layout.tag("multi", index);
    layout.tag("app1-s2", images.get(0).manifest());
    layout.tag("app1-s1", images.get(0).manifest());
    for (int i = 1; i <= 4; i++) {
      Tools.push(layout.dir(), "app" + i, server.host(), "test/app");
    }
    Tools.push(layout.dir(), "app1-s2", server.host(), "test/app", "--format", "v2s2");
    Tools.push(layout.dir(), "app1-s1", server.host(), "test/app", "--format", "v2s1");
    Tools.push(layout.dir(), "multi", server.host(), "test/app", "--multi-arch", "all");
    Tools.push(layout.dir(), "app1", server.host(), "test/tags");
    Tools.push(layout.dir(), "app2", server.host(), "test/tags");
    // The config claims a DiffID its base layer does not have.
    badDiffId =
        layout.image(
            "amd64", List.of(files("bad/base", "b"), files("bad/top", "t")), Map.of(0, CLAIMED));
    layout.tag("bad", badDiffId.manifest());
    Tools.push(layout.dir(), "bad", server.host(), "test/bad");
    linked =
        layout.imageOfTars(
            "amd64",
            List.of(
                OciLayouts.tar(files("bin/tool", "tool", "a", "a")),
                TarBuilder.tar().hardlink("bin/tool2", "bin/tool").hardlink("b", "a").bytes()));
    layout.tag("linked", linked.manifest());
    Tools.push(layout.dir(), "linked", server.host(), "test/linked");
    proxy = new FaultProxy(server.host());
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void resetProxy() {
    proxy.reset();
  }

  static Map<String, String> files(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static Reference ref(String tagOrDigest) {
    String sep = tagOrDigest.startsWith("sha256:") ? "@" : ":";
    return Reference.parse(proxy.host() + "/test/app" + sep + tagOrDigest);
  }

  static PullOptions amd64() {
    return PullOptions.defaults().withPlatform(Platform.parse("linux/amd64"));
  }

  /**
   * The tree of image {@code i} (0-based) as GNU {@code tar -x} makes it from the image's layers in
   * order, each layer's whiteouts removing what the layers below put there first.
   */
  static Map<String, String> expectedTree(int i) {
    try {
      Path dir = Files.createTempDirectory(temp, "tar-x");
      Path layerFile = dir.resolveSibling(dir.getFileName() + ".tar");
      for (OciLayouts.Blob layer : images.get(i).layers()) {
        byte[] tar;
        try (InputStream in =
            new java.util.zip.GZIPInputStream(new ByteArrayInputStream(layer.bytes()))) {
          tar = in.readAllBytes();
        }
        TarReader entries = new TarReader(new ByteArrayInputStream(tar));
        for (TarEntry e = entries.next(); e != null; e = entries.next()) {
          Path name = Path.of(e.name());
          String base = name.getFileName().toString();
          Path parent = name.getParent() == null ? dir : dir.resolve(name.getParent());
          if (base.equals(".wh..wh..opq")) {
            deleteChildren(parent);
          } else if (base.startsWith(".wh.")) {
            Trees.delete(parent.resolve(base.substring(4)));
          }
        }
        Files.write(layerFile, tar);
        Process p =
            new ProcessBuilder(
                    "tar",
                    "-x",
                    "-f",
                    layerFile.toString(),
                    "-C",
                    dir.toString(),
                    "--exclude=.wh.*")
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("tar -x: %s", log).isZero();
      }
      return regularFiles(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteChildren(Path dir) throws IOException {
    if (Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> children = Files.list(dir)) {
        for (Path c : children.toList()) {
          Trees.delete(c);
        }
      }
    }
  }

  /** Regular files under {@code dir} by relative name, content as ISO-8859-1 text. */
  static Map<String, String> regularFiles(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      Map<String, String> tree = new TreeMap<>();
      for (Path p :
          walk.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
              .toList()) {
        tree.put(
            dir.relativize(p).toString(),
            new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
      }
      return tree;
    }
  }

  @Test
  void gnuTarOfTheLayersGivesTheTreeTheImagesWereBuiltAs() {
    // The comparison tree itself, checked once against what the test images were made of.
    for (int i = 0; i < images.size(); i++) {
      Map<String, String> built = new TreeMap<>(BASE);
      built.put("lib/" + (i + 1), "lib " + (i + 1));
      built.put("app/" + (i + 1), "app " + (i + 1));
      built.remove("etc/os");
      Map<String, String> tree = expectedTree(i);
      byte[] written = blob.getBytes(StandardCharsets.UTF_8); // how OciLayouts.tar stores it
      assertThat(tree.remove("blob")).isEqualTo(new String(written, StandardCharsets.ISO_8859_1));
      assertThat(tree).isEqualTo(built);
    }
  }

  /** Every node reassembles to its DiffID; the top's tree holds {@code expected}. */
  static void assertImage(PullFixture f, PullResult r, Map<String, String> expected)
      throws IOException {
    for (String id : r.nodeIds()) {
      Digester d = Digester.sha256();
      f.graph.tarLayer(
          id,
          new OutputStream() {
            @Override
            public void write(int b) {
              d.update(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
              d.update(b, off, len);
            }
          });
      assertThat(d.digest()).as("layer of %s", id).isEqualTo(f.graph.diffId(id));
    }
    Path dir = f.graph.driver().get(r.topNodeId());
    try {
      assertThat(regularFiles(dir)).isEqualTo(expected);
    } finally {
      f.graph.driver().put(r.topNodeId());
    }
  }

  @Test
  void ociImageGetsChainIdNodesAndTheConfigDigestOnTop() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      OciLayouts.Image img = images.get(0);
      PullResult r = f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE);
      assertThat(r.imageId()).isEqualTo(img.config().digest());
      assertThat(r.topNodeId()).isEqualTo(img.config().digest().hex());
      assertThat(r.manifestDigest()).isEqualTo(img.manifest().digest());
      assertThat(r.upToDate()).isFalse();
      List<Digest> diffIds = f.graph.map().values().stream().map(Node::diffId).toList();
      List<Digest> chain = ChainId.of(r.nodeIds().stream().map(id -> nodeDiffId(f, id)).toList());
      assertThat(r.nodeIds().subList(0, 2)).containsExactly(chain.get(0).hex(), chain.get(1).hex());
      assertThat(diffIds).hasSize(3);
      assertThat(f.graph.rawJSON(r.topNodeId())).isEqualTo(img.config().bytes());
      assertThat(f.tags).containsEntry(ref("app1"), r.topNodeId());
      assertImage(f, r, expectedTree(0));
    }
  }

  private static Digest nodeDiffId(PullFixture f, String id) {
    return f.graph.map().get(id).diffId();
  }

  @Test
  void schema2PullTwiceIsUpToDateAndDownloadsNothing() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      PullResult first = f.puller.pull(ref("app1-s2"), amd64(), ProgressListener.NONE);
      assertThat(first.imageId()).isEqualTo(images.get(0).config().digest());
      proxy.reset();
      List<ProgressEvent> events = new CopyOnWriteArrayList<>();
      PullResult again = f.puller.pull(ref("app1-s2"), amd64(), events::add);
      assertThat(again.upToDate()).isTrue();
      assertThat(again.topNodeId()).isEqualTo(first.topNodeId());
      assertThat(proxy.seen).noneMatch(s -> s.path().contains("/blobs/"));
      // as docker, which finds the image's config and goes no further: no row per layer
      assertThat(events).noneMatch(e -> e instanceof ProgressEvent.AlreadyExists);
      assertImage(f, again, expectedTree(0));
    }
  }

  @Test
  void pullByDigestRecordsTheDigestReference() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      Digest d = images.get(1).manifest().digest();
      PullResult r = f.puller.pull(ref(d.toString()), amd64(), ProgressListener.NONE);
      assertThat(r.reference().digest()).isEqualTo(d);
      assertThat(r.reference().tag()).isNull();
      assertThat(f.tags).containsEntry(ref(d.toString()), images.get(1).config().digest().hex());
      assertImage(f, r, expectedTree(1));
    }
  }

  @Test
  void indexPicksThePlatform() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      PullResult a = f.puller.pull(ref("multi"), amd64(), ProgressListener.NONE);
      assertThat(a.imageId()).isEqualTo(images.get(0).config().digest());
      assertThat(a.manifestDigest()).isEqualTo(index.digest());
      PullResult b =
          f.puller.pull(
              ref("multi"),
              PullOptions.defaults().withPlatform(Platform.parse("linux/arm64/v8")),
              ProgressListener.NONE);
      assertThat(b.imageId()).isEqualTo(arm.config().digest());
      assertThatThrownBy(
              () ->
                  f.puller.pull(
                      ref("multi"),
                      PullOptions.defaults().withPlatform(Platform.parse("linux/s390x")),
                      ProgressListener.NONE))
          .isInstanceOf(CairnException.class)
          .hasMessageContaining("no image for platform linux/s390x")
          .hasMessageContaining("linux/amd64, linux/arm64");
    }
  }

  @Test
  void sharedBaseLayersDownloadOnce() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE);
      f.puller.pull(ref("app2"), amd64(), ProgressListener.NONE);
      for (OciLayouts.Blob layer : images.get(0).layers()) {
        assertThat(PullFixture.blobGets(proxy, layer.digest().hex())).isEqualTo(1);
      }
    }
  }

  @Test
  void eightConcurrentOverlappingPullsDownloadEachLayerOnce() throws Exception {
    try (PullFixture f = new PullFixture(store);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<PullResult>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String tag = "app" + (i % 4 + 1);
        results.add(pool.submit(() -> f.puller.pull(ref(tag), amd64(), ProgressListener.NONE)));
      }
      for (int i = 0; i < 8; i++) {
        PullResult r = results.get(i).get();
        assertThat(r.imageId()).isEqualTo(images.get(i % 4).config().digest());
      }
      for (OciLayouts.Image img : images) {
        for (OciLayouts.Blob layer : img.layers()) {
          assertThat(PullFixture.blobGets(proxy, layer.digest().hex()))
              .as("GETs of %s", layer.digest())
              .isEqualTo(1);
        }
      }
      for (int i = 0; i < 4; i++) {
        assertImage(f, results.get(i).get(), expectedTree(i));
      }
    }
  }

  @Test
  void allTagsPullsEveryTag() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      List<PullResult> all =
          f.puller.pullAllTags(
              Reference.parse(proxy.host() + "/test/tags"), amd64(), ProgressListener.NONE);
      assertThat(all)
          .extracting(r -> r.reference().tag())
          .containsExactlyInAnyOrder("app1", "app2");
      assertThat(PullFixture.blobGets(proxy, images.get(0).layers().getFirst().digest().hex()))
          .isEqualTo(1);
    }
  }

  @Test
  void corruptBlobIsFetchedAgainAndVerified() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      OciLayouts.Blob base = images.get(0).layers().getFirst();
      proxy.plan("/blobs/" + base.digest(), Fault.CORRUPT_BYTE);
      List<ProgressEvent> events = new CopyOnWriteArrayList<>();
      PullResult r = f.puller.pull(ref("app1"), amd64(), events::add);
      assertThat(PullFixture.blobGets(proxy, base.digest().hex())).isEqualTo(2);
      assertThat(events).anyMatch(e -> e instanceof ProgressEvent.Retrying);
      assertImage(f, r, expectedTree(0));
    }
  }

  @Test
  void blobThatStaysCorruptFailsAndLeavesTheStoreUnchanged() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      OciLayouts.Blob base = images.get(0).layers().getFirst();
      proxy.plan(
          "/blobs/" + base.digest(), Fault.CORRUPT_BYTE, Fault.CORRUPT_BYTE, Fault.CORRUPT_BYTE);
      assertThatThrownBy(() -> f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE))
          .isInstanceOf(CairnException.class)
          .hasMessageContaining("pulling " + ref("app1").familiar())
          .hasMessageContaining("digest mismatch");
      assertThat(f.graph.map()).isEmpty();
      assertThat(f.tags).isEmpty();
      try (Stream<Path> left = Files.list(store.resolve("graph/_tmp"))) {
        assertThat(left).isEmpty();
      }
    }
  }

  @Test
  void transportFaultsAreSurvived() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      OciLayouts.Image img = images.get(0);
      proxy.plan("/blobs/" + img.layers().get(0).digest(), Fault.DROP_MIDWAY);
      proxy.plan("/blobs/" + img.layers().get(1).digest(), Fault.STATUS_500, Fault.STATUS_429);
      proxy.plan("/blobs/" + img.layers().get(2).digest(), Fault.REDIRECT_OTHER_HOST);
      PullResult r = f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE);
      assertImage(f, r, expectedTree(0));
    }
  }

  @Test
  void truncatedManifestFailsClearlyAndChangesNothing() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      proxy.plan("/manifests/", Fault.TRUNCATE);
      assertThatThrownBy(() -> f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE))
          .isInstanceOf(CairnException.class)
          .hasMessageContaining("fetching manifest app1")
          .hasMessageContaining("invalid JSON");
      assertThat(f.graph.map()).isEmpty();
      assertThat(f.tags).isEmpty();
    }
  }

  static Schema1Manifest schema1() throws IOException {
    try (Registry direct = Registry.open(server.host(), RegistryOptions.defaults())) {
      return Schema1Manifest.parse(direct.manifest("test/app", "app1-s1").bytes());
    }
  }

  @Test
  void schema1GetsStrongIdsAndKeepsItsV1Compatibility() throws Exception {
    Schema1Manifest m = schema1();
    try (PullFixture f = new PullFixture(store)) {
      PullResult r = f.puller.pull(ref("app1-s1"), amd64(), ProgressListener.NONE);
      assertThat(r.imageId()).isEqualTo(m.strongIds().getLast());
      assertThat(r.nodeIds()).isEqualTo(m.strongIds().stream().map(Digest::hex).toList());
      for (int i = 0; i < m.images().size(); i++) {
        Schema1Image img = m.images().get(i);
        String id = r.nodeIds().get(i);
        assertThat(f.graph.v1Compatibility(id))
            .hasValueSatisfying(v -> assertThat(v).isEqualTo(img.v1Compatibility()));
        assertThat(f.graph.get(id).layerDigest()).isEqualTo(img.blobSum());
        // the node's json is the config its strong ID hashes
        assertThat(Digest.sha256(f.graph.rawJSON(id))).isEqualTo(m.strongIds().get(i));
      }
      assertImage(f, r, expectedTree(0));
    }
  }

  @Test
  void aSchema1PullFinishesEveryImageOfItsChainAndAnOciPullOnlyItsTop() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      PullResult s1 = f.puller.pull(ref("app1-s1"), amd64(), ProgressListener.NONE);
      assertThat(s1.nodeIds()).hasSizeGreaterThan(1).noneMatch(f.graph::isUnfinished);
      PullResult oci = f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE);
      List<String> ids = oci.nodeIds();
      assertThat(f.graph.isUnfinished(ids.getLast())).isFalse();
      assertThat(ids.subList(0, ids.size() - 1)).isNotEmpty().allMatch(f.graph::isUnfinished);
    }
  }

  @Test
  void legacyIdsOfADocker18GraphAreReusedWithoutDownloading() throws Exception {
    Schema1Manifest m = schema1();
    writeDocker18Graph(store, m);
    try (PullFixture f = new PullFixture(store)) {
      List<String> legacy = m.images().stream().map(Schema1Image::id).toList();
      assertThat(f.graph.map().keySet()).containsExactlyInAnyOrderElementsOf(legacy);
      PullResult r = f.puller.pull(ref("app1-s1"), amd64(), ProgressListener.NONE);
      assertThat(r.nodeIds()).isEqualTo(legacy);
      assertThat(r.upToDate()).as("the tag is new to the store").isFalse();
      assertThat(proxy.seen).noneMatch(s -> s.path().contains("/blobs/"));
      assertThat(f.tags).containsEntry(ref("app1-s1"), legacy.getLast());
      assertImage(f, r, expectedTree(0));
    }
  }

  /** Nodes as Docker 1.8 left them: legacy IDs, json re-encoded by Go, checksum, no tar-split. */
  static void writeDocker18Graph(Path root, Schema1Manifest m) throws Exception {
    try (Registry direct = Registry.open(server.host(), RegistryOptions.defaults());
        Driver driver = Drivers.open(root, "vfs", DriverOptions.defaults())) {
      for (Schema1Image img : m.images()) {
        String parent = img.parent() == null || img.parent().isEmpty() ? null : img.parent();
        driver.create(img.id(), parent);
        try (InputStream blob = direct.blob("test/app", img.blobSum(), -1)) {
          driver.applyDiff(img.id(), parent, blob, Layer.READER);
        }
        Path dir = Files.createDirectories(root.resolve("graph").resolve(img.id()));
        Files.write(dir.resolve("json"), V1Image.decode(img.v1Compatibility()).encode());
        Files.writeString(dir.resolve("checksum"), img.blobSum().toString());
      }
    }
  }

  @Test
  void schema1ProbesPastAPlantedCollidingId() throws Exception {
    Schema1Manifest m = schema1();
    String strong0 = m.strongIds().getFirst().hex();
    try (PullFixture f = new PullFixture(store)) {
      plant(f, strong0);
      PullResult r = f.puller.pull(ref("app1-s1"), amd64(), ProgressListener.NONE);
      String probed = Digest.sha256(strong0.getBytes(StandardCharsets.US_ASCII)).hex();
      assertThat(r.nodeIds().getFirst()).isEqualTo(probed);
      assertThat(r.nodeIds().subList(1, r.nodeIds().size()))
          .isEqualTo(m.strongIds().stream().skip(1).map(Digest::hex).toList());
      assertThat(f.graph.get(strong0).layerDigest()).isNull(); // the planted node is untouched
      assertImage(f, r, expectedTree(0));
      proxy.reset();
      PullResult again = f.puller.pull(ref("app1-s1"), amd64(), ProgressListener.NONE);
      assertThat(again.nodeIds()).isEqualTo(r.nodeIds()); // the probed ID verifies: reused
      assertThat(again.upToDate()).isTrue();
    }
  }

  @Test
  void schema2ProbesPastAPlantedCollidingChainId() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      OciLayouts.Image img = images.get(0);
      String chain0 = Digest.sha256(OciLayouts.tar(BASE)).hex(); // not the base's DiffID
      PullResult first = f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE);
      String base = first.nodeIds().getFirst();
      assertThat(base).isNotEqualTo(chain0);
      try (PullFixture g = new PullFixture(store.resolve("second"))) {
        plant(g, base);
        PullResult r = g.puller.pull(ref("app1"), amd64(), ProgressListener.NONE);
        assertThat(r.nodeIds().getFirst())
            .isEqualTo(Digest.sha256(base.getBytes(StandardCharsets.US_ASCII)).hex());
        assertThat(r.topNodeId()).isEqualTo(img.config().digest().hex());
        assertImage(g, r, expectedTree(0));
      }
    }
  }

  /** A node under {@code id} whose content is not what any pull would put there. */
  static void plant(PullFixture f, String id) throws IOException {
    byte[] json =
        ("{\"id\":\"" + id + "\",\"created\":\"2020-01-01T00:00:00Z\"}")
            .getBytes(StandardCharsets.US_ASCII);
    f.graph.register(
        NodeSpec.of(id, null, json),
        new ByteArrayInputStream(OciLayouts.tar(files("planted", "x"))));
  }

  /** Nothing of a failed pull stays: no node, no tag, no staging or temp file, no driver layer. */
  static void assertStoreEmpty(PullFixture f, Path root) throws IOException {
    assertThat(f.graph.map()).isEmpty();
    assertThat(f.graph.skipped()).isEmpty();
    assertThat(f.tags).isEmpty();
    try (Stream<Path> left = Files.list(root.resolve("graph/_tmp"))) {
      assertThat(left).isEmpty();
    }
    try (Stream<Path> layers = Files.list(root.resolve("vfs/dir"))) {
      assertThat(layers).isEmpty();
    }
  }

  @Test
  void aLayerWhoseDiffIdDisagreesWithTheConfigFailsAndLeavesTheStoreUnchanged() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      Reference bad = Reference.parse(proxy.host() + "/test/bad:bad");
      OciLayouts.Blob base = badDiffId.layers().getFirst();
      Digest actual = Digest.sha256(OciLayouts.tar(files("bad/base", "b")));
      assertThatThrownBy(() -> f.puller.pull(bad, amd64(), ProgressListener.NONE))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessageContaining("pulling " + bad.familiar())
          .hasMessageContaining("layer " + base.digest())
          .hasMessageContaining("DiffID is " + actual + ", not the expected " + CLAIMED);
      assertStoreEmpty(f, store);
      // The blob itself was sound: it is not fetched again.
      assertThat(PullFixture.blobGets(proxy, base.digest().hex())).isEqualTo(1);
    }
  }

  @Test
  void anInterruptedPullLeavesNothingHalfRegistered() throws Exception {
    OciLayouts.Blob base = images.get(0).layers().getFirst();
    try (PullFixture f = new PullFixture(store)) {
      proxy.plan("/blobs/" + base.digest(), Fault.STALL_MIDWAY);
      java.util.concurrent.atomic.AtomicReference<Throwable> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread pull =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE);
                    } catch (Throwable t) {
                      failure.set(t);
                    }
                  });
      assertThat(proxy.awaitStall(java.time.Duration.ofSeconds(30))).isTrue();
      pull.interrupt(); // mid-download: half the base layer is applied in staging
      pull.join(java.time.Duration.ofSeconds(30));
      proxy.release();
      assertThat(pull.isAlive()).isFalse();
      assertThat(failure.get()).isInstanceOf(java.io.InterruptedIOException.class);
      assertStoreEmpty(f, store);
      // The same store and puller still work: the interrupt closed none of their channels.
      assertImage(f, f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE), expectedTree(0));
    }
  }

  /** A fixture on overlay, or the test is skipped where overlayfs cannot be used (CI: fails). */
  private static PullFixture overlayFixture(Path root) throws IOException {
    try {
      // A stalled blob is given up after 10 s without a byte and fetched again: time enough for
      // the layers above it to be applied meanwhile.
      return new PullFixture(
          root,
          "overlay",
          options ->
              options.withTimeouts(
                  java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10)));
    } catch (CairnException e) {
      dev.cairn.testing.Tools.requireThat(
          false, "overlayfs cannot be used here: " + e.getMessage());
      throw e;
    }
  }

  /**
   * Starts pulling app1 with its base blob stalled halfway and returns once every layer above the
   * base has been downloaded, verified and applied, each waiting in its staging directory.
   */
  private record Stalled(
      Thread thread, java.util.concurrent.CompletableFuture<PullResult> result) {}

  private static Stalled pullPastAStalledBase(PullFixture f, List<ProgressEvent> events)
      throws Exception {
    List<OciLayouts.Blob> layers = images.get(0).layers();
    List<String> above =
        layers.subList(1, layers.size()).stream()
            .map(b -> b.digest().hex().substring(0, 12))
            .toList();
    assertThat(f.graph.stagesAhead()).isTrue();
    proxy.plan("/blobs/" + layers.getFirst().digest(), Fault.STALL_MIDWAY);
    java.util.concurrent.CompletableFuture<PullResult> pull =
        new java.util.concurrent.CompletableFuture<>();
    Thread thread =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    pull.complete(f.puller.pull(ref("app1"), amd64(), events::add));
                  } catch (Throwable t) {
                    pull.completeExceptionally(t);
                  }
                });
    assertThat(proxy.awaitStall(java.time.Duration.ofSeconds(30))).isTrue();
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    // The base's staging directory appears once its first bytes reach the layer reader, which
    // on a loaded machine can be after the layers above it are applied.
    while ((downloaded(events).size() < above.size() || staged(f) < layers.size())
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(downloaded(events)).containsExactlyInAnyOrderElementsOf(above);
    assertThat(f.graph.heads()).isEmpty(); // nothing committed yet
    // Each applied layer waits in its staging directory, beside the base's half-full one.
    assertThat(staged(f)).isEqualTo(layers.size());
    return new Stalled(thread, pull);
  }

  @Test
  void withOverlayTheLayersAboveAStalledBaseAreAppliedFirstAndCommitAfterIt() throws Exception {
    List<ProgressEvent> events = java.util.Collections.synchronizedList(new ArrayList<>());
    try (PullFixture f = overlayFixture(Files.createTempDirectory(temp, "overlay-store"))) {
      Stalled pull = pullPastAStalledBase(f, events);
      assertImage(f, pull.result().get(60, java.util.concurrent.TimeUnit.SECONDS), expectedTree(0));
      List<OciLayouts.Blob> layers = images.get(0).layers();
      List<String> done =
          events.stream()
              .filter(e -> e instanceof ProgressEvent.Done)
              .map(e -> ((ProgressEvent.Done) e).layer())
              .toList();
      assertThat(done).hasSize(layers.size());
      assertThat(done.getFirst()).isEqualTo(layers.getFirst().digest().hex().substring(0, 12));
    }
  }

  @Test
  void withOverlayAnInterruptedPullDiscardsTheLayersAppliedAhead() throws Exception {
    Path root = Files.createTempDirectory(temp, "overlay-store");
    List<ProgressEvent> events = java.util.Collections.synchronizedList(new ArrayList<>());
    try (PullFixture f = overlayFixture(root)) {
      Stalled pull = pullPastAStalledBase(f, events);
      pull.thread().interrupt(); // the layers above the base wait for it, applied
      assertThatThrownBy(() -> pull.result().get(30, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(java.io.InterruptedIOException.class);
      proxy.release();
      assertThat(f.graph.map()).isEmpty();
      try (Stream<Path> left = Files.list(root.resolve("graph/_tmp"))) {
        assertThat(left).isEmpty();
      }
      try (Stream<Path> layers = Files.list(root.resolve("overlay"))) {
        assertThat(layers.map(p -> p.getFileName().toString())).containsOnly("l");
      }
      try (Stream<Path> links = Files.list(root.resolve("overlay/l"))) {
        assertThat(links).isEmpty();
      }
      // The same store and puller still work.
      assertImage(f, f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE), expectedTree(0));
    }
  }

  @Test
  void withOverlayALayerLinkingToAFileBelowThatArrivesFirstIsFetchedAgainAndAppliedOnIt()
      throws Exception {
    List<ProgressEvent> events = java.util.Collections.synchronizedList(new ArrayList<>());
    try (PullFixture f = overlayFixture(Files.createTempDirectory(temp, "overlay-store"))) {
      OciLayouts.Blob base = linked.layers().getFirst();
      String top = linked.layers().get(1).digest().hex();
      proxy.plan("/blobs/" + base.digest(), Fault.STALL_MIDWAY);
      Reference name = Reference.parse(proxy.host() + "/test/linked:linked");
      java.util.concurrent.CompletableFuture<PullResult> pull =
          new java.util.concurrent.CompletableFuture<>();
      Thread.ofPlatform()
          .start(
              () -> {
                try {
                  pull.complete(f.puller.pull(name, amd64(), events::add));
                } catch (Throwable t) {
                  pull.completeExceptionally(t);
                }
              });
      assertThat(proxy.awaitStall(java.time.Duration.ofSeconds(30))).isTrue();
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
      while (!downloaded(events).contains(top.substring(0, 12)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      // Tried ahead of the stalled base, given up at the link, then fetched whole to wait for it.
      assertThat(downloaded(events)).containsExactly(top.substring(0, 12));
      assertThat(PullFixture.blobGets(proxy, top)).isEqualTo(2);
      assertThat(f.graph.heads()).isEmpty();
      proxy.release();
      PullResult r = pull.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertImage(f, r, files("a", "a", "b", "a", "bin/tool", "tool", "bin/tool2", "tool"));
      Path dir = f.graph.driver().get(r.topNodeId());
      try {
        Map<String, String> tree = Trees.snapshot(dir);
        assertThat(tree.get("b")).endsWith("linked=a");
        assertThat(tree.get("bin/tool2")).endsWith("linked=bin/tool");
      } finally {
        f.graph.driver().put(r.topNodeId());
      }
    }
  }

  private static long staged(PullFixture f) throws IOException {
    try (Stream<Path> staged = Files.list(f.root.resolve("graph/_tmp"))) {
      return staged.filter(Files::isDirectory).count();
    }
  }

  private static List<String> downloaded(List<ProgressEvent> events) {
    synchronized (events) {
      return events.stream()
          .filter(e -> e instanceof ProgressEvent.Downloaded)
          .map(e -> ((ProgressEvent.Downloaded) e).layer())
          .toList();
    }
  }

  @Test
  void aPullKilledMidDownloadLeavesNothingAfterReopen() throws Exception {
    OciLayouts.Blob base = images.get(0).layers().getFirst();
    proxy.plan("/blobs/" + base.digest(), Fault.STALL_MIDWAY);
    Process child =
        new ProcessBuilder(PullChild.command(store.toString(), ref("app1").toString()))
            .redirectErrorStream(true)
            .start();
    try {
      assertThat(proxy.awaitStall(java.time.Duration.ofSeconds(60))).isTrue();
    } finally {
      child.destroyForcibly(); // SIGKILL, with the base layer half applied
      child.waitFor();
      proxy.release();
    }
    try (PullFixture f = new PullFixture(store)) { // alone on the store: leftovers are removed
      assertStoreEmpty(f, store);
      assertImage(f, f.puller.pull(ref("app1"), amd64(), ProgressListener.NONE), expectedTree(0));
    }
  }

  @Test
  void twoProcessesPullingOverlappingImagesDownloadEachBlobOnce() throws Exception {
    List<Process> children = new ArrayList<>();
    for (String tag : List.of("app1", "app2")) {
      children.add(
          new ProcessBuilder(PullChild.command(store.toString(), ref(tag).toString())).start());
    }
    List<String> lines = new ArrayList<>();
    for (Process p : children) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as("child: %s%s", out, err).isZero();
      lines.add(out.strip());
    }
    try (PullFixture f = new PullFixture(store)) {
      for (int i = 0; i < 2; i++) {
        String[] parts = lines.get(i).split(" ");
        OciLayouts.Image img = images.get(i);
        assertThat(parts[0]).isEqualTo(img.config().digest().hex());
        PullResult r =
            new PullResult(
                ref("app" + (i + 1)),
                img.config().digest(),
                parts[0],
                List.of(parts[1].split(",")),
                img.manifest().digest(),
                false);
        assertImage(f, r, expectedTree(i));
      }
      assertThat(f.graph.map()).hasSize(5); // the shared base, and two layers of each
    }
    for (OciLayouts.Image img : images.subList(0, 2)) {
      for (OciLayouts.Blob layer : img.layers()) {
        assertThat(PullFixture.blobGets(proxy, layer.digest().hex()))
            .as("GETs of %s", layer.digest())
            .isEqualTo(1);
      }
    }
  }

  /**
   * A fixture that gives a stalled blob up after 10 s without a byte (and fetches the rest again):
   * time enough to look at the store meanwhile.
   */
  private static PullFixture patientFixture(Path root) throws IOException {
    return new PullFixture(
        root,
        o -> o.withTimeouts(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10)));
  }

  /** Waits until the graph holds {@code count} nodes, committed by whichever process. */
  private static void awaitNodes(dev.cairn.graph.Graph graph, int count) throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    graph.refresh();
    while (graph.map().size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
      graph.refresh();
    }
    assertThat(graph.map()).hasSize(count);
  }

  private static java.util.concurrent.CompletableFuture<PullResult> startPull(
      PullFixture f, Reference name) {
    java.util.concurrent.CompletableFuture<PullResult> pull =
        new java.util.concurrent.CompletableFuture<>();
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                pull.complete(f.puller.pull(name, amd64(), ProgressListener.NONE));
              } catch (Throwable t) {
                pull.completeExceptionally(t);
              }
            });
    return pull;
  }

  @Test
  void anUnfinishedPullShowsNoImage() throws Exception {
    List<OciLayouts.Blob> layers = images.get(0).layers();
    try (PullFixture f = patientFixture(store);
        Store view = Store.open(store, StoreOptions.defaults().withDriver("vfs"))) {
      proxy.plan("/blobs/" + layers.getLast().digest(), Fault.STALL_MIDWAY);
      java.util.concurrent.CompletableFuture<PullResult> pull = startPull(f, ref("app1"));
      assertThat(proxy.awaitStall(java.time.Duration.ofSeconds(30))).isTrue();
      awaitNodes(f.graph, layers.size() - 1); // every layer below the stalled top is committed
      assertThat(view.images(false)).isEmpty();
      assertThat(view.images(true)).isEmpty(); // layers, no images, as docker shows them
      proxy.release();
      PullResult r = pull.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(view.images(false)).extracting(i -> i.top().id()).containsExactly(r.topNodeId());
    }
  }

  @Test
  void aPullKilledBeforeItsTopCommitsLeavesNoImageListed() throws Exception {
    List<OciLayouts.Blob> layers = images.get(0).layers();
    proxy.plan("/blobs/" + layers.getLast().digest(), Fault.STALL_MIDWAY);
    Process child =
        new ProcessBuilder(PullChild.command(store.toString(), ref("app1").toString(), "10"))
            .redirectErrorStream(true)
            .start();
    try (Store view = Store.open(store, StoreOptions.defaults().withDriver("vfs"))) {
      try {
        assertThat(proxy.awaitStall(java.time.Duration.ofSeconds(60))).isTrue();
        awaitNodes(dev.cairn.store.StoreFixtures.graph(view), layers.size() - 1);
      } finally {
        child.destroyForcibly(); // SIGKILL, between the commits of the chain and its tag
        child.waitFor();
        proxy.release();
      }
      assertThat(view.images(false)).isEmpty();
    }
    try (Store reopened = Store.open(store, StoreOptions.defaults().withDriver("vfs"))) {
      assertThat(reopened.images(false)).isEmpty();
      assertThat(reopened.images(true)).isEmpty();
      assertThat(dev.cairn.store.StoreFixtures.graph(reopened).map()).hasSize(layers.size() - 1);
    }
  }

  @Test
  void loadBesidePullOfTheSameImageBothSucceed() throws Exception {
    List<OciLayouts.Blob> layers = images.get(0).layers();
    java.io.ByteArrayOutputStream archive = new java.io.ByteArrayOutputStream();
    String top;
    try (PullFixture source = new PullFixture(Files.createTempDirectory(temp, "source"))) {
      top = source.puller.pull(ref("app1"), amd64(), ProgressListener.NONE).topNodeId();
      new Saver(source.graph, TagStore.open(source.graph)).save(List.of(top), archive);
    }
    proxy.reset();
    try (PullFixture f = patientFixture(store)) {
      proxy.plan("/blobs/" + layers.getLast().digest(), Fault.STALL_MIDWAY);
      java.util.concurrent.CompletableFuture<PullResult> pull = startPull(f, ref("app1"));
      assertThat(proxy.awaitStall(java.time.Duration.ofSeconds(30))).isTrue();
      java.util.concurrent.CompletableFuture<LoadResult> load =
          new java.util.concurrent.CompletableFuture<>();
      Thread loading =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      load.complete(
                          new Loader(f.graph, TagStore.open(f.graph))
                              .load(new ByteArrayInputStream(archive.toByteArray())));
                    } catch (Throwable t) {
                      load.completeExceptionally(t);
                    }
                  });
      // The load reaches the top node, which the pull is making: it waits for it (or, unguarded,
      // registers it under the pull).
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
      while (loading.getState() != Thread.State.WAITING
          && loading.getState() != Thread.State.TERMINATED
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      proxy.release();
      PullResult pulled = pull.get(60, java.util.concurrent.TimeUnit.SECONDS);
      LoadResult loaded = load.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(pulled.topNodeId()).isEqualTo(top);
      assertThat(loaded.images()).extracting(i -> i.id().hex()).containsExactly(top);
      assertImage(f, pulled, expectedTree(0));
      assertThat(f.graph.map()).hasSize(layers.size());
    }
  }
}
