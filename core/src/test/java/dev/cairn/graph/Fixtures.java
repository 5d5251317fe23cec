package dev.cairn.graph;

import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

/** Small layers and image JSON for the graph's tests. */
final class Fixtures {
  private Fixtures() {}

  /** A tar of directories (names ending in /) and files given as name, content pairs. */
  static byte[] tar(String... namesAndContents) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        String name = namesAndContents[i];
        byte[] content = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
        if (name.endsWith("/")) {
          w.add(TarEntry.directory(name), new ByteArrayInputStream(new byte[0]));
        } else {
          w.add(TarEntry.regular(name, content.length), new ByteArrayInputStream(content));
        }
      }
      w.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static String id(Random random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** An ID that starts with {@code prefix}. */
  static String id(String prefix, Random random) {
    return prefix + id(random).substring(prefix.length());
  }

  /** A v1 image JSON as Docker 1.9 stored it. */
  static byte[] json(String id, String parent) {
    return ("{\"id\":\""
            + id
            + "\""
            + (parent == null ? "" : ",\"parent\":\"" + parent + "\"")
            + ",\"created\":\"2015-11-20T10:00:00.123456789Z\",\"container_config\":{\"Cmd\":null}"
            + ",\"architecture\":\"amd64\",\"os\":\"linux\"}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
