package dev.cairn.tarsplit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import dev.cairn.tar.Tool;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Interoperability with the reference {@code tar-split} command, both directions. */
class TarSplitToolTest {
  @TempDir Path tmp;

  static List<Corpus.Case> corpus() {
    return Corpus.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void writesTheSameMetadataAsTheTool(Corpus.Case c) throws Exception {
    Tool.require("tar-split");
    Path tar = tmp.resolve("in.tar");
    Files.write(tar, c.tar().get());
    Path theirs = tmp.resolve("theirs.json.gz");
    Tool.run(
        tmp, tar, null, "tar-split", "disasm", "--no-stdout", "--output", theirs.toString(), "-");

    Layers.Split ours =
        Layers.split(Files.readAllBytes(tar), Files.createDirectory(tmp.resolve("x")));

    assertThat(text(Layers.gunzip(ours.metadata())))
        .isEqualTo(text(Layers.gunzip(Files.readAllBytes(theirs))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void assemblesFromTheToolsMetadata(Corpus.Case c) throws Exception {
    Tool.require("tar-split");
    byte[] tar = c.tar().get();
    Path tarFile = tmp.resolve("in.tar");
    Files.write(tarFile, tar);
    Path theirs = tmp.resolve("theirs.json.gz");
    Tool.run(
        tmp,
        tarFile,
        null,
        "tar-split",
        "disasm",
        "--no-stdout",
        "--output",
        theirs.toString(),
        "-");

    Layers.Split ours = Layers.split(tar, Files.createDirectory(tmp.resolve("x")));
    byte[] rebuilt = Layers.assemble(Files.readAllBytes(theirs), ours.source());
    assertThat(Layers.sha256(rebuilt)).isEqualTo(Layers.sha256(tar));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void theToolAssemblesFromOurMetadata(Corpus.Case c) throws Exception {
    Tool.require("tar-split");
    byte[] tar = c.tar().get();
    Path layer = Files.createDirectory(tmp.resolve("layer"));
    Layers.Split ours = Layers.split(tar, Files.createDirectory(tmp.resolve("x")));
    // Lay the files out under their names, where the tool looks for them.
    for (Map.Entry<String, Path> f : ours.files().entrySet()) {
      byte[] name = HexFormat.of().parseHex(f.getKey());
      if (Files.size(f.getValue()) == 0) {
        continue;
      }
      create(layer, name, Files.readAllBytes(f.getValue())); // by bytes: names need not be UTF-8
    }
    Path meta = tmp.resolve("ours.json.gz");
    Files.write(meta, ours.metadata());
    Path out = tmp.resolve("out.tar");
    Tool.run(
        tmp,
        null,
        null,
        "tar-split",
        "asm",
        "--input",
        meta.toString(),
        "--path",
        layer.toString(),
        "--output",
        out.toString());
    assertThat(Layers.sha256(out)).isEqualTo(Layers.sha256(tar));
  }

  /**
   * Writes {@code content} to the file {@code name} (raw bytes) below {@code root}, with parents.
   */
  private static void create(Path root, byte[] name, byte[] content) throws IOException {
    int dir = Posix.openat(Posix.AT_FDCWD, Posix.bytes(root.toString()), Posix.O_PATH, 0);
    try {
      String[] parts = new String(name, StandardCharsets.ISO_8859_1).split("/");
      List<String> components =
          java.util.Arrays.stream(parts).filter(p -> !p.isEmpty() && !p.equals(".")).toList();
      for (int i = 0; i < components.size() - 1; i++) {
        byte[] c = components.get(i).getBytes(StandardCharsets.ISO_8859_1);
        try {
          Posix.mkdirat(dir, c, 0755);
        } catch (PosixException e) {
          if (e.errno() != Posix.EEXIST) {
            throw e;
          }
        }
        int next = Posix.openat(dir, c, Posix.O_PATH | Posix.O_DIRECTORY, 0);
        Posix.close(dir);
        dir = next;
      }
      byte[] base = components.getLast().getBytes(StandardCharsets.ISO_8859_1);
      int fd = Posix.openat(dir, base, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL, 0644);
      try {
        Posix.writeFully(fd, content, 0, content.length);
      } finally {
        Posix.close(fd);
      }
    } finally {
      Posix.close(dir);
    }
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  static ByteArrayInputStream in(byte[] b) {
    return new ByteArrayInputStream(b);
  }
}
