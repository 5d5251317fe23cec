package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn manifest ids}: output, exit codes, and errors that name the problem. */
class ManifestIdsTest {
  @TempDir Path dir;

  private static String id(String name) {
    return Digest.sha256(("image " + name).getBytes(StandardCharsets.UTF_8)).hex();
  }

  private static String blob(String name) {
    return Digest.sha256(("layer " + name).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** An unsigned manifest; each entry is {name, parent name or ""}, top first. */
  private static String manifest(String[]... entries) {
    List<String> layers = new ArrayList<>();
    List<String> history = new ArrayList<>();
    for (String[] e : entries) {
      layers.add("{\"blobSum\":\"" + blob(e[0]) + "\"}");
      String parent = e[1].isEmpty() ? "" : ",\\\"parent\\\":\\\"" + id(e[1]) + "\\\"";
      history.add(
          "{\"v1Compatibility\":\"{\\\"id\\\":\\\""
              + id(e[0])
              + "\\\""
              + parent
              + ",\\\"created\\\":\\\"2015-09-08T21:30:30Z\\\",\\\"docker_version\\\":\\\"1.9.0\\\"}\"}");
    }
    return "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"y\",\"architecture\":\"amd64\",\"fsLayers\":["
        + String.join(",", layers)
        + "],\"history\":["
        + String.join(",", history)
        + "]}";
  }

  private Path file(String content) throws Exception {
    return Files.writeString(dir.resolve("manifest.json"), content);
  }

  @Test
  void printsOneLinePerImageFromTheBaseUp() throws Exception {
    Path f = file(manifest(new String[] {"b", "a"}, new String[] {"a", ""}));

    CliResult r = Cli.BARE.run("manifest", "ids", f.toString());

    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    List<String> lines = r.out().lines().toList();
    // The strong IDs as the Go reference implementation computes them, in the same order.
    assertThat(lines).containsExactlyElementsOf(goChain(Files.readString(f)));
    assertThat(lines.get(0)).endsWith(" " + id("a") + " " + blob("a"));
    assertThat(lines.get(1)).endsWith(" " + id("b") + " " + blob("b"));
  }

  /** What the Go reference (core's src/test/go/strongid, mode chain) prints for a manifest. */
  private static List<String> goChain(String manifest) throws Exception {
    Path go = dev.cairn.testing.Tools.goBinary(Path.of("../core/src/test/go/strongid"));
    return dev.cairn.testing.Tools.runGo(new ProcessBuilder(go.toString(), "chain"), manifest);
  }

  @Test
  void readsStandardInputAndMatchesTheGoReferenceOnARegistrySignedManifest() throws Exception {
    byte[] body;
    try (InputStream in = getClass().getResourceAsStream("/registry-signed.json")) {
      body = in.readAllBytes();
    }

    CliResult r = Cli.BARE.run(new ByteArrayInputStream(body), "manifest", "ids", "-");

    assertThat(r.err()).isEmpty();
    assertThat(r.exit()).isZero();
    // The line the Go reference implementation (src/test/go/strongid, mode chain) prints.
    assertThat(r.out())
        .isEqualTo(
            "fe7a846badca454f0a5c42d3ab44895cbdc1c961eab67ebb3a51d37fdc6efdd9"
                + " ada208d133c9ee4da46930d7121a710436a0f940c34e7ffd86538c1ae51fd1b3"
                + " sha256:1e93cf090ac787e2248b4e962d9496cd6ac868a58825a9ee0e318221969db529"
                + System.lineSeparator());
  }

  @Test
  void anImageListedTwiceInARowIsPrintedOnce() throws Exception {
    String plain =
        Cli.BARE
            .run(
                "manifest",
                "ids",
                file(manifest(new String[] {"b", "a"}, new String[] {"a", ""})).toString())
            .out();
    Path repeated =
        Files.writeString(
            dir.resolve("repeated.json"),
            manifest(new String[] {"b", "a"}, new String[] {"b", "a"}, new String[] {"a", ""}));

    CliResult r = Cli.BARE.run("manifest", "ids", repeated.toString());

    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo(plain);
  }

  @Test
  void anInvalidManifestPrintsNothingAndNamesTheLayerAndField() throws Exception {
    Path f =
        file(manifest(new String[] {"c", "a"}, new String[] {"b", "a"}, new String[] {"a", ""}));

    CliResult r = Cli.BARE.run("manifest", "ids", f.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "cairn: manifest "
                + f
                + ": history[0] (id "
                + id("c").substring(0, 12)
                + "…): parent is \""
                + id("a")
                + "\" but the next image below, history[1], is "
                + id("b")
                + System.lineSeparator());
  }

  @Test
  void aBadIdNamesTheHistoryEntry() throws Exception {
    CliResult r =
        Cli.BARE.run(
            new ByteArrayInputStream(
                manifest(new String[] {"a", ""})
                    .replace(id("a"), "xyz")
                    .getBytes(StandardCharsets.UTF_8)),
            "manifest",
            "ids",
            "-");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith(
            "cairn: manifest (standard input): history[0].v1Compatibility: id \"xyz\" is not 64 lowercase hex");
  }

  @Test
  void aMissingFileIsAnError() {
    Path missing = dir.resolve("nope.json");
    CliResult r = Cli.BARE.run("manifest", "ids", missing.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo("cairn: manifest " + missing + ": no such file" + System.lineSeparator());
  }

  @Test
  void inputOverFourMebibytesIsRefusedWithoutReadingItAll() {
    InputStream huge =
        new InputStream() {
          long left = 64L << 20;

          @Override
          public int read() {
            return left-- > 0 ? ' ' : -1;
          }
        };
    CliResult r = Cli.BARE.run(huge, "manifest", "ids", "-");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("larger than 4 MiB, the limit for a manifest");
  }

  @Test
  void helpExplainsTheOutput() {
    CliResult r = Cli.BARE.run("manifest", "ids", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains(
            "Usage: cairn manifest ids",
            "<strong ID> <v1Compatibility id> <blobSum>",
            "- to read standard input");
    assertThat(Cli.BARE.run("manifest", "--help").out()).contains("ids");
  }
}
