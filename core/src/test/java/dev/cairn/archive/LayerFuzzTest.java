package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.tar.TarEntry;
import dev.cairn.testing.Fuzz;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Trees;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Layers made of names and link targets that try to leave the root: applied or refused, and after
 * every input nothing outside the root has changed; layer files opened by any name stay inside.
 */
class LayerFuzzTest {
  private static final String[] PARTS = {"a", "b", "d", "..", ".", "", "a/b", "d/../.."};
  // Absolute names in the layers land here if confinement fails, never on the machine's own files.
  private static final String[] TOP = {"a", "b", "d", "outside"};

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void nothingOutsideTheRootChangesWhateverTheLayersHold(FuzzedDataProvider data) throws Exception {
    Path base = Files.createTempDirectory("layer-fuzz");
    try {
      Path outside = base.resolve("outside");
      Files.createDirectories(outside.resolve("sub"));
      Files.writeString(outside.resolve("secret"), "secret");
      Path root = Files.createDirectory(base.resolve("root"));
      Map<String, String> before = Trees.snapshot(outside);
      Map<String, Boolean> topBefore = top(base);
      for (int layer = 0; layer < 2 && data.remainingBytes() > 0; layer++) {
        byte[] tar = layer(data, outside);
        Fuzz.rejectsCleanly(
            () -> Layer.apply(new ByteArrayInputStream(tar), root, ApplyOptions.defaults()));
        assertThat(Trees.snapshot(outside)).isEqualTo(before);
        assertThat(top(base)).isEqualTo(topBefore);
      }
    } finally {
      Trees.delete(base);
    }
  }

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void aLayerFileOpenedByAnyNameIsOneOfTheLayersOwn(byte[] name) throws Exception {
    Path base = Files.createTempDirectory("layer-files-fuzz");
    try {
      Path root = Files.createDirectory(base.resolve("root"));
      Files.writeString(base.resolve("secret"), "secret");
      Files.createDirectories(root.resolve("d/e"));
      Files.writeString(root.resolve("f"), "one");
      Files.writeString(root.resolve("d/e/g"), "two");
      Files.createSymbolicLink(root.resolve("up"), Path.of("../secret"));
      Files.createSymbolicLink(root.resolve("abs"), base.resolve("secret"));
      Files.createSymbolicLink(root.resolve("d/back"), Path.of("../f"));
      Files.createSymbolicLink(root.resolve("d/top"), Path.of("/d/e/g"));
      Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
      try (LayerFiles files = LayerFiles.open(root)) {
        Fuzz.rejectsCleanly(
            () -> {
              try (var ch = files.open(name)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
                ch.read(b);
                String content = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
                assertThat(content).isIn("one", "two");
              } catch (NoSuchFileException e) {
                // nothing of that name inside the root
              }
            });
      }
    } finally {
      Trees.delete(base);
    }
  }

  private static byte[] layer(FuzzedDataProvider data, Path outside) {
    TarBuilder tar = TarBuilder.tar();
    int entries = data.consumeInt(1, 8);
    for (int i = 0; i < entries; i++) {
      String name = name(data);
      switch (data.consumeInt(0, 8)) {
        case 0 -> tar.file(name, data.consumeString(8));
        case 1 -> tar.dir(name, data.consumeInt(0, 07777));
        case 2 -> tar.symlink(name, target(data, outside));
        case 3 -> tar.hardlink(name, target(data, outside));
        case 4 -> tar.whiteout(name, data.pickValue(PARTS));
        case 5 -> tar.opaque(name);
        case 6 -> tar.add(TarEntry.fifo(name));
        case 7 ->
            tar.add(
                TarEntry.regular(name, 1).withMode(data.consumeInt(0, 07777)),
                new byte[] {data.consumeByte()});
        default -> tar.dir(name);
      }
    }
    return tar.bytes();
  }

  private static String name(FuzzedDataProvider data) {
    StringBuilder s = new StringBuilder(data.consumeBoolean() ? "/" : "");
    int parts = data.consumeInt(1, 4);
    for (int i = 0; i < parts; i++) {
      s.append(i == 0 ? "" : "/").append(data.pickValue(PARTS));
    }
    return s.toString();
  }

  private static String target(FuzzedDataProvider data, Path outside) {
    return switch (data.consumeInt(0, 4)) {
      case 0 -> outside.toString();
      case 1 -> outside.resolve("secret").toString();
      case 2 -> "../outside/secret";
      case 3 -> "/" + name(data);
      default -> name(data);
    };
  }

  /** Which of the names a layer uses exist beside the root, under {@code /} and the temp dir. */
  private static Map<String, Boolean> top(Path base) {
    Map<String, Boolean> seen = new java.util.TreeMap<>();
    for (Path dir : Set.of(base, Path.of("/"), base.getParent())) {
      for (String n : TOP) {
        seen.put(
            dir.resolve(n).toString(),
            Files.exists(dir.resolve(n), java.nio.file.LinkOption.NOFOLLOW_LINKS));
      }
    }
    return seen;
  }
}
