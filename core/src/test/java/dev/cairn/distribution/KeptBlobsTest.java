package dev.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.graph.KnownBlob;
import dev.cairn.graph.PulledManifest;
import dev.cairn.image.Descriptor;
import dev.cairn.image.ImageManifest;
import dev.cairn.image.Platform;
import dev.cairn.image.Reference;
import dev.cairn.registry.FaultProxy;
import dev.cairn.registry.FaultProxy.Fault;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.store.CheckListener;
import dev.cairn.store.CheckProblem;
import dev.cairn.store.CheckResult;
import dev.cairn.store.DiskUsage;
import dev.cairn.store.KeptBlob;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

/**
 * What a push can reuse, filled by pulls from the real registry: the blobs each node is known
 * under, the kept original blobs ({@code --keep-blobs}) and the manifests images were pulled with.
 */
class KeptBlobsTest {
  @TempDir static Path temp;
  @TempDir Path store;
  static RegistryServer server;
  static FaultProxy proxy;
  static final List<OciLayouts.Image> images = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    byte[] noise = new byte[96 * 1024];
    new Random(5).nextBytes(noise);
    Map<String, String> base = new LinkedHashMap<>();
    base.put("etc/os", "base");
    base.put("noise", new String(noise, StandardCharsets.ISO_8859_1));
    for (int i = 1; i <= 2; i++) {
      OciLayouts.Image img =
          layout.image(
              "amd64", List.of(base, Map.of("lib/" + i, "lib " + i), Map.of("app/" + i, "a" + i)));
      images.add(img);
      layout.tag("app" + i, img.manifest());
      Tools.push(layout.dir(), "app" + i, server.host(), "test/app");
    }
    Tools.push(layout.dir(), "app1", server.host(), "test/other");
    Tools.push(layout.dir(), "app1", server.host(), "test/s1", "--format", "v2s1");
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

  static Reference ref(String repository, String tag) {
    return Reference.parse(proxy.host() + "/" + repository + ":" + tag);
  }

  static PullOptions amd64() {
    return PullOptions.defaults().withPlatform(Platform.parse("linux/amd64"));
  }

  static PullOptions keep() {
    return amd64().withKeepBlobs(true);
  }

  static Store open(Path root) throws IOException {
    return Store.open(root, StoreOptions.defaults().withDriver("vfs"));
  }

