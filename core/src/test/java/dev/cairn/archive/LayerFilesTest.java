package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.posix.Posix;
import dev.cairn.tar.TarEntry;
import dev.cairn.tarsplit.FileSource;
import dev.cairn.tarsplit.TarSplit;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayerFilesTest {
  @TempDir Path tmp;

  private static final byte[] LATIN1_DIR = {'c', 'a', 'f', (byte) 0xe9};
  private static final byte[] LATIN1_FILE = {
    'c', 'a', 'f', (byte) 0xe9, '/', (byte) 0xff, '.', 't'
  };

  @Test
  void layersWithNamesThatAreNotUtf8ReassembleByteForByte() throws IOException {
    Path root = Files.createDirectory(tmp.resolve("root"));
    byte[] tar =
        TestLayer.of()
            .entry(TarEntry.directory("d").withName(LATIN1_DIR), new byte[0])
            .entry(
                TarEntry.regular("f", 5).withName(LATIN1_FILE),
                "hello".getBytes(StandardCharsets.US_ASCII))
            .file("plain", "text")
            .tar();
    ByteArrayOutputStream metadata = new ByteArrayOutputStream();
    Layer.apply(
        new ByteArrayInputStream(tar),
        root,
        ApplyOptions.defaults(),
        Layer.recordingTarSplit(metadata));

    assertThatThrownBy(() -> assemble(metadata.toByteArray(), FileSource.directory(root)))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("not valid UTF-8");
    try (LayerFiles files = LayerFiles.open(root)) {
      assertThat(assemble(metadata.toByteArray(), files)).isEqualTo(tar);
    }
  }

  @Test
  void linksResolveInsideTheRootNeverOutside() throws IOException {
    Files.writeString(tmp.resolve("data"), "outside");
    Path root = Files.createDirectory(tmp.resolve("root"));
    Files.writeString(root.resolve("data"), "inside");
    Files.createDirectories(root.resolve("a/b"));
    Files.createSymbolicLink(root.resolve("up"), Path.of("../data"));
    Files.createSymbolicLink(root.resolve("abs"), Path.of("/data"));
    Files.createSymbolicLink(root.resolve("a/b/rel"), Path.of("../../../../data"));
    Files.createSymbolicLink(root.resolve("a/dir"), Path.of("/a/b"));
    Files.createSymbolicLink(root.resolve("host"), tmp.resolve("data"));
    try (LayerFiles files = LayerFiles.open(root)) {
      assertThat(read(files, "up")).isEqualTo("inside");
      assertThat(read(files, "abs")).isEqualTo("inside");
      assertThat(read(files, "a/b/rel")).isEqualTo("inside");
      assertThat(read(files, "a/dir/rel")).isEqualTo("inside");
      assertThat(read(files, "/../../data")).isEqualTo("inside");
      // An absolute link to the host path is re-rooted: the root has no such path.
      assertThatThrownBy(() -> read(files, "host")).isInstanceOf(NoSuchFileException.class);
    }
  }

  // Found by LayerFuzzTest: a component longer than NAME_MAX made openat fail with ENAMETOOLONG,
  // which escaped as an I/O error; no file can have such a name, so there is none.
  @ParameterizedTest
  @ValueSource(strings = {"LONG", "LONG/f", "a/LONG", "a/LONG/f", "link/LONG"})
  void aNameWithAComponentLongerThanTheFileSystemAllowsNamesNoFile(String name) throws IOException {
    Path root = Files.createDirectory(tmp.resolve("root"));
    Files.createDirectories(root.resolve("a"));
    Files.createSymbolicLink(root.resolve("link"), Path.of("a"));
    try (LayerFiles files = LayerFiles.open(root)) {
      assertThatThrownBy(() -> read(files, name.replace("LONG", "x".repeat(256))))
          .isInstanceOf(NoSuchFileException.class);
    }
  }

  @Test
  void smallFilesReadThroughTheirDescriptorLargeOnesAsFileChannels() throws IOException {
    Path root = Files.createDirectory(tmp.resolve("root"));
    String large = "0123456789abcdef".repeat(70_000);
    Files.writeString(root.resolve("large"), large);
    Files.writeString(root.resolve("small"), "tiny");
    try (LayerFiles files = LayerFiles.open(root)) {
      try (SeekableByteChannel ch = files.open("large".getBytes(StandardCharsets.US_ASCII))) {
        assertThat(ch).isInstanceOf(FileChannel.class);
        assertThat(ch.size()).isEqualTo(large.length());
      }
      try (SeekableByteChannel ch = files.open("small".getBytes(StandardCharsets.US_ASCII))) {
        assertThat(ch).isNotInstanceOf(FileChannel.class);
        assertThat(ch.size()).isEqualTo(4);
      }
      assertThat(read(files, "large")).isEqualTo(large);
      assertThat(read(files, "small")).isEqualTo("tiny");
    }
  }

  @Test
  void aFifoIsRefusedWithoutBlocking() throws IOException {
    Path root = Files.createDirectory(tmp.resolve("root"));
    Posix.mknodat(
        Posix.AT_FDCWD, Posix.bytes(root.resolve("pipe").toString()), Posix.S_IFIFO | 0644, 0, 0);
    try (LayerFiles files = LayerFiles.open(root)) {
      assertThatThrownBy(() -> read(files, "pipe"))
          .isInstanceOf(CairnException.class)
          .hasMessage("file \"pipe\" is not a regular file");
    }
  }

  @Test
  void onlyRegularFilesOpen() throws IOException {
    Path root = Files.createDirectory(tmp.resolve("root"));
    Files.createDirectories(root.resolve("dir"));
    Files.writeString(root.resolve("file"), "x");
    Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
    try (LayerFiles files = LayerFiles.open(root)) {
      assertThatThrownBy(() -> read(files, "dir"))
          .isInstanceOf(CairnException.class)
          .hasMessage("file \"dir\" is not a regular file");
      assertThatThrownBy(() -> read(files, "/"))
          .isInstanceOf(CairnException.class)
          .hasMessage("file \"/\" is the layer root");
      assertThatThrownBy(() -> read(files, "loop"))
          .isInstanceOf(CairnException.class)
          .hasMessageContaining("too many levels of symbolic links");
      assertThatThrownBy(() -> read(files, "missing")).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> read(files, "file/below")).isInstanceOf(NoSuchFileException.class);
    }
  }

  private static String read(FileSource files, String name) throws IOException {
    try (SeekableByteChannel ch = files.open(name.getBytes(StandardCharsets.UTF_8))) {
      ByteBuffer b = ByteBuffer.allocate((int) ch.size());
      while (b.hasRemaining() && ch.read(b) > 0) {}
      return new String(b.array(), StandardCharsets.UTF_8);
    }
  }

  private static byte[] assemble(byte[] metadata, FileSource files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarSplit.assemble(new ByteArrayInputStream(metadata), files, out);
    return out.toByteArray();
  }
}
