package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.PullOptions;
import dev.cairn.image.Reference;
import dev.cairn.registry.CredentialSource;
import dev.cairn.registry.Credentials;
import dev.cairn.registry.FaultProxy;
import dev.cairn.registry.FaultProxy.Fault;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistriesConf;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.RetryPolicy;
import dev.cairn.registry.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls through registries.conf's mirrors: the real Distribution registry as a pull-through cache
 * ({@code proxy.remoteurl}) in front of a real upstream registry, faults from a proxy before it.
 */
class MirrorPullTest {
  @TempDir static Path temp;
  static RegistryServer upstream;
  static RegistryServer cache;
  static FaultProxy faults;
  static OciLayouts.Image image;
  static String ref;

  @BeforeAll
  static void start() throws Exception {
    upstream = RegistryServer.start(temp.resolve("upstream"), temp.resolve("u"), "");
    cache = RegistryServer.start(temp.resolve("cache"), temp.resolve("c"), proxyOf(upstream));
    faults = new FaultProxy(cache.host());
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    image =
        layout.image("amd64", List.of(Map.of("etc/os", "mirrored\n"), Map.of("bin/app", "1\n")));
    layout.tag("1", image.manifest());
    Tools.push(layout.dir(), "1", upstream.host(), "serve/app");
    ref = upstream.host() + "/serve/app:1";
  }

  @AfterAll
  static void stop() throws Exception {
    if (faults != null) {
      faults.close();
    }
    for (RegistryServer r : new RegistryServer[] {cache, upstream}) {
      if (r != null) {
        r.close();
      }
    }
  }

  static String proxyOf(RegistryServer remote) {
    return "proxy:\n  remoteurl: http://" + remote.host() + "\n";
  }

  /** registries.conf with {@code mirrorLines} under the upstream's entry. */
  static RegistriesConf conf(String name, String entry) throws IOException {
    Path file = temp.resolve(name + ".conf");
    Files.writeString(file, "[[registry]]\nlocation = \"" + upstream.host() + "\"\n" + entry);
    return RegistriesConf.read(file);
  }

  static String mirror(String host) {
    return "[[registry.mirror]]\nlocation = \"" + host + "\"\n";
  }

  static Store store(String name, RegistriesConf conf) throws IOException {
    return store(name, RegistryOptions.defaults().withRegistries(conf));
  }

  static Store store(String name, RegistryOptions registry) throws IOException {
    return Store.open(
        temp.resolve("stores").resolve(name),
        StoreOptions.defaults().withDriver("vfs").withRegistry(registry));
  }

  static List<ProgressEvent> pull(Store store, String reference) throws IOException {
    List<ProgressEvent> events = new CopyOnWriteArrayList<>();
    store.pull(Reference.parse(reference), PullOptions.defaults(), events::add);
    return events;
  }

  static String hex(OciLayouts.Blob b) {
    return b.digest().hex().substring(0, 12);
  }

  @Test
  void aPullThroughTheMirrorTakesEveryObjectFromItAndKeepsTheUsersNames() throws Exception {
    List<ImageSummary> direct;
    try (Store plain = store("direct", RegistriesConf.none())) {
      pull(plain, ref);
      direct = plain.imageSummaries(false);
    }
    try (Store s = store("through", conf("through", mirror(cache.host())))) {
      List<ProgressEvent> events = pull(s, ref);
      assertThat(events).noneMatch(e -> e instanceof ProgressEvent.MirrorSkipped);
      assertThat(events)
          .filteredOn(e -> e instanceof ProgressEvent.FromMirror)
          .extracting(e -> ((ProgressEvent.FromMirror) e).object())
          .contains("manifest", "config", "layer");
      assertThat(s.imageSummaries(false)).isEqualTo(direct);
      assertThat(direct.getFirst().repoTags()).containsExactly(Reference.parse(ref));
      assertThat(direct.getFirst().repoDigests())
          .containsExactly(
              Reference.parse(upstream.host() + "/serve/app@" + image.manifest().digest()));
    }
    assertThat(cache.requestsUntil(r -> r.size() >= 4))
        .anyMatch(r -> r.target().contains("/blobs/" + image.layers().getLast().digest()));
  }

  @Test
  void aMirrorServingACorruptBlobIsPassedOverAndTheRegistrysVerifiedBlobIsUsed() throws Exception {
    faults.reset();
    OciLayouts.Blob layer = image.layers().getFirst();
    faults.plan("/blobs/" + layer.digest(), Fault.CORRUPT_BYTE);
    try (Store s = store("corrupt", conf("corrupt", mirror(faults.host())))) {
      List<ProgressEvent> events = pull(s, ref);
      assertThat(events)
          .filteredOn(e -> e instanceof ProgressEvent.MirrorSkipped)
          .singleElement()
          .satisfies(
              e -> {
                ProgressEvent.MirrorSkipped m = (ProgressEvent.MirrorSkipped) e;
                assertThat(m.layer()).isEqualTo(hex(layer));
                assertThat(m.host()).isEqualTo(faults.host());
              });
      assertThat(s.image(ref).id()).isEqualTo(image.config().digest());
    }
  }

  @Test
  void aDigestOnlyMirrorServesPullsByDigestAndNotByTag() throws Exception {
    faults.reset();
    RegistriesConf c =
        conf("digests", mirror(faults.host()) + "pull-from-mirror = \"digest-only\"\n");
    try (Store s = store("by-tag", c)) {
      assertThat(pull(s, ref)).noneMatch(e -> e instanceof ProgressEvent.FromMirror);
    }
    assertThat(faults.seen).isEmpty();
    try (Store s = store("by-digest", c)) {
      pull(s, upstream.host() + "/serve/app@" + image.manifest().digest());
    }
    assertThat(faults.seen).anyMatch(r -> r.path().contains("/manifests/"));
  }

