package dev.cairn.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.TarBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class VfsDriverTest extends DriverConformanceTest {
  @Override
  Driver open(Path root, DriverOptions options) throws IOException {
    return Drivers.open(root, "vfs", options);
  }

  @Override
  Path layers() {
    return tmp.resolve("store/vfs/dir");
  }

  @Test
  void aLayerIsAFullCopyUnderVfsDir() throws IOException {
    Driver d = driver();
    layer(d, id("base"), null, TarBuilder.tar().file("f", "x").bytes());
    d.create(id("child"), id("base"));
    Path child = tmp.resolve("store/vfs/dir").resolve(id("child"));
    assertThat(child.resolve("f")).hasContent("x");
    assertThat(
            Files.isSameFile(
                child.resolve("f"), tmp.resolve("store/vfs/dir").resolve(id("base")).resolve("f")))
        .isFalse();
  }
}
