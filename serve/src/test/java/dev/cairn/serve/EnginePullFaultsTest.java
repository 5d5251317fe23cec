package dev.cairn.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.distribution.PullOptions;
import dev.cairn.image.Reference;
import dev.cairn.registry.FaultProxy;
import dev.cairn.registry.FaultProxy.Fault;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.store.CheckProblem;
import dev.cairn.store.CheckResult;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull through the API held in the middle of a layer by a proxy in front of the registry: what
 * the server does meanwhile, and when the client hangs up.
 */
class EnginePullFaultsTest {
  @TempDir static Path temp;
  static RegistryServer registry;
  static FaultProxy proxy;
  static OciLayouts.Image image;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryServer.start(temp.resolve("registry"), temp, "");
    proxy = new FaultProxy(registry.host());
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    StringBuilder noise = new StringBuilder();
    Random random = new Random();
    for (int i = 0; i < 200_000; i++) {
      noise.append(Character.forDigit(random.nextInt(16), 16)); // fresh bytes each run
    }
    image = layout.image("amd64", List.of(Map.of("noise", noise.toString())));
    layout.tag("1", image.manifest());
    Tools.push(layout.dir(), "1", registry.host(), "serve/held");
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  /**
   * The store's registries give up on a silent download after 3 s and resume it: the proxy holds
   * the layer until released, and a released exchange goes silent rather than closed.
   */
  static StoreOptions options() {
    return StoreOptions.defaults()
        .withDriver("vfs")
        .withRegistry(
            RegistryOptions.defaults().withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(3)));
  }

  static String create(String ref) {
    Reference r = Reference.parse(ref);
    return "/v1.47/images/create?fromImage=" + r.name() + "&tag=" + r.tag();
  }

  @Test
  void fiftyImageListsAreAnsweredWhileAPullIsUnderWay() throws Exception {
    proxy.reset();
    proxy.plan("/blobs/" + image.layers().getFirst().digest(), Fault.STALL_MIDWAY);
    Path root = temp.resolve("lists");
    Path socket = temp.resolve("lists.sock");
    String ref = proxy.host() + "/serve/held:1";
    try (Store store = Store.open(root, options());
        EngineServer server = EngineServer.start(store, List.of("unix://" + socket));
        SocketClient pull = SocketClient.send(socket, "POST", create(ref))) {
      assertThat(proxy.awaitStall(Duration.ofSeconds(30))).isTrue();
      // the time the pull goes on with the held layer, from its own stream
      CompletableFuture<Long> resumed =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return pull.readUntil("Resuming at") ? System.nanoTime() : -1L;
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      List<String> answers = new CopyOnWriteArrayList<>();
      try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          done.add(
              clients.submit(
                  () -> {
                    answers.add(SocketClient.exchange(socket, "GET", "/v1.47/images/json"));
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      }
      long listed = System.nanoTime();
      assertThat(answers)
          .hasSize(50)
          .allSatisfy(
              a -> {
                assertThat(a).startsWith("HTTP/1.1 200 ");
                assertThat(a).contains("Content-Type: application/json").endsWith("[]\n");
              });
      proxy.release();
      assertThat(resumed.get())
          .as("every list answered while the pull still held its layer")
          .isGreaterThan(listed);
      assertThat(pull.readUntil("Status: Downloaded newer image for " + ref)).isTrue();
      assertThat(store.image(ref).id()).isEqualTo(image.config().digest());
    }
  }

  @Test
  void aClientThatHangsUpMidPullLeavesTheStoreConsistent() throws Exception {
    proxy.reset();
    proxy.plan("/blobs/" + image.layers().getFirst().digest(), Fault.STALL_MIDWAY);
    Path root = temp.resolve("hangup");
    Path socket = temp.resolve("hangup.sock");
    String ref = proxy.host() + "/serve/held:1";
    StoreOptions options = options();
    try (Store store = Store.open(root, options);
        EngineServer server = EngineServer.start(store, List.of("unix://" + socket))) {
      try (SocketClient pull = SocketClient.send(socket, "POST", create(ref))) {
        assertThat(proxy.awaitStall(Duration.ofSeconds(30))).isTrue();
        assertThat(pull.readUntil("Downloading")).isTrue();
      } // hung up
      proxy.release(); // the held download is resumed; the pull's next word finds nobody
      // the layer's lock is free again once the abandoned pull has let go, and a new pull works
      store.pull(Reference.parse(ref), PullOptions.defaults(), e -> {});
      assertThat(store.image(ref).id()).isEqualTo(image.config().digest());
    }
    List<CheckProblem> problems = new ArrayList<>();
    CheckResult check = Store.check(root, options, false, problems::add);
    assertThat(problems).isEmpty();
    assertThat(check.clean()).isTrue();
    assertThat(check.nodes()).isEqualTo(1);
  }

  @Test
  void aStopDuringAPullCutsItShortAndLeavesTheStoreConsistent() throws Exception {
    proxy.reset();
    proxy.plan("/blobs/" + image.layers().getFirst().digest(), Fault.STALL_MIDWAY);
    Path root = temp.resolve("stopped");
    Path socket = temp.resolve("stopped.sock");
    String ref = proxy.host() + "/serve/held:1";
    StoreOptions options = options();
    try (Store store = Store.open(root, options)) {
      EngineServer server =
          EngineServer.start(store, List.of("unix://" + socket), null, Duration.ofMillis(500));
      try (SocketClient pull = SocketClient.send(socket, "POST", create(ref))) {
        assertThat(proxy.awaitStall(Duration.ofSeconds(30))).isTrue();
        assertThat(pull.readUntil("Pulling fs layer")).isTrue();
        server.close(); // returns once the pull has ended: the store may be closed after it
        assertThat(socket).doesNotExist();
        assertThat(pull.readUntil("Status: ")).as("the pull did not finish").isFalse();
      } finally {
        proxy.release();
      }
      assertThat(store.imageSummaries(true)).isEmpty();
    }
    List<CheckProblem> problems = new ArrayList<>();
    assertThat(Store.check(root, options, false, problems::add).clean()).isTrue();
    assertThat(problems).isEmpty();
  }

  @Test
  void aLayerThatFailsVerificationAfterTheStreamBeganEndsItWithDockersErrorMessage()
      throws Exception {
    proxy.reset();
    Fault[] corrupt = {Fault.CORRUPT_BYTE, Fault.CORRUPT_BYTE, Fault.CORRUPT_BYTE};
    proxy.plan("/blobs/" + image.layers().getFirst().digest(), corrupt);
    Path socket = temp.resolve("corrupt.sock");
    String ref = proxy.host() + "/serve/held:1";
    try (Store store = Store.open(temp.resolve("corrupt"), options());
        EngineServer server = EngineServer.start(store, List.of("unix://" + socket))) {
      String answer = SocketClient.exchange(socket, "POST", create(ref));
      assertThat(answer).startsWith("HTTP/1.1 200 ").contains("Pulling from serve/held");
      List<String> messages = answer.lines().filter(l -> l.startsWith("{")).toList();
      assertThat(messages.getLast())
          .startsWith("{\"errorDetail\":{\"message\":")
          .contains(image.layers().getFirst().digest().toString())
          .contains("\"error\":");
      assertThat(store.imageSummaries(true)).isEmpty();
    }
  }

  @Test
  void aPullThroughTheApiGoesThroughTheStoresMirrorsAndKeepsTheNameAsked() throws Exception {
    proxy.reset();
    java.nio.file.Path conf =
        java.nio.file.Files.writeString(
            temp.resolve("registries.conf"),
            "[[registry]]\nlocation = \""
                + registry.host()
                + "\"\n[[registry.mirror]]\nlocation = \""
                + proxy.host()
                + "\"\n");
    Path socket = temp.resolve("mirrored.sock");
    String ref = registry.host() + "/serve/held:1";
    StoreOptions options =
        options()
            .withRegistry(
                RegistryOptions.defaults()
                    .withRegistries(dev.cairn.registry.RegistriesConf.read(conf)));
    try (Store store = Store.open(temp.resolve("mirrored"), options);
        EngineServer server = EngineServer.start(store, List.of("unix://" + socket))) {
      String answer = SocketClient.exchange(socket, "POST", create(ref));
      assertThat(answer)
          .contains("{\"status\":\"Manifest from mirror " + proxy.host() + "\"}")
          .contains("Status: Downloaded newer image for " + ref);
      assertThat(store.image(ref).references())
          .containsExactly(
              Reference.parse(ref),
              Reference.parse(registry.host() + "/serve/held@" + image.manifest().digest()));
    }
    assertThat(proxy.seen).anyMatch(s -> s.path().contains("/blobs/"));
  }
}