  @Test
  void aBlockedNameIsRefusedNamingTheFile() throws Exception {
    Path file = temp.resolve("blocked.conf");
    Files.writeString(
        file, "[[registry]]\nprefix = \"" + upstream.host() + "/serve\"\nblocked = true\n");
    try (Store s = store("blocked", RegistriesConf.read(file))) {
      assertThatThrownBy(() -> pull(s, ref))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessageContaining("blocked by " + file);
      assertThat(s.imageSummaries(true)).isEmpty();
    }
  }

  @Test
  void aMirrorNeedingCredentialsIsAskedWithItsOwnAndPassedOverWithout() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("locked-cache"));
    try (RegistryServer locked =
        RegistryServer.start(
            temp.resolve("locked-storage"),
            dir,
            proxyOf(upstream) + RegistryServer.htpasswdAuth(dir, "bob", "pw"))) {
      RegistriesConf c = conf("locked", mirror(locked.host()));
      try (Store s = store("anonymous", c)) {
        assertThat(pull(s, ref))
            .anyMatch(
                e ->
                    e instanceof ProgressEvent.MirrorSkipped m
                        && m.host().equals(locked.host())
                        && m.object().equals("manifest"));
        assertThat(s.image(ref).id()).isEqualTo(image.config().digest());
      }
      CredentialSource bob = CredentialSource.of(locked.host(), Credentials.basic("bob", "pw"));
      try (Store s =
          store(
              "with-credentials",
              RegistryOptions.defaults().withCredentials(bob).withRegistries(c))) {
        List<ProgressEvent> events = pull(s, ref);
        assertThat(events).noneMatch(e -> e instanceof ProgressEvent.MirrorSkipped);
        assertThat(events).anyMatch(e -> e instanceof ProgressEvent.FromMirror);
      }
    }
  }

  @Test
  void withTheCacheDownTheRegistryServesAndWithTheRegistryDownTheCacheDoes() throws Exception {
    Path dir = temp.resolve("outages");
    RegistryServer origin = RegistryServer.start(dir.resolve("origin"), dir, "");
    OciLayouts layout = new OciLayouts(dir.resolve("layout"));
    OciLayouts.Image other =
        layout.image("amd64", List.of(Map.of("outage", "test\n"), Map.of("x", "y\n")));
    layout.tag("1", other.manifest());
    Tools.push(layout.dir(), "1", origin.host(), "serve/outage");
    String name = origin.host() + "/serve/outage:1";
    Path confFile = dir.resolve("registries.conf");
    RegistryServer mirror = RegistryServer.start(dir.resolve("mirror"), dir, proxyOf(origin));
    try {
      Files.writeString(
          confFile, "[[registry]]\nlocation = \"" + origin.host() + "\"\n" + mirror(mirror.host()));
      try (Store s = store("warm", RegistriesConf.read(confFile))) {
        assertThat(pull(s, name)).noneMatch(e -> e instanceof ProgressEvent.MirrorSkipped);
      }
      String mirrorHost = mirror.host();
      mirror.close(); // the cache is down: the registry serves
      try (Store s = store("cache-down", RegistriesConf.read(confFile))) {
        assertThat(pull(s, name))
            .anyMatch(
                e -> e instanceof ProgressEvent.MirrorSkipped m && m.host().equals(mirrorHost));
        assertThat(s.image(name).id()).isEqualTo(other.config().digest());
      }
      mirror = RegistryServer.start(dir.resolve("mirror"), dir, proxyOf(origin));
      Files.writeString(
          confFile, "[[registry]]\nlocation = \"" + origin.host() + "\"\n" + mirror(mirror.host()));
      origin.close(); // the registry is down: the cache serves what it holds
      try (Store s = store("origin-down", RegistriesConf.read(confFile))) {
        List<ProgressEvent> events = pull(s, name);
        assertThat(events).noneMatch(e -> e instanceof ProgressEvent.MirrorSkipped);
        assertThat(s.image(name).id()).isEqualTo(other.config().digest());
        assertThat(s.image(name).references())
            .containsExactlyInAnyOrder(
                Reference.parse(name),
                Reference.parse(origin.host() + "/serve/outage@" + other.manifest().digest()));
      }
    } finally {
      mirror.close();
      origin.close();
    }
  }

  @Test
  void aMirrorWithoutTheTagOrAnsweringAnErrorIsPassedOverForTheNext() throws Exception {
    faults.reset();
    faults.plan("/manifests/", Fault.STATUS_500, Fault.STATUS_500); // both attempts
    Path dir = temp.resolve("empty-mirror");
    try (RegistryServer empty = RegistryServer.start(dir.resolve("storage"), dir, "")) {
      RegistriesConf c = conf("passed-over", mirror(empty.host()) + mirror(faults.host()));
      RegistryOptions twice =
          RegistryOptions.defaults()
              .withRetry(
                  new RetryPolicy(
                      2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5)))
              .withRegistries(c);
      try (Store s = store("passed-over", twice)) {
        List<ProgressEvent> events = pull(s, ref);
        assertThat(events)
            .filteredOn(
                e -> e instanceof ProgressEvent.MirrorSkipped m && m.object().equals("manifest"))
            .extracting(e -> ((ProgressEvent.MirrorSkipped) e).host())
            .containsExactly(empty.host(), faults.host());
        assertThat(s.image(ref).id()).isEqualTo(image.config().digest());
      }
    }
  }
}
