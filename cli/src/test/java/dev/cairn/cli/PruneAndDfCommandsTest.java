package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn image prune} and {@code cairn system df} end to end: prompt, output, statuses. */
class PruneAndDfCommandsTest {
  @TempDir Path dir;
  Cli cairn;

  static final String DANGLING_PROMPT =
      "WARNING! This will remove all dangling images.\n"
          + "Are you sure you want to continue? [y/N] ";
  static final String ALL_PROMPT =
      "WARNING! This will remove all images without at least one container associated to them.\n"
          + "Are you sure you want to continue? [y/N] ";

  @BeforeEach
  void setUp() {
    cairn = Cli.vfs(dir.resolve("store"));
  }

  /** Imports a one-file image ({@code content} is its 2 to 9 bytes), named when a name is given. */
  private String importImage(String content, String... name) throws IOException {
    Path tar = Files.write(dir.resolve("rootfs.tar"), TarBuilder.tar().file("f", content).bytes());
    List<String> args = new ArrayList<>(List.of("import", tar.toString()));
    args.addAll(List.of(name));
    CliResult r = cairn.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().strip().substring("sha256:".length());
  }

  private static InputStream answer(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  private List<String> ids() {
    return cairn.run("images", "-a", "-q", "--no-trunc").lines();
  }

  @Test
  void pruneAsksFirstAndYRemovesTheDanglingImagesOnly() throws IOException {
    String dangling = importImage("gone\n");
    String kept = importImage("kept\n", "app:1");

    CliResult r = cairn.run(answer("y\n"), "image", "prune");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            DANGLING_PROMPT
                + "Deleted Images:\ndeleted: sha256:"
                + dangling
                + "\n\nTotal reclaimed space: 5B\n");
    assertThat(ids()).containsExactly("sha256:" + kept);
  }

  @Test
  void anyOtherAnswerOrNoInputCancelsWithoutAWord() throws IOException {
    String dangling = importImage("x\n");
    for (InputStream in : List.of(answer("n\n"), answer("yes\n"), InputStream.nullInputStream())) {
      CliResult r = cairn.run(in, "image", "prune");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).isEqualTo(DANGLING_PROMPT);
      assertThat(r.err()).isEmpty();
    }
    assertThat(ids()).containsExactly("sha256:" + dangling);
  }

  @Test
  void forceAsksNothingAndAllRemovesNamedImagesToo() throws IOException {
    String id = importImage("named\n", "app:1");

    assertThat(cairn.run("image", "prune", "-f").out()).isEqualTo("Total reclaimed space: 0B\n");
    CliResult asked = cairn.run(answer("n\n"), "image", "prune", "-a");
    assertThat(asked.out()).isEqualTo(ALL_PROMPT);
    CliResult r = cairn.run("image", "prune", "-a", "-f");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "Deleted Images:\nuntagged: app:1\ndeleted: sha256:"
                + id
                + "\n\nTotal reclaimed space: 6B\n");
    assertThat(ids()).isEmpty();
  }

  @Test
  void aMountedImageIsNotPruned() throws IOException {
    importImage("m\n", "app:1");
    assertThat(cairn.run("mount", "app:1").exit()).isZero();

    CliResult r = cairn.run("image", "prune", "-a", "-f");

    assertThat(r.out()).isEqualTo("Total reclaimed space: 0B\n");
    assertThat(ids()).hasSize(1);
  }

  @Test
  void aFilterDockerRefusesIsInvalidInputAndNothingIsAsked() {
    CliResult r = cairn.run(answer("y\n"), "image", "prune", "--filter", "foo=bar");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("cairn: invalid filter \"foo\"\n");
  }

  @Test
  void systemDfPrintsDockersRowsSectionsAndJson() throws IOException {
    String named = importImage("abc\n", "app:1");
    assertThat(cairn.run("tag", "app:1", "app:2").exit()).isZero();
    importImage("abcdef\n");
    assertThat(cairn.run("mount", "app:2").exit()).isZero();

    CliResult table = cairn.run("system", "df");
    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.lines())
        .containsExactly(
            "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE",
            "Images          2         1         11B       7B (63%)",
            "Containers      0         0         0B        0B",
            "Local Volumes   0         0         0B        0B",
            "Build Cache     0         0         0B        0B");

    CliResult json = cairn.run("system", "df", "--format", "json");
    assertThat(json.lines().getFirst())
        .isEqualTo(
            "{\"Active\":\"1\",\"Reclaimable\":\"7B (63%)\",\"Size\":\"11B\",\"TotalCount\":\"2\","
                + "\"Type\":\"Images\"}");
    assertThat(json.lines()).hasSize(4);

    List<String> verbose = cairn.run("system", "df", "-v").lines();
    assertThat(verbose.subList(0, 2)).containsExactly("Images space usage:", "");
    assertThat(verbose.get(2).split(" {3,}"))
        .containsExactly(
            "REPOSITORY",
            "TAG",
            "IMAGE ID",
            "CREATED",
            "SIZE",
            "SHARED SIZE",
            "UNIQUE SIZE",
            "CONTAINERS");
    assertThat(verbose.subList(3, 5))
        .anySatisfy(
            row ->
                assertThat(row.split(" {2,}"))
                    .containsExactly(
                        "app",
                        "1",
                        named.substring(0, 12),
                        row.split(" {2,}")[3],
                        "4B",
                        "0B",
                        "4B",
                        "1"));
    assertThat(verbose.subList(5, verbose.size()))
        .containsExactly(
            "",
            "Containers space usage:",
            "",
            "CONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   STATUS    NAMES",
            "",
            "Local Volumes space usage:",
            "",
            "VOLUME NAME   LINKS     SIZE",
            "",
            "Build cache usage: 0B",
            "",
            "CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED");

    CliResult document = cairn.run("system", "df", "-v", "--format", "json");
    assertThat(document.out())
        .startsWith("{\"Images\":[{\"Containers\":")
        .endsWith("],\"Containers\":[],\"Volumes\":[],\"BuildCache\":[]}")
        .contains(
            "\"ID\":\"sha256:" + named + "\"", "\"Repository\":\"app\",\"SharedSize\":\"0B\"");
  }
}
