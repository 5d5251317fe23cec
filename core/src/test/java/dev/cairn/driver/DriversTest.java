package dev.cairn.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.posix.Posix;
import dev.cairn.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriversTest {
  @TempDir Path root;

  private String opened(String requested) throws IOException {
    try (Driver d = Drivers.open(root, requested, DriverOptions.defaults())) {
      return d.name();
    }
  }

  @Test
  void aNewStoreTakesOverlayWhenItMountsAndVfsOtherwise() throws IOException {
    boolean overlay = Drivers.probeOverlay(root).works();
    assertThat(opened(null)).isEqualTo(overlay ? "overlay" : "vfs");
    try (var leftovers = Files.list(root)) {
      assertThat(leftovers.map(p -> p.getFileName().toString()))
          .as("the probe cleans up after itself and remembers a success")
          .containsExactlyInAnyOrder(
              overlay ? new String[] {"overlay", "overlay-probe"} : new String[] {"vfs"});
    }
  }

  @Test
  void anOverlayStoreIsOpenedWithoutAProbeWhichWaitsForTheFirstLayer() throws IOException {
    Tools.requireThat(
        Drivers.probeOverlay(root).works(), "overlayfs cannot be mounted here (needs root)");
    opened("overlay");
    Path record = root.resolve(OverlayProbe.FILE);
    Files.delete(record); // as a store made before the probe was remembered
    try (Driver d = Drivers.open(root, null, DriverOptions.defaults())) {
      assertThat(d.name()).isEqualTo("overlay");
      assertThat(record).doesNotExist();
      d.create("a".repeat(64), null);
      assertThat(record).content().startsWith("works");
    }
  }

  @Test
  void aStoreKeepsTheDriverItWasMadeWith() throws IOException {
    assertThat(opened("vfs")).isEqualTo("vfs");
    assertThat(opened(null)).isEqualTo("vfs");
    assertThat(opened("vfs")).isEqualTo("vfs");
  }

  @Test
  void askingForAnotherDriverThanTheStoresIsAConflictNamingBoth() throws IOException {
    opened("vfs");
    assertThatThrownBy(() -> opened("overlay"))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.CONFLICT))
        .hasMessageContaining("vfs")
        .hasMessageContaining("overlay");
  }

  @Test
  void aStoreWithSeveralDriversNeedsAChoice() throws IOException {
    Files.createDirectories(root.resolve("vfs"));
    Files.createDirectories(root.resolve("overlay"));
    assertThatThrownBy(() -> opened(null))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.CONFLICT))
        .hasMessageContaining("--driver");
    assertThat(opened("vfs")).isEqualTo("vfs");
  }

  @Test
  void anUnknownDriverIsInvalid() {
    assertThatThrownBy(() -> opened("aufs"))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessageContaining("overlay, vfs");
  }

  @Test
  void overlayIsUnavailableWhereItCannotMount() throws IOException {
    // Made so rather than waited for: overlayfs takes no overlay as its upper layer, so a store
    // inside an overlay mount cannot use overlay, even as root.
    Tools.requireRoot("the store is put inside an overlay mount");
    Path lower = Files.createDirectories(root.resolve("outer/lower"));
    Path upper = Files.createDirectories(root.resolve("outer/upper"));
    Path work = Files.createDirectories(root.resolve("outer/work"));
    Path merged = Files.createDirectories(root.resolve("outer/merged"));
    Posix.mount(
        "overlay",
        merged.toString(),
        "overlay",
        0,
        "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work);
    try {
      Path store = Files.createDirectories(merged.resolve("store"));
      assertThat(Drivers.probeOverlay(store).works()).isFalse();
      assertThatThrownBy(() -> Drivers.open(store, "overlay", DriverOptions.defaults()))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE));
      try (Driver d = Drivers.open(store, null, DriverOptions.defaults())) {
        assertThat(d.name()).as("a new store there chooses vfs").isEqualTo("vfs");
      }
    } finally {
      Posix.umount2(merged.toString(), 0);
    }
  }
}
