package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.PullOptions;
import dev.cairn.distribution.PullResult;
import dev.cairn.distribution.PushOptions;
import dev.cairn.distribution.PushResult;
import dev.cairn.image.Descriptor;
import dev.cairn.image.ImageManifest;
import dev.cairn.image.MediaType;
import dev.cairn.image.Reference;
import dev.cairn.registry.FaultProxy;
import dev.cairn.registry.FetchedManifest;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.Registry;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.RetryPolicy;
import dev.cairn.registry.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushing what the store holds to a real registry, and pulling it back. Images come from a source
 * registry; pushes go to that registry (where the blobs can be found or mounted) or to a target
 * registry (where they cannot).
 */
class PushTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static RegistryServer source;
  static RegistryServer target;
  static String host;
  static dev.cairn.digest.Digest amd64Manifest;

  static final Map<String, String> A = Map.of("etc/base", "base layer\n");
  static final Map<String, String> B = Map.of("app/run", "echo hi\n", "etc/base", "changed\n");

  @BeforeAll
  static void start() throws Exception {
    source = RegistryServer.start(temp.resolve("source"), temp, "");
    target = RegistryServer.start(temp.resolve("target"), temp, "");
    host = source.host();
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    layout.tag("1", layout.image("amd64", List.of(A, B)).manifest());
    Tools.push(layout.dir(), "1", host, "src/v2s2", "--format", "v2s2");
    Tools.push(layout.dir(), "1", host, "src/v2s1", "--format", "v2s1");
    Tools.push(layout.dir(), "1", host, "src/oci", "--format", "oci");
    OciLayouts.Image amd64 = layout.image("amd64", List.of(A, B));
    OciLayouts.Image arm64 = layout.image("arm64", List.of(B));
    layout.tag("multi", layout.index(List.of(amd64, arm64), List.of("amd64", "arm64")));
    Tools.push(layout.dir(), "multi", host, "src/multi", "--multi-arch", "all");
    amd64Manifest = amd64.manifest().digest();
  }

  @AfterAll
  static void stop() throws Exception {
    for (RegistryServer r : new RegistryServer[] {source, target}) {
      if (r != null) {
        r.close();
      }
    }
  }

  private Store store(String name) throws IOException {
    return Store.open(dir.resolve(name), StoreOptions.defaults().withDriver("vfs"));
  }

  /** {@code s} on the source registry. */
  static Reference ref(String s) {
    return Reference.parse(host + "/" + s);
  }

  /** {@code s} on the target registry. */
  static Reference far(String s) {
    return Reference.parse(target.host() + "/" + s);
  }

  static PushResult push(Store store, Reference to, List<ProgressEvent> events) throws IOException {
    return store.push(to, PushOptions.defaults(), events::add);
  }

  private Store pulledAndTagged(String name, String from, Reference to) throws IOException {
    Store store = store(name);
    store.pull(ref(from), PullOptions.defaults(), e -> {});
    store.tag(ref(from).toString(), to);
    return store;
  }

  /** The target's requests once it has logged {@code n} manifest PUTs to {@code ref}. */
  static List<RegistryServer.Request> logged(Reference ref, int n) throws Exception {
    String put = "/v2/" + ref.path() + "/manifests/" + ref.tag();
    return target.requestsUntil(
        all ->
            all.stream().filter(q -> q.method().equals("PUT") && q.target().equals(put)).count()
                >= n);
  }

  /**
   * The digests of the blobs whose upload into one of {@code repos} {@code requests} finished, but
   * {@code config}.
   */
  static List<String> layerUploads(
      List<RegistryServer.Request> requests, Digest config, String... repos) {
    return requests.stream()
        .filter(
            q ->
                q.method().equals("PUT")
                    && java.util.Arrays.stream(repos)
                        .anyMatch(r -> q.target().startsWith("/v2/" + r + "/blobs/uploads/")))
        .map(
            q ->
                java.net.URLDecoder.decode(
                    q.target().replaceFirst(".*[?&]digest=([^&]+).*", "$1"),
                    java.nio.charset.StandardCharsets.UTF_8))
        .filter(d -> !d.equals(config.toString()))
        .toList();
  }

  private static List<ProgressEvent> events() {
    return new CopyOnWriteArrayList<>();
  }

  @Test
  void aLayerNoRegistryHoldsIsCompressedAgainAndTheImagePullsBackWithTheSameIds()
      throws IOException {
    try (Store store = pulledAndTagged("a", "src/v2s2:1", far("dst/a:1"));
        Store back = store("back")) {
      List<ProgressEvent> events = events();
      PushResult r = push(store, far("dst/a:1"), events);

      assertThat(r.uploaded()).isEqualTo(2);
      assertThat(events).filteredOn(e -> e instanceof ProgressEvent.Pushed).hasSize(2);
      back.pull(far("dst/a:1"), PullOptions.defaults(), e -> {});
      Image mine = store.image(far("dst/a:1").toString());
      Image theirs = back.image(far("dst/a:1").toString());
      assertThat(theirs.id()).isEqualTo(mine.id());
      assertThat(back.diffIds(theirs)).isEqualTo(store.diffIds(mine));
      // skopeo reads it too, and sees the digest the push reported
      String inspected =
          run(
              Tools.require("skopeo").toString(),
              "inspect",
              "--tls-verify=false",
              "docker://" + far("dst/a:1"));
      assertThat(inspected).contains(r.manifestDigest().toString());
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aPushToTheRegistryAnImageCameFromMountsItsBlobsAndKeepsItsManifestDigest()
      throws IOException {
    try (Store store = store("m")) {
      PullResult pulled = store.pull(ref("src/v2s2:1"), PullOptions.defaults(), e -> {});
      store.tag(ref("src/v2s2:1").toString(), ref("dst/m:1"));
      List<ProgressEvent> events = events();
      PushResult r = push(store, ref("dst/m:1"), events);

      assertThat(r.uploaded()).isZero();
      assertThat(events)
          .filteredOn(e -> e instanceof ProgressEvent.Mounted)
          .extracting(e -> ((ProgressEvent.Mounted) e).repository())
          .containsExactly("src/v2s2", "src/v2s2");
      assertThat(r.manifestDigest()).isEqualTo(pulled.manifestDigest());
    }
  }

  @Test
  void anOciImageIsPushedAsOciTheSameDigestWhereItsBlobsAreAndANewOciManifestElsewhere()
      throws IOException {
    try (Store store = store("o");
        Registry far = Registry.open(target.host(), RegistryOptions.defaults())) {
      PullResult pulled = store.pull(ref("src/oci:1"), PullOptions.defaults(), e -> {});
      store.tag(ref("src/oci:1").toString(), ref("dst/o:1"));
      store.tag(ref("src/oci:1").toString(), far("dst/o:1"));

      assertThat(push(store, ref("dst/o:1"), events()).manifestDigest())
          .isEqualTo(pulled.manifestDigest());
      PushResult elsewhere = push(store, far("dst/o:1"), events());
      assertThat(elsewhere.manifestDigest()).isNotEqualTo(pulled.manifestDigest());
      FetchedManifest m = far.manifest("dst/o", "1");
      assertThat(m.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
      assertThat(ImageManifest.parse(m.bytes(), m.mediaType()).layers())
          .extracting(Descriptor::mediaType)
          .containsOnly(MediaType.OCI_LAYER_GZIP);
    }
  }

  @Test
  void anImagePulledThroughAnIndexIsPushedAsTheOnePlatformImageTheStoreHolds() throws IOException {
    try (Store store = store("x");
        Registry registry = Registry.open(host, RegistryOptions.defaults())) {
      store.pull(
          ref("src/multi:multi"),
          PullOptions.defaults().withPlatform(dev.cairn.image.Platform.parse("linux/amd64")),
          e -> {});
      store.tag(ref("src/multi:multi").toString(), ref("dst/x:1"));
      PushResult r = push(store, ref("dst/x:1"), events());

      assertThat(r.manifestDigest()).isEqualTo(amd64Manifest);
      assertThat(registry.manifest("dst/x", "1").mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    }
  }

  @Test
  void keptBlobsAreSentUnchangedSoTheManifestDigestIsTheSourcesOnAnotherRegistry()
      throws IOException {
    try (Store store = store("k")) {
      PullResult pulled =
          store.pull(ref("src/v2s2:1"), PullOptions.defaults().withKeepBlobs(true), e -> {});
      store.tag(ref("src/v2s2:1").toString(), far("dst/k:1"));
      List<ProgressEvent> events = events();
      PushResult r = push(store, far("dst/k:1"), events);

      assertThat(r.uploaded()).isEqualTo(2);
      assertThat(r.manifestDigest()).isEqualTo(pulled.manifestDigest());
    }
  }

  @Test
  void aSecondPushFromAFreshlyOpenedStoreUploadsNothingAndSaysTheLayersExist() throws IOException {
    PushResult first;
    try (Store store = pulledAndTagged("b", "src/v2s2:1", far("dst/b:1"))) {
      first = push(store, far("dst/b:1"), events());
    }
    try (Store store = store("b")) {
      List<ProgressEvent> events = events();
      PushResult second = push(store, far("dst/b:1"), events);

      assertThat(second.uploaded()).isZero();
      assertThat(second.manifestDigest()).isEqualTo(first.manifestDigest());
      assertThat(events).filteredOn(e -> e instanceof ProgressEvent.Exists).hasSize(2);
    }
  }

  @Test
  void aPushRecordsWhereEachLayerWentAndAPushToAnotherRepositoryMountsFromThere() throws Exception {
    try (Store store = pulledAndTagged("c", "src/v2s2:1", far("dst/c1:1"))) {
      store.tag(far("dst/c1:1").toString(), far("dst/c2:1"));
      push(store, far("dst/c1:1"), events());
      Image image = store.image(far("dst/c1:1").toString());
      assertThat(store.knownBlobs(image.top().id()))
          .anySatisfy(
              k -> {
                assertThat(k.host()).isEqualTo(target.host());
                assertThat(k.repository()).isEqualTo("dst/c1");
              });

      List<ProgressEvent> events = events();
      PushResult r = push(store, far("dst/c2:1"), events);
      assertThat(r.uploaded()).isZero();
      assertThat(events)
          .filteredOn(e -> e instanceof ProgressEvent.Mounted)
          .extracting(e -> ((ProgressEvent.Mounted) e).repository())
          .containsOnly("dst/c1");
      List<RegistryServer.Request> log = logged(far("dst/c2:1"), 1);
      assertThat(log)
          .filteredOn(
              q ->
                  q.method().equals("POST")
                      && q.target().startsWith("/v2/dst/c2/")
                      && q.target().contains("mount="))
          .hasSize(2)
          .allSatisfy(
              q -> {
                assertThat(q.target()).contains("from=dst%2Fc1");
                assertThat(q.status()).isEqualTo(201);
              });
      assertThat(layerUploads(log, image.id(), "dst/c1")).hasSize(2);
      assertThat(layerUploads(log, image.id(), "dst/c2")).isEmpty();
    }
  }

  @Test
  void aSchema1PulledImageIsPushedWithTheConfigSaveWritesAndPullsBack() throws IOException {
    try (Store store = pulledAndTagged("d", "src/v2s1:1", far("dst/d:1"));
        Store back = store("back-d")) {
      push(store, far("dst/d:1"), events());

      back.pull(far("dst/d:1"), PullOptions.defaults(), e -> {});
      Image theirs = back.image(far("dst/d:1").toString());
      Image mine = store.image(far("dst/d:1").toString());
      assertThat(back.diffIds(theirs)).isEqualTo(store.diffIds(mine));
      // The config pushed is the one save writes, whose digest is the ID docker gives the image.
      java.io.ByteArrayOutputStream saved = new java.io.ByteArrayOutputStream();
      store.save(List.of(far("dst/d:1").toString()), saved);
      assertThat(new String(saved.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1))
          .contains(theirs.id().hex() + ".json");
    }
  }

  @Test
  void twoConcurrentPushesOfSharedLayersUploadEachBlobOnce() throws Exception {
    try (Store store = pulledAndTagged("e", "src/v2s2:1", far("dst/e:1"))) {
      store.tag(far("dst/e:1").toString(), far("dst/e:2"));
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<PushResult> one = pool.submit(() -> push(store, far("dst/e:1"), events()));
        Future<PushResult> two = pool.submit(() -> push(store, far("dst/e:2"), events()));
        assertThat(one.get().uploaded() + two.get().uploaded()).isEqualTo(2);
      }
      assertThat(
              layerUploads(
                  logged(far("dst/e:2"), 1), store.image(far("dst/e:1").toString()).id(), "dst/e"))
          .as("each layer uploaded once")
          .doesNotHaveDuplicates()
          .hasSize(2);
    }
  }

  @Test
  void twoProcessesPushingImagesThatShareLayersUploadEachBlobOnce() throws Exception {
    try (Store store = pulledAndTagged("p", "src/v2s2:1", far("dst/p1:1"))) {
      store.tag(far("dst/p1:1").toString(), far("dst/p2:1"));
    }
    Digest config;
    try (Store store = store("p")) {
      config = store.image(far("dst/p1:1").toString()).id();
    }
    Path root = dir.resolve("p");
    Process one =
        new ProcessBuilder(
                StoreChild.command("push", root.toString(), "vfs", far("dst/p1:1").toString()))
            .start();
    Process two =
        new ProcessBuilder(
                StoreChild.command("push", root.toString(), "vfs", far("dst/p2:1").toString()))
            .start();
    int uploaded = 0;
    for (Process p : List.of(one, two)) {
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      String err =
          new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(err).isZero();
      uploaded += Integer.parseInt(out.strip());
    }
    assertThat(uploaded).isEqualTo(2);
    List<RegistryServer.Request> log =
        target.requestsUntil(
            all ->
                all.stream()
                        .filter(
                            q ->
                                q.method().equals("PUT")
                                    && q.target().matches("/v2/dst/p[12]/manifests/1"))
                        .count()
                    == 2);
    assertThat(layerUploads(log, config, "dst/p1", "dst/p2")).doesNotHaveDuplicates().hasSize(2);
  }

  @Test
  void aLayerThatCannotBeUploadedFailsThePushInOneLineAndNoManifestIsWritten() throws Exception {
    try (FaultProxy proxy = new FaultProxy(target.host());
        Store store =
            Store.open(
                dir.resolve("fault"),
                StoreOptions.defaults()
                    .withDriver("vfs")
                    .withRegistry(
                        RegistryOptions.defaults()
                            .withRetry(
                                new RetryPolicy(
                                    2,
                                    java.time.Duration.ofMillis(1),
                                    java.time.Duration.ofMillis(1),
                                    java.time.Duration.ofSeconds(5)))))) {
      Reference to = Reference.parse(proxy.host() + "/dst/fault:1");
      store.pull(ref("src/v2s2:1"), PullOptions.defaults(), e -> {});
      store.tag(ref("src/v2s2:1").toString(), to);
      // every PUT that would close an upload of the layer or the config answers 500
      FaultProxy.Fault[] failures = new FaultProxy.Fault[20];
      java.util.Arrays.fill(failures, FaultProxy.Fault.STATUS_500);
      proxy.plan("PUT /v2/dst/fault/blobs/uploads/", failures);

      assertThatThrownBy(() -> push(store, to, events()))
          .isInstanceOf(CairnException.class)
          .satisfies(
              e ->
                  assertThat(e.getMessage())
                      .doesNotContain("\n")
                      .startsWith("layer sha256:")
                      .contains("dst/fault"));
      assertThat(proxy.seen).noneMatch(q -> q.path().contains("/manifests/"));
    }
  }

  @Test
  void v2s1PushesASchema1ManifestSignedWithTheStoresKeyThatPullsBackWithTheSameLayers()
      throws Exception {
    PushOptions v2s1 = PushOptions.defaults().withFormat(PushOptions.Format.V2S1);
    try (Store store = pulledAndTagged("s1", "src/v2s2:1", far("dst/s1:1"));
        Store back = store("back-s1");
        Registry registry = Registry.open(target.host(), RegistryOptions.defaults())) {
      PushResult r = store.push(far("dst/s1:1"), v2s1, events()::add);

      FetchedManifest served = registry.manifest("dst/s1", "1");
      assertThat(served.mediaType())
          .isIn(MediaType.DOCKER_SCHEMA1_SIGNED, MediaType.DOCKER_SCHEMA1);
      // the registry keeps the payload and signs it anew: the digest is the payload's, ours
      assertThat(served.digest()).isEqualTo(r.manifestDigest());
      back.pull(far("dst/s1:1"), PullOptions.defaults(), e -> {});
      assertThat(back.diffIds(back.image(far("dst/s1:1").toString())))
          .isEqualTo(store.diffIds(store.image(far("dst/s1:1").toString())));

      Path key = dir.resolve("s1").resolve("trust").resolve("key.json");
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(key)))
          .isEqualTo("rw-------");
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(key.getParent())))
          .isEqualTo("rwx------");
      String made = Files.readString(key);
      assertThat(made).startsWith("{\"crv\":\"P-256\",\"d\":");
      store.tag(far("dst/s1:1").toString(), far("dst/s1:2"));
      store.push(far("dst/s1:2"), v2s1, events()::add);
      assertThat(Files.readString(key)).as("made once").isEqualTo(made);
    }
  }

  @Test
  void aRegistryThatRefusesSchema1FailsAV2s1PushInOneLine() throws Exception {
    try (RegistryServer modern = RegistryServer.start(temp.resolve("modern"), temp, "", false);
        Store store = store("modern")) {
      Reference to = Reference.parse(modern.host() + "/dst/modern:1");
      store.pull(ref("src/v2s2:1"), PullOptions.defaults(), e -> {});
      store.tag(ref("src/v2s2:1").toString(), to);

      assertThatThrownBy(
              () ->
                  store.push(
                      to,
                      PushOptions.defaults().withFormat(PushOptions.Format.V2S1),
                      events()::add))
          .isInstanceOf(CairnException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
          .hasMessageStartingWith(
              modern.host()
                  + " refused the schema1 manifest: schema1 is disabled there (Distribution's"
                  + " default since 2.8); push without --format v2s1: putting manifest 1 of"
                  + " dst/modern to "
                  + modern.host()
                  + ": ");
    }
  }

  @Test
  void anImageThatDoesNotExistIsRefusedAsDockerSaysIt() throws IOException {
    try (Store store = store("f")) {
      assertThatThrownBy(() -> push(store, ref("nothing/here:1"), events()))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND))
          .hasMessage("An image does not exist locally with the tag: " + host + "/nothing/here");
    }
  }

  static String run(String... command) throws IOException, InterruptedException {
    return Tools.run(List.of(command));
  }
}
