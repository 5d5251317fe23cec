package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.PullOptions;
import dev.cairn.distribution.PushOptions;
import dev.cairn.distribution.PushResult;
import dev.cairn.image.Reference;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import java.io.IOException;
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

/** Pushing what the store holds to a real registry, and pulling it back. */
class PushTest {
  @TempDir static Path temp;
  @TempDir Path dir;
  static RegistryServer registry;
  static String host;

  static final Map<String, String> A = Map.of("etc/base", "base layer\n");
  static final Map<String, String> B = Map.of("app/run", "echo hi\n", "etc/base", "changed\n");

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryServer.start(temp.resolve("storage"), temp, "");
    host = registry.host();
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    layout.tag("1", layout.image("amd64", List.of(A, B)).manifest());
    Tools.push(layout.dir(), "1", host, "src/v2s2", "--format", "v2s2");
    Tools.push(layout.dir(), "1", host, "src/v2s1", "--format", "v2s1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private Store store(String name) throws IOException {
    return Store.open(dir.resolve(name), StoreOptions.defaults().withDriver("vfs"));
  }

  static Reference ref(String s) {
    return Reference.parse(host + "/" + s);
  }

  /** Pushes {@code from} (pulled first) as {@code to}, collecting the events. */
  static PushResult push(Store store, String to, List<ProgressEvent> events) throws IOException {
    return store.push(ref(to), PushOptions.defaults(), events::add);
  }

  private Store pulledAndTagged(String name, String source, String target) throws IOException {
    Store store = store(name);
    store.pull(ref(source), PullOptions.defaults(), e -> {});
    store.tag(ref(source).toString(), ref(target));
    return store;
  }

  @Test
  void aPushedImagePullsBackWithTheSameImageIdAndDiffIds() throws IOException {
    try (Store store = pulledAndTagged("a", "src/v2s2:1", "dst/a:1");
        Store back = store("back")) {
      List<ProgressEvent> events = new CopyOnWriteArrayList<>();
      PushResult r = push(store, "dst/a:1", events);

      assertThat(r.uploaded()).isEqualTo(2);
      assertThat(events).filteredOn(e -> e instanceof ProgressEvent.Pushed).hasSize(2);
      back.pull(ref("dst/a:1"), PullOptions.defaults(), e -> {});
      Image mine = store.image(ref("dst/a:1").toString());
      Image theirs = back.image(ref("dst/a:1").toString());
      assertThat(theirs.id()).isEqualTo(mine.id());
      assertThat(back.diffIds(theirs)).isEqualTo(store.diffIds(mine));
      // skopeo reads it too, and sees the digest the push reported
      String inspected =
          run(
              Tools.require("skopeo").toString(),
              "inspect",
              "--tls-verify=false",
              "docker://" + host + "/dst/a:1");
      assertThat(inspected).contains(r.manifestDigest().toString());
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aSecondPushUploadsNoBlobAndSaysTheLayersExist() throws IOException {
    try (Store store = pulledAndTagged("b", "src/v2s2:1", "dst/b:1")) {
      PushResult first = push(store, "dst/b:1", new CopyOnWriteArrayList<>());
      List<ProgressEvent> events = new CopyOnWriteArrayList<>();
      PushResult second = push(store, "dst/b:1", events);

      assertThat(second.uploaded()).isZero();
      assertThat(second.manifestDigest()).isEqualTo(first.manifestDigest());
      assertThat(events).filteredOn(e -> e instanceof ProgressEvent.AlreadyExists).hasSize(2);
    }
  }

  @Test
  void aPushToAnotherRepositoryOfTheRegistryMountsWhatThisProcessPushed() throws IOException {
    try (Store store = pulledAndTagged("c", "src/v2s2:1", "dst/c1:1")) {
      store.tag(ref("dst/c1:1").toString(), ref("dst/c2:1"));
      push(store, "dst/c1:1", new CopyOnWriteArrayList<>());
      List<ProgressEvent> events = new CopyOnWriteArrayList<>();
      PushResult r = push(store, "dst/c2:1", events);

      assertThat(r.uploaded()).isZero();
      assertThat(events)
          .filteredOn(e -> e instanceof ProgressEvent.Mounted)
          .extracting(e -> ((ProgressEvent.Mounted) e).repository())
          .containsOnly("dst/c1");
    }
  }

  @Test
  void aSchema1PulledImageIsPushedWithTheConfigSaveWritesAndPullsBack() throws IOException {
    try (Store store = pulledAndTagged("d", "src/v2s1:1", "dst/d:1");
        Store back = store("back-d")) {
      push(store, "dst/d:1", new CopyOnWriteArrayList<>());

      back.pull(ref("dst/d:1"), PullOptions.defaults(), e -> {});
      Image theirs = back.image(ref("dst/d:1").toString());
      Image mine = store.image(ref("dst/d:1").toString());
      assertThat(back.diffIds(theirs)).isEqualTo(store.diffIds(mine));
      // The config pushed is the one save writes, whose digest is the ID docker gives the image.
      java.io.ByteArrayOutputStream saved = new java.io.ByteArrayOutputStream();
      store.save(List.of(ref("dst/d:1").toString()), saved);
      assertThat(new String(saved.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1))
          .contains(theirs.id().hex() + ".json");
    }
  }

  @Test
  void twoConcurrentPushesOfSharedLayersUploadEachBlobOnce() throws Exception {
    try (Store store = pulledAndTagged("e", "src/v2s2:1", "dst/e:1")) {
      store.tag(ref("dst/e:1").toString(), ref("dst/e:2"));
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<PushResult> one =
            pool.submit(() -> push(store, "dst/e:1", new CopyOnWriteArrayList<>()));
        Future<PushResult> two =
            pool.submit(() -> push(store, "dst/e:2", new CopyOnWriteArrayList<>()));
        assertThat(one.get().uploaded() + two.get().uploaded()).isEqualTo(2);
      }
    }
  }

  @Test
  void anImageThatDoesNotExistIsRefusedAsDockerSaysIt() throws IOException {
    try (Store store = store("f")) {
      assertThatThrownBy(() -> push(store, "nothing/here:1", new CopyOnWriteArrayList<>()))
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
