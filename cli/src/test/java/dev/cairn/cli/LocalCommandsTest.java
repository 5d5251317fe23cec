package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local commands end to end: import, images, inspect, history, tag, layer export, mount, rmi.
 */
class LocalCommandsTest {
  @TempDir Path dir;
  Path root;
  Cli cairn;

  @BeforeEach
  void setUp() {
    root = dir.resolve("store");
    cairn = Cli.vfs(root);
  }

  /** A small root filesystem tar: a directory, a file and a symlink. */
  private static byte[] rootfs(String content) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(tar)) {
      w.add(TarEntry.directory("etc/"));
      byte[] data = content.getBytes(StandardCharsets.UTF_8);
      w.add(TarEntry.regular("etc/motd", data.length), new ByteArrayInputStream(data));
      w.add(TarEntry.symlink("etc/link", "motd"));
    }
    return tar.toByteArray();
  }

  private String importImage(byte[] tar, String name) throws IOException {
    Path file = dir.resolve(name.replace(':', '_') + ".tar.gz");
    try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
      gz.write(tar);
    }
    CliResult r = cairn.run("import", file.toString(), name);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip()).startsWith("sha256:");
    return r.out().strip().substring("sha256:".length());
  }

  @Test
  void imagesQuietWithARepositoryOrATagListsTheImagesOfTheRowsTheTableKeeps() throws IOException {
    String one = importImage(rootfs("one\n"), "app:1");
    String two = importImage(rootfs("two\n"), "app:2");
    String other = importImage(rootfs("other\n"), "tool:1");
    assertThat(cairn.run("tag", other, "app:3").exit()).isZero();
    for (String filter : List.of("app", "app:2", "tool", "tool:2", "nothing")) {
      List<String> table =
          cairn.run("images", filter).lines().stream()
              .skip(1)
              .map(l -> l.split(" +")[2])
              .distinct()
              .toList();
      assertThat(cairn.run("images", "-q", filter).lines()).as(filter).isEqualTo(table);
    }
    assertThat(cairn.run("images", "-q", "app").lines())
        .containsExactlyInAnyOrder(
            one.substring(0, 12), two.substring(0, 12), other.substring(0, 12));
    assertThat(cairn.run("images", "-q", "tool:2").lines()).isEmpty();
  }

  @Test
  void imagesFiltersAreDockersAndQuietListsWhatTheTableKeeps() throws IOException {
    String one = importImage(rootfs("one\n"), "app:1");
    String two = importImage(rootfs("two\n"), "app:2");
    String tool = importImage(rootfs("tool\n"), "tool:1");
    CliResult loose = cairn.run("import", writeGzip(rootfs("loose\n")).toString());
    assertThat(loose.exit()).as(loose.err()).isZero();
    String dangling = loose.out().strip().substring("sha256:".length());

    assertThat(cairn.run("images", "-q", "--filter", "reference=a?p:*").lines())
        .containsExactlyInAnyOrder(one.substring(0, 12), two.substring(0, 12));
    assertThat(cairn.run("images", "-q", "-f", "Reference=tool").lines()) // keys as docker's CLI
        .containsExactly(tool.substring(0, 12));
    assertThat(cairn.run("images", "-q", "--filter", "dangling=true").lines())
        .containsExactly(dangling.substring(0, 12));
    assertThat(cairn.run("images", "-q", "--filter", "before=tool:1", "app").lines())
        .containsExactlyInAnyOrder(one.substring(0, 12), two.substring(0, 12));
    List<String> table =
        cairn.run("images", "--filter", "dangling=false").lines().stream()
            .skip(1)
            .map(l -> l.split(" +")[0] + ":" + l.split(" +")[1])
            .toList();
    assertThat(table).containsExactlyInAnyOrder("app:1", "app:2", "tool:1");

    CliResult bad = cairn.run("images", "--filter", "x=1");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("invalid filter 'x'");
  }

  private Path writeGzip(byte[] tar) throws IOException {
    Path file = Files.createTempFile(dir, "rootfs", ".tar.gz");
    try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
      gz.write(tar);
    }
    return file;
  }

  @Test
  void importedImageIsListedInspectedAndExportedByteForByte() throws IOException {
    byte[] tar = rootfs("hello\n");
    String id = importImage(tar, "app:1");

    CliResult images = cairn.run("images");
    assertThat(images.out().lines().toList())
        .first()
        .satisfies(h -> assertThat(h).startsWith("REPOSITORY   TAG       IMAGE ID       CREATED"));
    assertThat(images.out()).contains("app          1         " + id.substring(0, 12));
    assertThat(cairn.run("images", "-q").out().strip()).isEqualTo(id.substring(0, 12));
    assertThat(cairn.run("images", "-q", "--no-trunc").out().strip()).isEqualTo("sha256:" + id);

    JsonObject row =
        (JsonObject)
            Json.parse(
                cairn
                    .run("images", "--format", "json")
                    .out()
                    .strip()
                    .getBytes(StandardCharsets.UTF_8));
    assertThat(((JsonString) row.get("Repository")).value()).isEqualTo("app");
    assertThat(((JsonString) row.get("Tag")).value()).isEqualTo("1");

    JsonArray inspect =
        (JsonArray)
            Json.parse(cairn.run("inspect", "app:1").out().getBytes(StandardCharsets.UTF_8));
    JsonObject img = (JsonObject) inspect.items().getFirst();
    assertThat(((JsonString) img.get("Id")).value()).isEqualTo("sha256:" + id);
    JsonArray layers = (JsonArray) ((JsonObject) img.get("RootFS")).get("Layers");
    assertThat(((JsonString) layers.items().getFirst()).value())
        .isEqualTo(Digest.sha256(tar).toString());

    CliResult export = cairn.run("layer", "export", id.substring(0, 8), "-o", "-");
    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(export.bytes()).isEqualTo(tar);
    Path out = dir.resolve("layer.tar");
    assertThat(cairn.run("layer", "export", id, "-o", out.toString()).exit()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(tar);

    assertThat(cairn.run("history", "-q", "app:1").out().strip()).isEqualTo(id.substring(0, 12));
    assertThat(cairn.run("history", "app:1").out()).contains("Imported from");

    Path mounted = Path.of(cairn.run("mount", "app:1").out().strip());
    assertThat(Files.readString(mounted.resolve("etc/motd"))).isEqualTo("hello\n");
    assertThat(cairn.run("unmount", "app:1").exit()).isZero();
  }

  @Test
  void tagMovesAndRmiUntagsBeforeDeleting() throws IOException {
    String first = importImage(rootfs("one\n"), "app:1");
    String second = importImage(rootfs("two\n"), "app:2");

    assertThat(cairn.run("tag", "app:1", "app:latest").exit()).isZero();
    CliResult moved = cairn.run("tag", second.substring(0, 12), "app:latest");
    assertThat(moved.exit()).isZero();
    assertThat(moved.err()).contains("app:latest moved from image " + first.substring(0, 12));

    CliResult untag = cairn.run("rmi", "app:latest");
    assertThat(untag.out().strip()).isEqualTo("Untagged: app:latest");
    assertThat(cairn.run("images", "-q", "--no-trunc").out()).contains(second);

    CliResult delete = cairn.run("rmi", "app:2");
    assertThat(delete.out().lines().toList())
        .containsExactly("Untagged: app:2", "Deleted: sha256:" + second);
    assertThat(cairn.run("images", "-q", "--no-trunc").out().strip()).isEqualTo("sha256:" + first);
  }

  @Test
  void rmiByIdOfAnImageInTwoRepositoriesNeedsForce() throws IOException {
    String id = importImage(rootfs("x\n"), "one:1");
    assertThat(cairn.run("tag", "one:1", "two:1").exit()).isZero();

    CliResult refused = cairn.run("rmi", id.substring(0, 12));
    assertThat(refused.exit()).isEqualTo(4);
    assertThat(refused.err()).contains("referenced in 2 repositories");

    CliResult forced = cairn.run("rmi", "-f", id.substring(0, 12));
    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(forced.out())
        .contains("Untagged: one:1", "Untagged: two:1", "Deleted: sha256:" + id);
  }

  @Test
  void unknownImagesAreClearErrorsWithoutStackTraces() {
    CliResult r = cairn.run("inspect", "nope");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("cairn: no such image: \"nope\"");
    assertThat(r.out()).isEqualTo("[]\n"); // as docker prints when it found nothing
    CliResult rmi = cairn.run("rmi", "nope", "alsonope");
    assertThat(rmi.exit()).isEqualTo(2);
    assertThat(rmi.err().lines()).hasSize(2);
  }

  @Test
  void anOverlayMountOutlivesTheCommandUntilUnmount() throws IOException {
    dev.cairn.testing.Tools.requireRoot("overlay mounts need root");
    root = dir.resolve("overlay-store");
    // Two layers, so that the image is a real overlay mount rather than a plain directory.
    try (dev.cairn.store.Store store =
        dev.cairn.store.Store.open(
            root, dev.cairn.store.StoreOptions.defaults().withDriver("overlay"))) {
      dev.cairn.graph.Node base =
          dev.cairn.store.StoreFixtures.graph(store)
              .create(null, "base", new ByteArrayInputStream(rootfs("base\n")));
      dev.cairn.graph.Node top =
          dev.cairn.store.StoreFixtures.graph(store)
              .create(base.id(), "top", new ByteArrayInputStream(rootfs("top\n")));
      dev.cairn.store.StoreFixtures.tags(store)
          .tag(dev.cairn.image.Reference.parse("top:1"), top.id(), false);
    }
    Cli overlay = new Cli(root, "overlay");
    Path mounted = Path.of(overlay.run("mount", "top:1").out().strip());
    assertThat(mounted.getFileName().toString()).isEqualTo("merged");
    assertThat(overlay.run("images").exit()).isZero(); // a new process opens the store alone
    assertThat(Files.readString(mounted.resolve("etc/motd"))).isEqualTo("top\n");
    assertThat(overlay.run("unmount", "top:1").exit()).isZero();
    assertThat(Files.exists(mounted.resolve("etc/motd"))).isFalse();
  }

  @Test
  void inspectPrintsTheImagesFoundAndReportsEachOneMissing() throws IOException {
    String id = importImage(rootfs("a\n"), "a:1");
    CliResult r = cairn.run("inspect", "a:1", "nope", "alsonope");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines())
        .containsExactly("cairn: no such image: \"nope\"", "cairn: no such image: \"alsonope\"");
    JsonArray found = (JsonArray) Json.parse(r.out().getBytes(StandardCharsets.UTF_8));
    assertThat(found.items())
        .singleElement()
        .satisfies(
            i ->
                assertThat(((JsonString) ((JsonObject) i).get("Id")).value())
                    .isEqualTo("sha256:" + id));
  }

  @Test
  void importReadsStandardInput() throws IOException {
    byte[] tar = rootfs("stdin\n");
    CliResult r = cairn.run(new ByteArrayInputStream(tar), "import", "-", "fromstdin");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(cairn.run("images").out()).contains("fromstdin").contains("latest");
  }
}
