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
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  record Result(int exit, String out, String err, byte[] bytes) {}

  @BeforeEach
  void setUp() {
    root = dir.resolve("store");
  }

  private Result runRaw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String[] all = new String[args.length + 2];
    all[0] = "--root";
    all[1] = root.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int exit =
        Main.run(
            all,
            InputStream.nullInputStream(),
            bytes,
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString(), bytes.toByteArray());
  }

  private Result run(InputStream stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String[] all = new String[args.length + 3];
    all[0] = "--root";
    all[1] = root.toString();
    all[2] = "--driver=vfs";
    System.arraycopy(args, 0, all, 3, args.length);
    int exit = Main.run(all, stdin, bytes, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString(), bytes.toByteArray());
  }

  private Result run(String... args) {
    return run(InputStream.nullInputStream(), args);
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
    Result r = run("import", file.toString(), name);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip()).startsWith("sha256:");
    return r.out().strip().substring("sha256:".length());
  }

  @Test
  void importedImageIsListedInspectedAndExportedByteForByte() throws IOException {
    byte[] tar = rootfs("hello\n");
    String id = importImage(tar, "app:1");

    Result images = run("images");
    assertThat(images.out().lines().toList())
        .first()
        .satisfies(h -> assertThat(h).startsWith("REPOSITORY   TAG       IMAGE ID       CREATED"));
    assertThat(images.out()).contains("app          1         " + id.substring(0, 12));
    assertThat(run("images", "-q").out().strip()).isEqualTo(id.substring(0, 12));
    assertThat(run("images", "-q", "--no-trunc").out().strip()).isEqualTo("sha256:" + id);

    JsonObject row =
        (JsonObject)
            Json.parse(
                run("images", "--format", "json").out().strip().getBytes(StandardCharsets.UTF_8));
    assertThat(((JsonString) row.get("Repository")).value()).isEqualTo("app");
    assertThat(((JsonString) row.get("Tag")).value()).isEqualTo("1");

    JsonArray inspect =
        (JsonArray) Json.parse(run("inspect", "app:1").out().getBytes(StandardCharsets.UTF_8));
    JsonObject img = (JsonObject) inspect.items().getFirst();
    assertThat(((JsonString) img.get("Id")).value()).isEqualTo("sha256:" + id);
    JsonArray layers = (JsonArray) ((JsonObject) img.get("RootFS")).get("Layers");
    assertThat(((JsonString) layers.items().getFirst()).value())
        .isEqualTo(Digest.sha256(tar).toString());

    Result export = run("layer", "export", id.substring(0, 8), "-o", "-");
    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(export.bytes()).isEqualTo(tar);
    Path out = dir.resolve("layer.tar");
    assertThat(run("layer", "export", id, "-o", out.toString()).exit()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(tar);

    assertThat(run("history", "-q", "app:1").out().strip()).isEqualTo(id.substring(0, 12));
    assertThat(run("history", "app:1").out()).contains("Imported from");

    Path mounted = Path.of(run("mount", "app:1").out().strip());
    assertThat(Files.readString(mounted.resolve("etc/motd"))).isEqualTo("hello\n");
    assertThat(run("unmount", "app:1").exit()).isZero();
  }

  @Test
  void tagMovesAndRmiUntagsBeforeDeleting() throws IOException {
    String first = importImage(rootfs("one\n"), "app:1");
    String second = importImage(rootfs("two\n"), "app:2");

    assertThat(run("tag", "app:1", "app:latest").exit()).isZero();
    Result moved = run("tag", second.substring(0, 12), "app:latest");
    assertThat(moved.exit()).isZero();
    assertThat(moved.err()).contains("app:latest moved from image " + first.substring(0, 12));

    Result untag = run("rmi", "app:latest");
    assertThat(untag.out().strip()).isEqualTo("Untagged: app:latest");
    assertThat(run("images", "-q", "--no-trunc").out()).contains(second);

    Result delete = run("rmi", "app:2");
    assertThat(delete.out().lines().toList())
        .containsExactly("Untagged: app:2", "Deleted: sha256:" + second);
    assertThat(run("images", "-q", "--no-trunc").out().strip()).isEqualTo("sha256:" + first);
  }

  @Test
  void rmiByIdOfAnImageInTwoRepositoriesNeedsForce() throws IOException {
    String id = importImage(rootfs("x\n"), "one:1");
    assertThat(run("tag", "one:1", "two:1").exit()).isZero();

    Result refused = run("rmi", id.substring(0, 12));
    assertThat(refused.exit()).isEqualTo(4);
    assertThat(refused.err()).contains("referenced in 2 repositories");

    Result forced = run("rmi", "-f", id.substring(0, 12));
    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(forced.out())
        .contains("Untagged: one:1", "Untagged: two:1", "Deleted: sha256:" + id);
  }

  @Test
  void unknownImagesAreClearErrorsWithoutStackTraces() {
    Result r = run("inspect", "nope");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("cairn: no such image: \"nope\"");
    assertThat(r.out()).isEqualTo("[]\n"); // as docker prints when it found nothing
    Result rmi = run("rmi", "nope", "alsonope");
    assertThat(rmi.exit()).isEqualTo(2);
    assertThat(rmi.err().lines()).hasSize(2);
  }

  @Test
  void anOverlayMountOutlivesTheCommandUntilUnmount() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        "true".equals(System.getenv("CI")) || dev.cairn.posix.Posix.geteuid() == 0,
        "overlay mounts need root");
    root = dir.resolve("overlay-store");
    // Two layers, so that the image is a real overlay mount rather than a plain directory.
    try (dev.cairn.store.Store store =
        dev.cairn.store.Store.open(
            root, dev.cairn.store.StoreOptions.defaults().withDriver("overlay"))) {
      dev.cairn.graph.Node base =
          store.graph().create(null, "base", new ByteArrayInputStream(rootfs("base\n")));
      dev.cairn.graph.Node top =
          store.graph().create(base.id(), "top", new ByteArrayInputStream(rootfs("top\n")));
      store.tags().tag(dev.cairn.image.Reference.parse("top:1"), top.id(), false);
    }
    String[] overlay = {"--driver=overlay"};
    Path mounted = Path.of(runWith(overlay, "mount", "top:1").out().strip());
    assertThat(mounted.getFileName().toString()).isEqualTo("merged");
    assertThat(runWith(overlay, "images").exit()).isZero(); // a new process opens the store alone
    assertThat(Files.readString(mounted.resolve("etc/motd"))).isEqualTo("top\n");
    assertThat(runWith(overlay, "unmount", "top:1").exit()).isZero();
    assertThat(Files.exists(mounted.resolve("etc/motd"))).isFalse();
  }

  @Test
  void inspectPrintsTheImagesFoundAndReportsEachOneMissing() throws IOException {
    String id = importImage(rootfs("a\n"), "a:1");
    Result r = run("inspect", "a:1", "nope", "alsonope");
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

  private Result runWith(String[] global, String... args) {
    String[] all = new String[global.length + args.length];
    System.arraycopy(global, 0, all, 0, global.length);
    System.arraycopy(args, 0, all, global.length, args.length);
    return runRaw(all);
  }

  @Test
  void importReadsStandardInput() throws IOException {
    byte[] tar = rootfs("stdin\n");
    Result r = run(new ByteArrayInputStream(tar), "import", "-", "fromstdin");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(run("images").out()).contains("fromstdin").contains("latest");
  }
}
