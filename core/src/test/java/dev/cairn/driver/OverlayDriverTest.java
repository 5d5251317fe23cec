package dev.cairn.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs as root only; on CI (as root) the probe must find overlayfs working. */
class OverlayDriverTest extends DriverConformanceTest {

  @BeforeEach
  void requireOverlay() throws IOException {
    Drivers.Probe probe = Drivers.probeOverlay(Files.createDirectories(tmp.resolve("probe")));
    Tools.requireThat(probe.works(), "overlayfs cannot be mounted here: " + probe.reason());
  }

  @Override
  Driver open(Path root, DriverOptions options) throws IOException {
    return Drivers.open(root, "overlay", options);
  }

  @Override
  Path layers() {
    return tmp.resolve("store/overlay");
  }

  @Test
  void theLinkACutShortCreateMadeGoesWithItsStagingTreeAndAnotherLayersLinkStays()
      throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "x").bytes());
    String taken = Files.readString(layers().resolve(id("base")).resolve("link"));
    Path cut = Files.createDirectories(layers().resolve(".tmp-" + id("cut")));
    Files.writeString(cut.resolve("link"), "ABCDEFGHIJKL");
    Path link =
        Files.createSymbolicLink(
            layers().resolve("l/ABCDEFGHIJKL"), Path.of("..", id("cut"), "diff"));
    d.remove(id("cut"));
    assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(cut).doesNotExist();

    // A create cut short after it chose a name that another layer had taken first.
    Files.createDirectories(cut);
    Files.writeString(cut.resolve("link"), taken);
    d.remove(id("cut"));
    assertThat(layers().resolve("l").resolve(taken).resolve("f")).hasContent("x");
  }

  @Test
  void creatingALayerCopiesNothing() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().dir("usr/").file("usr/f", "x").bytes());
    d.create(id("child"), id("base"));
    try (Stream<Path> upper =
        Files.list(tmp.resolve("store/overlay").resolve(id("child")).resolve("diff"))) {
      assertThat(upper).isEmpty();
    }
    assertThat(d.get(id("child")).resolve("usr/f")).hasContent("x");
    d.put(id("child"));
  }

  @Test
  void deletionsAreOverlayWhiteoutsInTheUpperDirectory() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().dir("a/").file("a/x", "x").dir("o/").bytes());
    layer(
        d,
        id("child"),
        id("base"),
        TarBuilder.tar().dir("a/").whiteout("a", "x").opaque("o").bytes());
    Path upper = tmp.resolve("store/overlay").resolve(id("child")).resolve("diff");
    assertThat(
            Files.getAttribute(
                upper.resolve("a/x"), "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(0020000);
    assertThat(
            Files.getAttribute(
                upper.resolve("a/x"), "unix:rdev", java.nio.file.LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(0L);
  }

  @Test
  void aMountThatOutlivedItsOverlayIsMountedAgain() throws Exception {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "base").bytes());
    layer(d, id("child"), id("base"), TarBuilder.tar().file("g", "child").bytes());
    Path merged = d.mount(id("child"));
    assertThat(merged.resolve("f")).hasContent("base");
    // As after a reboot: the driver's record of the mount stays, the overlay does not.
    dev.cairn.posix.Posix.umount2(merged.toString(), 0);
    assertThat(merged.resolve("f")).doesNotExist();
    assertThat(d.mount(id("child"))).isEqualTo(merged);
    assertThat(merged.resolve("f")).hasContent("base");
    assertThat(merged.resolve("g")).hasContent("child");
    d.unmount(id("child"));
    assertThat(merged.resolve("f")).doesNotExist();
  }

  @Test
  void aChainDeeperThanOnePageOfMountOptionsStillMounts() throws IOException {
    Driver d = driver();
    String parent = null;
    int depth = 120;
    for (int i = 0; i < depth; i++) {
      String id = id("layer" + i);
      layer(d, id, parent, TarBuilder.tar().file("f" + i, Integer.toString(i)).bytes());
      parent = id;
    }
    Path top = d.get(parent);
    try {
      assertThat(top.resolve("f0")).hasContent("0");
      assertThat(top.resolve("f" + (depth - 1))).hasContent(Integer.toString(depth - 1));
    } finally {
      d.put(parent);
    }
  }
}