  static List<Digest> kept(Path root) throws IOException {
    Path dir = root.resolve("blobs/sha256");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> Digest.sha256Hex(p.getFileName().toString())).sorted().toList();
    }
  }

  static List<Digest> layerDigests(int... image) {
    List<Digest> out = new ArrayList<>();
    for (int i : image) {
      images.get(i).layers().forEach(l -> out.add(l.digest()));
    }
    return out.stream().distinct().sorted().toList();
  }

  @Test
  void aPullRecordsEachLayersBlobWithItsRegistryAndRepositoryAndKeepsTheManifest()
      throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      PullResult r = f.puller.pull(ref("test/app", "app1"), amd64(), ProgressListener.NONE);
      List<PulledManifest> manifests = f.graph.pulledManifests(r.topNodeId());
      assertThat(manifests).hasSize(1);
      PulledManifest m = manifests.getFirst();
      assertThat(m.digest()).isEqualTo(r.manifestDigest());
      assertThat(Digest.sha256(m.bytes())).isEqualTo(r.manifestDigest());
      assertThat(m.host()).isEqualTo(proxy.host());
      assertThat(m.repository()).isEqualTo("test/app");
      List<Descriptor> layers = ImageManifest.parse(m.bytes(), m.mediaType()).layers();
      for (int i = 0; i < layers.size(); i++) {
        Descriptor d = layers.get(i);
        String node = r.nodeIds().get(i);
        assertThat(f.graph.knownBlobs(node))
            .containsExactly(
                new KnownBlob(d.digest(), d.size(), d.mediaType(), proxy.host(), "test/app"));
        assertThat(Files.readString(store.resolve("graph/" + node + "/checksum")))
            .isEqualTo(d.digest().toString());
      }
    }
  }

  @Test
  void aPullOfThePresentImageFromAnotherRepositoryAddsAnEntryFirstAndDownloadsNoLayer()
      throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      f.puller.pull(ref("test/app", "app1"), amd64(), ProgressListener.NONE);
      proxy.reset();
      PullResult r = f.puller.pull(ref("test/other", "app1"), amd64(), ProgressListener.NONE);
      assertThat(r.upToDate()).as("a name new to the store, as docker tells it").isFalse();
      for (int i = 0; i < r.nodeIds().size(); i++) {
        Digest blob = images.get(0).layers().get(i).digest();
        assertThat(PullFixture.blobGets(proxy, blob.hex())).isZero();
        assertThat(f.graph.knownBlobs(r.nodeIds().get(i)))
            .extracting(KnownBlob::repository, KnownBlob::digest)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("test/other", blob),
                org.assertj.core.groups.Tuple.tuple("test/app", blob));
      }
      assertThat(f.graph.pulledManifests(r.topNodeId()))
          .extracting(PulledManifest::repository)
          .containsExactly("test/other", "test/app");
    }
  }

  @Test
  void theKnownBlobsOfANodeKeepTheNewestFifty() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      PullResult r = f.puller.pull(ref("test/app", "app1"), amd64(), ProgressListener.NONE);
      String base = r.nodeIds().getFirst();
      for (int i = 0; i < 60; i++) {
        f.graph.recordKnownBlob(
            base,
            new KnownBlob(
                Digest.sha256(("blob " + i).getBytes(StandardCharsets.UTF_8)),
                i,
                "application/vnd.oci.image.layer.v1.tar+gzip",
                "registry.example",
                "r/" + i));
      }
      List<KnownBlob> known = f.graph.knownBlobs(base);
      assertThat(known).hasSize(50);
      assertThat(known.getFirst().repository()).isEqualTo("r/59");
      assertThat(known.getLast().repository()).isEqualTo("r/10");
    }
  }

  @Test
  void concurrentPullsOfImagesSharingABaseEachRecordTheirRepository() throws Exception {
    try (PullFixture f = new PullFixture(store);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<PullResult>> results = new ArrayList<>();
      for (Reference r :
          List.of(ref("test/app", "app1"), ref("test/app", "app2"), ref("test/other", "app1"))) {
        for (int i = 0; i < 2; i++) {
          results.add(pool.submit(() -> f.puller.pull(r, amd64(), ProgressListener.NONE)));
        }
      }
      String base = results.getFirst().get().nodeIds().getFirst();
      for (Future<PullResult> r : results) {
        assertThat(r.get().nodeIds().getFirst()).isEqualTo(base);
      }
      assertThat(f.graph.knownBlobs(base))
          .extracting(KnownBlob::repository)
          .containsExactlyInAnyOrder("test/app", "test/other");
      // Threads recording at once into one node lose nothing: the file is read and written under
      // the node's lock.
      List<Future<?>> writes = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String repo = "many/" + i;
        writes.add(
            pool.submit(
                () ->
                    f.graph.recordKnownBlob(
                        base,
                        new KnownBlob(
                            images.get(0).layers().getFirst().digest(), 1, "t", "h", repo))));
      }
      for (Future<?> w : writes) {
        w.get();
      }
      assertThat(f.graph.knownBlobs(base)).hasSize(18);
    }
  }

  @Test
  void aCorruptKnownBlobsFileIsIgnoredWithAWarningAndWrittenAnew() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      PullResult r = f.puller.pull(ref("test/app", "app1"), amd64(), ProgressListener.NONE);
      String base = r.nodeIds().getFirst();
      Files.writeString(store.resolve("graph/" + base + "/v2metadata"), "[{\"Digest\":");
      assertThat(f.graph.knownBlobs(base)).isEmpty();
      List<ProgressEvent> events = new CopyOnWriteArrayList<>();
      f.puller.pull(ref("test/other", "app1"), amd64(), events::add);
      assertThat(events)
          .filteredOn(e -> e instanceof ProgressEvent.Warning)
          .singleElement()
          .asString()
          .contains(base)
          .contains("v2metadata");
      assertThat(f.graph.knownBlobs(base))
          .extracting(KnownBlob::repository)
          .containsExactly("test/other");
    }
  }

  @Test
  void keepBlobsKeepsExactlyTheImagesLayerBlobsEachHashingToItsName() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      f.puller.pull(ref("test/app", "app1"), keep(), ProgressListener.NONE);
      assertThat(kept(store)).isEqualTo(layerDigests(0));
      for (Digest d : kept(store)) {
        assertThat(Digest.sha256(Files.readAllBytes(store.resolve("blobs/sha256/" + d.hex()))))
            .isEqualTo(d);
      }
      for (OciLayouts.Blob layer : images.get(0).layers()) {
        assertThat(PullFixture.blobGets(proxy, layer.digest().hex())).isEqualTo(1);
      }
      try (Stream<Path> left = Files.list(store.resolve("graph/_tmp"))) {
        assertThat(left).isEmpty();
      }
    }
  }

  @Test
  void concurrentKeepingPullsSharingABaseDownloadAndKeepEachBlobOnce() throws Exception {
    try (PullFixture f = new PullFixture(store);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<PullResult>> results = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Reference r = ref("test/app", "app" + (i % 2 + 1));
        results.add(pool.submit(() -> f.puller.pull(r, keep(), ProgressListener.NONE)));
      }
      for (Future<PullResult> r : results) {
        r.get();
      }
      assertThat(kept(store)).isEqualTo(layerDigests(0, 1));
      for (Digest d : layerDigests(0, 1)) {
        assertThat(PullFixture.blobGets(proxy, d.hex())).as("GETs of %s", d).isEqualTo(1);
      }
    }
  }

  @Test
  void withoutKeepBlobsNoBlobIsKept() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      f.puller.pull(ref("test/app", "app1"), amd64(), ProgressListener.NONE);
      assertThat(kept(store)).isEmpty();
    }
  }

  @Test
  void keepBlobsOnAnImageAlreadyPresentFetchesOnlyTheBlobsNotKept() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      f.puller.pull(ref("test/app", "app1"), keep(), ProgressListener.NONE);
      f.puller.pull(ref("test/app", "app2"), amd64(), ProgressListener.NONE);
      proxy.reset();
      PullResult r = f.puller.pull(ref("test/app", "app2"), keep(), ProgressListener.NONE);
      assertThat(r.upToDate()).as("the image itself was up to date").isTrue();
      assertThat(kept(store)).isEqualTo(layerDigests(0, 1));
      OciLayouts.Image app2 = images.get(1);
      assertThat(PullFixture.blobGets(proxy, app2.layers().get(0).digest().hex())).isZero();
      assertThat(PullFixture.blobGets(proxy, app2.layers().get(1).digest().hex())).isEqualTo(1);
      assertThat(PullFixture.blobGets(proxy, app2.layers().get(2).digest().hex())).isEqualTo(1);
      proxy.reset();
      f.puller.pull(ref("test/app", "app2"), keep(), ProgressListener.NONE);
      assertThat(PullFixture.allBlobGets(proxy, List.of())).isZero();
    }
  }

  @Test
  void theStoreServesKeptBlobsAndTheConfigByDigest() throws Exception {
    try (Store s =
        Store.open(store, StoreOptions.defaults().withDriver("vfs").withKeepBlobs(true))) {
      PullResult r = s.pull(ref("test/app", "app1"), amd64(), ProgressListener.NONE);
      for (OciLayouts.Blob b : images.get(0).layers()) {
        KeptBlob k = s.keptBlob(b.digest()).orElseThrow();
        assertThat(k.size()).isEqualTo(b.size());
        try (InputStream in = k.open()) {
          assertThat(in.readAllBytes()).isEqualTo(b.bytes());
        }
      }
      KeptBlob config = s.keptBlob(r.imageId()).orElseThrow();
      try (InputStream in = config.open()) {
        assertThat(Digest.sha256(in.readAllBytes())).isEqualTo(r.imageId());
      }
      assertThat(s.keptBlob(Digest.sha256(new byte[] {1}))).isEmpty();
      PulledManifest m =
          s.pulledManifest(r.imageId().toString(), proxy.host(), "test/app").orElseThrow();
      assertThat(m.digest()).isEqualTo(r.manifestDigest());
    }
  }

  @Test
  void aSchema1PullRecordsItsSignedManifestAndBlobsAndFsckAcceptsThem() throws Exception {
    try (Store s = open(store)) {
      PullResult r = s.pull(ref("test/s1", "app1"), keep(), ProgressListener.NONE);
      PulledManifest m = s.pulledManifest(r.topNodeId(), proxy.host(), "test/s1").orElseThrow();
      assertThat(m.digest()).isEqualTo(r.manifestDigest());
      assertThat(dev.cairn.image.Schema1Manifest.parse(m.bytes()).digest())
          .isEqualTo(r.manifestDigest());
      assertThat(s.knownBlobs(r.topNodeId()))
          .extracting(KnownBlob::repository, KnownBlob::size)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("test/s1", -1L));
      // The schema1 conversion names the same gzipped layers as the image pushed.
      assertThat(kept(store)).isEqualTo(layerDigests(0));
    }
    assertThat(check(store, false).lines()).isEmpty();
  }

  @Test
  void aSharedBlobStaysUntilTheLastImageUsingItIsRemoved() throws Exception {
    try (Store s = open(store)) {
      s.pull(ref("test/app", "app1"), keep(), ProgressListener.NONE);
      s.pull(ref("test/app", "app2"), keep(), ProgressListener.NONE);
      Digest shared = images.get(0).layers().getFirst().digest();
      s.remove(ref("test/app", "app1").toString(), false);
      assertThat(kept(store)).isEqualTo(layerDigests(1)).contains(shared);
      s.remove(ref("test/app", "app2").toString(), false);
      assertThat(kept(store)).isEmpty();
    }
  }

  @Test
  void pruneTakesTheKeptBlobsOfTheImagesItRemoves() throws Exception {
    try (Store s = open(store)) {
      s.pull(ref("test/app", "app1"), keep(), ProgressListener.NONE);
      s.pull(ref("test/app", "app2"), keep(), ProgressListener.NONE);
      s.remove(ref("test/app", "app2").toString(), false);
      assertThat(kept(store)).isEqualTo(layerDigests(0));
      s.prune(
          dev.cairn.store.PruneOptions.of(
              true, List.of(), java.time.Instant.now(), java.time.ZoneOffset.UTC));
      assertThat(s.images(true)).isEmpty();
      assertThat(kept(store)).isEmpty();
    }
  }

  @Test
  void diskUsageCountsTheKeptBlobsWithTheImages() throws Exception {
    try (Store s = open(store)) {
      s.pull(ref("test/app", "app1"), amd64(), ProgressListener.NONE);
      DiskUsage before = s.diskUsage();
      assertThat(before.keptBlobs()).isZero();
      s.pull(ref("test/app", "app1"), keep(), ProgressListener.NONE);
      DiskUsage after = s.diskUsage();
      long bytes = images.get(0).layers().stream().mapToLong(OciLayouts.Blob::size).sum();
      assertThat(after.keptBlobs()).isEqualTo(3);
      assertThat(after.keptBlobsSize()).isEqualTo(bytes);
      assertThat(after.totalSize()).isEqualTo(before.layersSize() + bytes);
      assertThat(after.reclaimable()).isEqualTo(before.reclaimable() + bytes);
      s.mount(ref("test/app", "app1").toString());
      assertThat(s.diskUsage().reclaimable()).isZero();
    }
  }

  record Check(CheckResult result, List<String> lines) {}

  static Check check(Path root, boolean repair) throws IOException {
    List<String> lines = new ArrayList<>();
    CheckResult r =
        Store.check(
            root,
            StoreOptions.defaults().withDriver("vfs"),
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
    return new Check(r, lines);
  }

  @Test
  void fsckPassesKeptBlobsAndFindsACorruptOneAndAnOrphanWhichARepairRemoves() throws Exception {
    try (Store s = open(store)) {
      s.pull(ref("test/app", "app1"), keep(), ProgressListener.NONE);
    }
    assertThat(check(store, false).result().clean()).isTrue();
    Digest top = images.get(0).layers().getLast().digest();
    Path file = store.resolve("blobs/sha256/" + top.hex());
    byte[] b = Files.readAllBytes(file);
    b[b.length / 2] ^= 1;
    Files.write(file, b);
    Digest orphan = Digest.sha256("nobody's".getBytes(StandardCharsets.UTF_8));
    Files.writeString(store.resolve("blobs/sha256/" + orphan.hex()), "nobody's");
    Check found = check(store, false);
    assertThat(found.result().problems()).isEqualTo(2);
    assertThat(found.lines())
        .anyMatch(l -> l.contains(top.hex()) && l.contains("hash to"))
        .anyMatch(l -> l.contains(orphan.hex()) && l.contains("no node"));
    Check repaired = check(store, true);
    assertThat(repaired.result().unrepaired()).isZero();
    assertThat(kept(store))
        .isEqualTo(layerDigests(0).stream().filter(d -> !d.equals(top)).toList());
    assertThat(check(store, false).result().clean()).isTrue();
  }

  @Test
  void fsckReportsAMalformedKnownBlobsFileAndARepairRemovesOnlyThatFile() throws Exception {
    String base;
    try (Store s = open(store)) {
      base = s.pull(ref("test/app", "app1"), amd64(), ProgressListener.NONE).nodeIds().getFirst();
    }
    Files.writeString(store.resolve("graph/" + base + "/v2metadata"), "{}");
    Check found = check(store, false);
    assertThat(found.lines()).singleElement().asString().contains(base).contains("v2metadata");
    check(store, true);
    assertThat(store.resolve("graph/" + base + "/v2metadata")).doesNotExist();
    assertThat(store.resolve("graph/" + base)).isDirectory();
    assertThat(check(store, false).result().clean()).isTrue();
  }

  private void awaitBlobLeftover() throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try (Stream<Path> left = Files.list(store.resolve("graph/_tmp"))) {
        if (left.anyMatch(p -> p.getFileName().toString().startsWith("blob-"))) {
          return;
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // the child has not made the store yet
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aPullKilledMidDownloadLeavesNoHalfBlobUnderBlobs() throws Exception {
    OciLayouts.Blob base = images.get(0).layers().getFirst();
    proxy.plan("/blobs/" + base.digest(), Fault.STALL_MIDWAY);
    Process child =
        new ProcessBuilder(
                PullChild.command(
                    store.toString(), ref("test/app", "app1").toString(), "30", "keep"))
            .redirectErrorStream(true)
            .start();
    try {
      assertThat(proxy.awaitStall(java.time.Duration.ofSeconds(60))).isTrue();
      awaitBlobLeftover(); // the child has begun to copy the blob
    } finally {
      child.destroyForcibly(); // SIGKILL, with the base blob half written
      child.waitFor();
      proxy.release();
    }
    assertThat(kept(store)).isEmpty();
    try (Stream<Path> left = Files.list(store.resolve("graph/_tmp"))) {
      assertThat(left.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("blob-"));
    }
    Check found = check(store, false);
    assertThat(found.lines()).anyMatch(l -> l.contains("graph/_tmp/blob-"));
    try (PullFixture f = new PullFixture(store)) { // alone on the store: leftovers are removed
      try (Stream<Path> left = Files.list(store.resolve("graph/_tmp"))) {
        assertThat(left).isEmpty();
      }
      f.puller.pull(ref("test/app", "app1"), keep(), ProgressListener.NONE);
      assertThat(kept(store)).isEqualTo(layerDigests(0));
    }
  }
}
