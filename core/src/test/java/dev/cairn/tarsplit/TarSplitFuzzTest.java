package dev.cairn.tarsplit;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.NoSuchFileException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/** tar-split over any input: a tar it accepts comes back byte for byte; bad metadata is refused. */
class TarSplitFuzzTest {
  private static final HexFormat HEX = HexFormat.of();

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void anAcceptedTarIsAssembledBackByteForByte(byte[] tar) throws Exception {
    Fuzz.rejectsCleanly(
        () -> {
          Map<String, byte[]> files = new HashMap<>();
          Map<String, Integer> paths = new HashMap<>();
          ByteArrayOutputStream metadata = new ByteArrayOutputStream();
          long read =
              TarSplit.disassemble(
                  new ByteArrayInputStream(tar),
                  metadata,
                  (e, payload) -> {
                    files.put(HEX.formatHex(e.rawName()), payload.readAllBytes());
                    paths.merge(TarSplit.clean(e.rawName()), 1, Integer::sum);
                  });
          assertThat(read).isEqualTo(tar.length);
          if (paths.values().stream().anyMatch(n -> n > 1)) {
            return; // a path named twice needs the files kept aside (the disassembly to a file)
          }
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          TarSplit.assemble(new ByteArrayInputStream(metadata.toByteArray()), open(files), out);
          assertThat(out.toByteArray()).isEqualTo(tar);
          assertThat(TarSplit.size(new ByteArrayInputStream(metadata.toByteArray())))
              .isEqualTo(tar.length);
        });
  }

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void anyMetadataAssemblesOrIsRefused(byte[] jsonLines) throws Exception {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(jsonLines);
    }
    Map<String, byte[]> files =
        Map.of(
            HEX.formatHex("a".getBytes()),
            "hello\n".getBytes(),
            HEX.formatHex("b".getBytes()),
            new byte[0]);
    try {
      Fuzz.rejectsCleanly(
          () ->
              TarSplit.assemble(
                  new ByteArrayInputStream(gz.toByteArray()),
                  open(files),
                  java.io.OutputStream.nullOutputStream()));
    } catch (NoSuchFileException e) {
      // metadata naming a file the layer does not have: the caller's to report
    }
  }

  private static FileSource open(Map<String, byte[]> files) {
    return name -> {
      byte[] content = files.get(HEX.formatHex(name));
      if (content == null) {
        throw new NoSuchFileException(new String(name, java.nio.charset.StandardCharsets.UTF_8));
      }
      return new SeekableInMemoryByteChannel(content);
    };
  }
}
