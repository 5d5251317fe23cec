package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarWriter;
import dev.cairn.testing.ChainImage;
import dev.cairn.testing.DockerSave;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn save} and {@code cairn load}: files, pipes, Docker's output lines, refusals. */
class SaveLoadCommandTest {
  @TempDir Path dir;

  static final String ID = "c".repeat(64);

  // two stores: what is saved from one is loaded into the other
  Cli a;
  Cli b;

  @BeforeEach
  void setUp() {
    a = new Cli(dir.resolve("a"), null);
    b = new Cli(dir.resolve("b"), null);
  }

  /** A Docker 1.9 archive of one image tagged legacy:v1. */
  private static byte[] legacyArchive() throws IOException {
    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(layer)) {
      byte[] content = "hello\n".getBytes(StandardCharsets.UTF_8);
      w.add(TarEntry.regular("hello.txt", content.length), new ByteArrayInputStream(content));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      add(w, ID + "/VERSION", "1.0".getBytes(StandardCharsets.UTF_8));
      add(
          w,
          ID + "/json",
          ("{\"id\":\"" + ID + "\",\"created\":\"2015-11-20T10:00:00Z\",\"os\":\"linux\"}")
              .getBytes(StandardCharsets.UTF_8));
      add(w, ID + "/layer.tar", layer.toByteArray());
      add(
          w,
          "repositories",
          ("{\"legacy\":{\"v1\":\"" + ID + "\"}}").getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static void add(TarWriter w, String name, byte[] data) throws IOException {
    w.add(TarEntry.regular(name, data.length), new ByteArrayInputStream(data));
  }

  @Test
  void loadFromFileSaveToStdoutLoadFromStdin() throws IOException {
    Path archive = dir.resolve("legacy.tar");
    Files.write(archive, legacyArchive());
    CliResult load = a.run("load", "-i", archive.toString());
    assertThat(load.exit()).as(load.err()).isZero();
    assertThat(load.out()).isEqualTo("Loaded image: legacy:v1\n");

    CliResult save = a.run("save", "legacy:v1");
    assertThat(save.exit()).as(save.err()).isZero();
    assertThat(save.bytes()).isNotEmpty();

    CliResult again = b.run(new ByteArrayInputStream(save.bytes()), "load");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).isEqualTo("Loaded image: legacy:v1\n");
  }

  @Test
  void saveByIdToAFileLoadsWithoutATag() throws IOException {
    Path archive = dir.resolve("legacy.tar");
    Files.write(archive, legacyArchive());
    assertThat(a.run("load", "-q", "-i", archive.toString()).exit()).isZero();
    Path saved = dir.resolve("out.tar");
    CliResult save = a.run("save", "-o", saved.toString(), ID.substring(0, 12));
    assertThat(save.exit()).as(save.err()).isZero();
    assertThat(save.bytes()).as("nothing on stdout with -o").isEmpty();
    assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".partial"));
    CliResult load = b.run("load", "-i", saved.toString());
    assertThat(load.out()).isEqualTo("Loaded image ID: sha256:" + ID + "\n");
  }

  @Test
  void loadingWhatDockerSavesPrintsOnlyWhatWasLoaded() {
    // docker writes the layers first, in name order: cairn keeps them aside until the manifest,
    // which is its own business, as it is docker's.
    byte[] archive =
        DockerSave.of(
                List.of(
                    new DockerSave.Image(
                        ChainImage.config(), ChainImage.layers(), List.of("chain:latest"))))
            .bytes();
    CliResult load = a.run(new ByteArrayInputStream(archive), "load");
    assertThat(load.exit()).as(load.err()).isZero();
    assertThat(load.err()).isEmpty();
    assertThat(load.out()).isEqualTo("Loaded image: chain:latest\n");
  }

  @Test
  void aBrokenArchiveIsRefusedWithExitStatusOne() throws IOException {
    byte[] full = legacyArchive();
    byte[] cut = java.util.Arrays.copyOf(full, full.length / 2);
    CliResult load = a.run(new ByteArrayInputStream(cut), "load");
    assertThat(load.exit()).isEqualTo(1);
    assertThat(load.err()).startsWith("cairn: loading image archive: ");
  }

  @Test
  void savingAnUnknownImageIsNotFound() {
    CliResult save = a.run("save", "nothing:here");
    assertThat(save.exit()).isEqualTo(2);
    assertThat(save.err()).contains("no such image");
  }
}
