package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.posix.Posix;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Tools;
import dev.cairn.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store keeps the user-namespace ID maps it was made with and refuses any others. */
class IdMapsCommandTest {
  private static final List<String> MAPS =
      List.of("--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536");

  @TempDir Path dir;
  Path root;
  Path tar;

  @BeforeEach
  void setUp() throws IOException {
    Tools.requireThat(Posix.geteuid() == 0, "ID maps give files to other users, which needs root");
    root = dir.resolve("store");
    tar = dir.resolve("rootfs.tar");
    Files.write(tar, TarBuilder.tar().dir("etc/").file("etc/motd", "hi\n").bytes());
  }

  private CliResult run(List<String> maps, String... args) {
    List<String> all = new ArrayList<>(maps);
    all.addAll(List.of(args));
    return new Cli(root, null).run(all.toArray(String[]::new));
  }

  @Test
  void aStoreImportedWithIdMapsIsRefusedWithoutThemOrWithOthersAndWorksWithThem() {
    CliResult imported = run(MAPS, "import", tar.toString(), "app:1");
    assertThat(imported.exit()).as(imported.err()).isZero();
    Map<String, String> before = Trees.snapshot(root);

    CliResult without = run(List.of(), "images");
    assertThat(without.exit()).isEqualTo(4);
    assertThat(without.err())
        .contains("was made with --uidmap 0:100000:65536 --gidmap 0:100000:65536")
        .contains("cannot be opened with no ID maps")
        .hasLineCount(1);
    CliResult others =
        run(
            List.of("--uidmap", "0:200000:65536", "--gidmap", "0:100000:65536"),
            "import",
            tar.toString(),
            "app:2");
    assertThat(others.exit()).isEqualTo(4);
    assertThat(others.err())
        .contains("cannot be opened with --uidmap 0:200000:65536 --gidmap 0:100000:65536");
    assertThat(Trees.snapshot(root)).as("a refusal changes nothing").isEqualTo(before);

    CliResult same = run(MAPS, "images");
    assertThat(same.exit()).as(same.err()).isZero();
    assertThat(same.out()).contains("app          1");
    CliResult again = run(MAPS, "import", tar.toString(), "app:2");
    assertThat(again.exit()).as(again.err()).isZero();
  }

  @Test
  void aStoreMadeWithoutIdMapsRefusesThem() {
    assertThat(run(List.of(), "import", tar.toString(), "app:1").exit()).isZero();
    Map<String, String> before = Trees.snapshot(root);
    CliResult mapped = run(MAPS, "images");
    assertThat(mapped.exit()).isEqualTo(4);
    assertThat(mapped.err())
        .contains("was made with no ID maps and cannot be opened with --uidmap 0:100000:65536");
    assertThat(Trees.snapshot(root)).isEqualTo(before);
  }

  @Test
  void aStoreWithoutARecordTakesTheMapsItIsOpenedWithFromThenOn() throws IOException {
    assertThat(run(MAPS, "import", tar.toString(), "app:1").exit()).isZero();
    Files.delete(root.resolve("idmap")); // as an older cairn left it
    assertThat(run(MAPS, "images").exit()).isZero();
    assertThat(run(List.of(), "images").exit()).isEqualTo(4);
  }
}
