package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.graph.Graph;
import dev.cairn.image.Reference;
import dev.cairn.posix.Posix;
import dev.cairn.store.ConfigImages.Img;
import dev.cairn.testing.Tools;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker image prune's rules ({@link Store#prune}), checked against what dockerd 20.10 removes. */
class PruneTest {
  @TempDir Path root;
  Store store;

  static final byte[] A = ConfigImages.layer("a", 1000);
  static final byte[] B = ConfigImages.layer("b", 2000);
  static final byte[] C = ConfigImages.layer("c", 3000);
  static final String OLD = "2020-01-01T00:00:00Z";
  static final String NEW = "2024-01-01T00:00:00Z";

  @BeforeEach
  void open() throws IOException {
    store = Store.open(root, StoreOptions.defaults().withDriver("vfs"));
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private Graph graph() {
    return StoreFixtures.graph(store);
  }

  private long size(String id) throws IOException {
    return graph().get(id.replace("sha256:", "")).size();
  }

  private static PruneOptions all() {
    return new PruneOptions(true, null, List.of(), List.of());
  }

  private static List<String> lines(PruneReport report) {
    assertThat(report.failure()).isNull();
    return report.removals().stream().map(Store.Removal::toString).toList();
  }

  @Test
  void danglingPruneDeletesUntaggedImagesAndOnlyTheLayersNoOtherImageUses() throws IOException {
    Img app = Img.of(NEW, "null", List.of(A, B), "app:1");
    Img loose = Img.of(NEW, "null", List.of(A, C));
    ConfigImages.load(store, app, loose);
    long looseSize = size(loose.id());

    PruneReport report = store.prune(PruneOptions.dangling());

    assertThat(lines(report))
        .containsExactly("Deleted: sha256:" + loose.id(), "Deleted: " + loose.chain().get(1));
    assertThat(report.spaceReclaimed()).isEqualTo(looseSize);
    assertThat(store.images(true)).extracting(i -> i.top().id()).containsExactly(app.id());
    assertThat(graph().exists(app.chain().get(0).substring(7))).isTrue();
  }

  @Test
  void pruneAllRemovesTaggedImagesByTheirNamesWithEveryLayer() throws IOException {
    Img app = Img.of(NEW, "null", List.of(A, B), "app:1");
    Img loose = Img.of(OLD, "null", List.of(A, C));
    ConfigImages.load(store, app, loose);
    long all = size(app.chain().get(0)) + size(app.id()) + size(loose.id());

    PruneReport report = store.prune(all());

    assertThat(lines(report))
        .containsExactlyInAnyOrder(
            "Untagged: app:1",
            "Deleted: sha256:" + app.id(),
            "Deleted: " + app.chain().get(1),
            "Deleted: sha256:" + loose.id(),
            "Deleted: " + loose.chain().get(1),
            "Deleted: " + app.chain().get(0));
    assertThat(report.spaceReclaimed()).isEqualTo(all);
    assertThat(graph().map()).isEmpty();
  }

  @Test
  void anImageNamedOnlyByADigestIsDanglingAndGoesWithItsDigest() throws IOException {
    Img pulled = Img.of(NEW, "null", List.of(A));
    ConfigImages.load(store, pulled);
    String digest = "sha256:" + "d".repeat(64);
    StoreFixtures.tags(store).tag(Reference.parse("app@" + digest), pulled.id(), false);

    assertThat(lines(store.prune(PruneOptions.dangling())))
        .containsExactly(
            "Untagged: app@" + digest,
            "Deleted: sha256:" + pulled.id(),
            "Deleted: " + pulled.chain().get(0));
  }

  @Test
  void aLayerTwoImagesHoldIsReportedAndCountedOnceWithTheLastOfThem() throws IOException {
    // base's top node holds layer A; child holds the same layer in its ChainID node
    Img base = Img.of(OLD, "null", List.of(A), "base:1");
    Img child = Img.of(NEW, "null", List.of(A, B), "child:1");
    ConfigImages.load(store, base, child);
    long expected = size(base.id()) + size(child.id());

    PruneReport report = store.prune(all());

    assertThat(lines(report))
        .containsExactlyInAnyOrder(
            "Untagged: base:1",
            "Deleted: sha256:" + base.id(),
            "Untagged: child:1",
            "Deleted: sha256:" + child.id(),
            "Deleted: " + child.chain().get(1),
            "Deleted: " + child.chain().get(0));
    assertThat(report.spaceReclaimed()).isEqualTo(expected);
  }

  @Test
  void aMountedImageKeepsItsLastNameAndAnImageAPullHoldsIsPassedOver() throws IOException {
    Img mounted = Img.of(NEW, "null", List.of(A), "app:1", "app:2");
    Img held = Img.of(NEW, "null", List.of(B), "held:1");
    Img loose = Img.of(NEW, "null", List.of(C));
    ConfigImages.load(store, mounted, held, loose);
    store.mount("app:2");
    try (Graph.Hold hold = graph().retain(List.of(held.id()))) {
      PruneReport report = store.prune(all());

      // as dockerd with a container on the image: the first name goes, the last is refused
      assertThat(lines(report))
          .containsExactlyInAnyOrder(
              "Untagged: app:1",
              "Deleted: sha256:" + loose.id(),
              "Deleted: " + loose.chain().get(0));
      assertThat(store.prune(PruneOptions.dangling()).removals()).isEmpty();
    }
    assertThat(store.image("app:2").top().id()).isEqualTo(mounted.id());
    assertThat(store.image("held:1").top().id()).isEqualTo(held.id());
  }

  @Test
  void aFailureStopsThePruneReportsWhatWentBeforeAndLeavesTheRestAsItWas() throws Exception {
    Tools.requireThat(Posix.geteuid() == 0, "a bind mount makes the delete fail: needs root");
    Img newest = Img.of(NEW, "null", List.of(A));
    Img middle = Img.of("2022-01-01T00:00:00Z", "null", List.of(B));
    Img oldest = Img.of(OLD, "null", List.of(C));
    ConfigImages.load(store, newest, middle, oldest);
    long newestSize = size(newest.id());
    // a node directory that is a mount point cannot be renamed away: its delete fails (EBUSY)
    String busy = root.resolve("graph").resolve(middle.id()).toString();
    Posix.mount(busy, busy, "", MS_BIND, null);
    PruneReport report;
    try {
      report = store.prune(PruneOptions.dangling());
    } finally {
      Posix.umount2(busy, 0);
    }

    assertThat(report.failure()).isInstanceOf(IOException.class);
    assertThat(report.removals())
        .extracting(Store.Removal::toString)
        .containsExactly("Deleted: sha256:" + newest.id(), "Deleted: " + newest.chain().get(0));
    assertThat(report.spaceReclaimed()).isEqualTo(newestSize);
    assertThat(store.images(true))
        .extracting(i -> i.top().id())
        .containsExactlyInAnyOrder(middle.id(), oldest.id());
    assertThat(lines(store.prune(PruneOptions.dangling()))).hasSize(4);
  }

  private static final long MS_BIND = 4096; // <sys/mount.h>

  @Test
  void untilAndLabelFiltersChooseTheImagesDockerChooses() throws IOException {
    Img old = Img.of(OLD, "{\"k\":\"v\"}", List.of(A));
    Img recent = Img.of(NEW, "{\"other\":\"1\"}", List.of(B));
    ConfigImages.load(store, old, recent);
    Instant now = Instant.parse("2025-01-01T00:00:00Z");

    assertThat(lines(prune(List.of("until=2022-01-01T00:00:00Z"), now)))
        .containsExactly("Deleted: sha256:" + old.id(), "Deleted: " + old.chain().get(0));
    ConfigImages.load(store, old);
    assertThat(lines(prune(List.of("label!=k"), now)))
        .containsExactly("Deleted: sha256:" + recent.id(), "Deleted: " + recent.chain().get(0));
    ConfigImages.load(store, recent);
    assertThat(lines(prune(List.of("label=k=other"), now))).isEmpty();
    assertThat(lines(prune(List.of("label=k=v"), now)))
        .containsExactly("Deleted: sha256:" + old.id(), "Deleted: " + old.chain().get(0));
  }

  private PruneReport prune(List<String> filters, Instant now) throws IOException {
    return store.prune(PruneOptions.of(false, filters, now, ZoneOffset.UTC));
  }

  @Test
  void filtersAreReadAsDockerReadsThem() {
    Instant now = Instant.parse("2025-06-01T12:00:00Z");
    ZoneId plusTwo = ZoneOffset.ofHours(2);
    assertThat(PruneOptions.of(false, List.of("until=24h"), now, plusTwo).until())
        .isEqualTo(Instant.parse("2025-05-31T12:00:00Z"));
    assertThat(PruneOptions.of(false, List.of("until=1h30m"), now, plusTwo).until())
        .isEqualTo(Instant.parse("2025-06-01T10:30:00Z"));
    assertThat(PruneOptions.of(false, List.of("until=2025-01-02"), now, plusTwo).until())
        .isEqualTo(Instant.parse("2025-01-01T22:00:00Z"));
    assertThat(
            PruneOptions.of(false, List.of("until=2025-01-02T03:04:05.5Z"), now, plusTwo).until())
        .isEqualTo(Instant.parse("2025-01-02T03:04:05.5Z"));
    assertThat(PruneOptions.of(false, List.of("until=1700000000.25"), now, plusTwo).until())
        .isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 250_000_000L));
    assertThat(PruneOptions.of(false, List.of("dangling=false"), now, plusTwo).all()).isTrue();
    assertThat(PruneOptions.of(false, List.of("LABEL = a=b"), now, plusTwo).labels())
        .containsExactly("a=b");
    assertInvalid(List.of("foo=bar"), "invalid filter \"foo\"");
    assertInvalid(List.of("until=1h", "until=2h"), "more than one until filter specified");
    assertInvalid(List.of("until=xyz"), "failed to parse value as time or duration: \"xyz\"");
    assertInvalid(List.of("label"), "bad format of filter (expected name=value)");
  }

  private static void assertInvalid(List<String> filters, String message) {
    assertThatThrownBy(() -> PruneOptions.of(false, filters, Instant.now(), ZoneOffset.UTC))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID);
              assertThat(e.getMessage()).contains(message);
            });
  }
}
