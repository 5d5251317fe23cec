package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import dev.cairn.testing.RandomLayers;
import dev.cairn.testing.Seeds;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Trees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DiffTest {
  @TempDir Path tmp;

  private Path applied(String name, ApplyOptions options, byte[]... tars) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve(name));
    for (byte[] tar : tars) {
      Layer.apply(new ByteArrayInputStream(tar), dir, options);
    }
    return dir;
  }

  private static byte[] diff(Path lower, Path upper, ApplyOptions options) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Diff.write(lower, upper, WhiteoutFormat.AUFS, options, out);
    return out.toByteArray();
  }

  private static List<String> names(byte[] tar) throws IOException {
    List<String> names = new ArrayList<>();
    TarReader r = new TarReader(new ByteArrayInputStream(tar));
    for (TarEntry e = r.next(); e != null; e = r.next()) {
      names.add(e.name());
    }
    return names;
  }

  static LongStream seeds() {
    return Seeds.stream(DiffTest.class, 40);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void applyingTheDiffToTheLowerTreeYieldsTheUpperTree(long seed) throws IOException {
    RandomLayers.Pair layers = RandomLayers.generate(seed, 3000);
    ApplyOptions options = ApplyOptions.defaults();
    Path lower = applied("lower", options, layers.base());
    Path upper = applied("upper", options, layers.base(), layers.change());
    byte[] diff = diff(lower, upper, options);
    Path rebuilt = applied("rebuilt", options, layers.base(), diff);
    assertThat(Trees.snapshot(rebuilt)).isEqualTo(Trees.snapshot(upper));
    Diff.Result measured = Diff.measure(lower, upper, WhiteoutFormat.AUFS);
    assertThat(measured.entries()).isEqualTo(names(diff).size());
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aTreeAgainstNothingIsEverythingInIt(long seed) throws IOException {
    RandomLayers.Pair layers = RandomLayers.generate(seed, 3000);
    ApplyOptions options = ApplyOptions.defaults();
    Path upper = applied("upper", options, layers.base(), layers.change());
    Path rebuilt = applied("rebuilt", options, diff(null, upper, options));
    assertThat(Trees.snapshot(rebuilt)).isEqualTo(Trees.snapshot(upper));
  }

  @Test
  void anUnchangedTreeHasAnEmptyDiff() throws IOException {
    RandomLayers.Pair layers = RandomLayers.generate(7, 3000);
    ApplyOptions options = ApplyOptions.defaults();
    Path lower = applied("lower", options, layers.base());
    Path upper = applied("upper", options, layers.base());
    assertThat(names(diff(lower, upper, options))).isEmpty();
    assertThat(Diff.measure(lower, upper, WhiteoutFormat.AUFS)).isEqualTo(new Diff.Result(0, 0));
  }

  @Test
  void deletionsAreWhiteoutsAndADirectoryOverAFileIsOpaque() throws IOException {
    ApplyOptions options = ApplyOptions.defaults();
    byte[] base =
        TarBuilder.tar().dir("a/").file("a/x", "x").file("a/y", "y").file("a/z", "z").bytes();
    byte[] change =
        TarBuilder.tar().dir("a/").whiteout("a", "x").dir("a/y/").file("a/y/in", "in").bytes();
    Path lower = applied("lower", options, base);
    Path upper = applied("upper", options, base, change);
    assertThat(names(diff(lower, upper, options)))
        .containsExactly("./", "a/", "a/.wh.x", "a/y/", "a/y/.wh..wh..opq", "a/y/in");
  }

  @Test
  void aRewriteOfTheSameSizeAndTimeIsFoundByContent() throws IOException {
    ApplyOptions options = ApplyOptions.defaults();
    Path lower = applied("lower", options, TarBuilder.tar().file("f", "before").bytes());
    Path upper = applied("upper", options, TarBuilder.tar().file("f", "after!").bytes());
    assertThat(Files.getLastModifiedTime(lower.resolve("f")))
        .isEqualTo(Files.getLastModifiedTime(upper.resolve("f")));
    assertThat(names(diff(lower, upper, options))).contains("f");
    assertThat(Diff.measure(lower, upper, WhiteoutFormat.AUFS).size()).isEqualTo(6);
  }

  @Test
  void sizesCountSymlinkTargetsAndAHardLinkedFileOnceAsDockerDoes() throws IOException {
    // docker's overlay2 layer size: the lstat sizes of what the layer holds, each inode once
    byte[] tar = TarBuilder.tar().file("f", "four").symlink("l", "abc").hardlink("h", "f").bytes();
    Path dir = Files.createDirectory(tmp.resolve("layer"));
    ApplyResult applied = Layer.apply(new ByteArrayInputStream(tar), dir, ApplyOptions.defaults());
    assertThat(applied.size()).isEqualTo(7);
    assertThat(Diff.measure(null, dir, WhiteoutFormat.AUFS).size()).isEqualTo(7);
  }

  @Test
  void ownersAreWrittenBackAsContainerIds() throws IOException {
    IdMap map = IdMap.parse("0:100000:65536");
    ApplyOptions options = ApplyOptions.defaults().withIdMaps(map, map);
    Path upper =
        applied(
            "upper", options, TarBuilder.tar().dir("./").file("f", "x").owner(1000, 1001).bytes());
    assertThat(Files.getAttribute(upper.resolve("f"), "unix:uid")).isEqualTo(101000);
    TarReader r = new TarReader(new ByteArrayInputStream(diff(null, upper, options)));
    TarEntry root = r.next();
    TarEntry f = r.next();
    assertThat(root.name()).isEqualTo("./");
    assertThat(root.uid()).isZero(); // the directory belongs to the mapped root
    assertThat(f.name()).isEqualTo("f");
    assertThat(f.uid()).isEqualTo(1000);
    assertThat(f.gid()).isEqualTo(1001);
  }

  @Test
  void anOwnerOutsideTheMapsIsAnError() throws IOException {
    Path upper = applied("upper", ApplyOptions.defaults(), TarBuilder.tar().file("f", "x").bytes());
    IdMap map = IdMap.parse("0:100000:65536");
    ApplyOptions options = ApplyOptions.defaults().withIdMaps(map, map);
    assertThatThrownBy(() -> diff(null, upper, options))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("outside the ID maps");
  }
}
