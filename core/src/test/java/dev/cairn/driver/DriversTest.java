package dev.cairn.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.CairnException;
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
          .as("the probe cleans up after itself")
          .containsExactly(overlay ? "overlay" : "vfs");
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
    assumeTrue(!Drivers.probeOverlay(root).works(), "overlay mounts here");
    assertThatThrownBy(() -> opened("overlay"))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE));
  }
}
