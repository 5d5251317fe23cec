package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.TarBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cairn fsck: one line per problem and a summary on stdout, exit 6 while problems remain. */
class FsckCommandTest {
  @TempDir Path dir;
  Path root;
  Cli cairn;

  @BeforeEach
  void setUp() {
    root = dir.resolve("store");
    cairn = Cli.vfs(root);
  }

  private String importImage(String name, String content) throws IOException {
    Path tar = Files.write(dir.resolve("rootfs.tar"), TarBuilder.tar().file("f", content).bytes());
    CliResult r = cairn.run("import", tar.toString(), name);
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().strip().substring("sha256:".length());
  }

  @Test
  void aSoundStorePassesWithExitZero() throws IOException {
    importImage("one:1", "x\n");
    CliResult r = cairn.run("fsck");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("checked 1 node and 1 tag: no problems\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void aBrokenImageIsReportedWithExitSixAndRepairedAsRmiSaysIt() throws IOException {
    String broken = importImage("broken:1", "x\n");
    String healthy = importImage("healthy:1", "y\n");
    Files.delete(root.resolve("graph").resolve(broken).resolve("json"));
    CliResult found = cairn.run("fsck");
    assertThat(found.exit()).as(found.err()).isEqualTo(6);
    assertThat(found.out())
        .isEqualTo(
            "node " + broken + ": json is missing\n" + "checked 2 nodes and 2 tags: 1 problem\n");
    CliResult repaired = cairn.run("fsck", "--repair");
    assertThat(repaired.exit()).as(repaired.err()).isZero();
    assertThat(repaired.out())
        .isEqualTo(
            "node "
                + broken
                + ": json is missing\n"
                + "Untagged: broken:1\n"
                + "Deleted: sha256:"
                + broken
                + "\n"
                + "checked 2 nodes and 2 tags: 1 problem, all repaired\n");
    CliResult after = cairn.run("fsck");
    assertThat(after.exit()).isZero();
    assertThat(after.out()).isEqualTo("checked 1 node and 1 tag: no problems\n");
    assertThat(cairn.run("images", "-q", "--no-trunc").out()).isEqualTo("sha256:" + healthy + "\n");
  }

  @Test
  void aBrokenImageThatIsMountedIsKeptAndTheRepairExitsSix() throws IOException {
    String broken = importImage("broken:1", "x\n");
    assertThat(cairn.run("mount", "broken:1").exit()).isZero();
    Files.writeString(root.resolve("vfs/dir").resolve(broken).resolve("f"), "z\n");
    CliResult r = cairn.run("fsck", "--repair");
    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.out())
        .contains("Kept: sha256:" + broken + ": it is mounted\n")
        .endsWith(": 1 problem, 1 not repaired\n");
  }
}
