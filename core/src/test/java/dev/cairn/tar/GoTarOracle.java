package dev.cairn.tar;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.CairnException;
import dev.cairn.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Go's archive/tar, the reader tar-split and docker use, as a reference (the program
 * src/test/go/taroracle), and cairn's reading of the same bytes in the same words: one line per
 * entry, or "invalid".
 */
final class GoTarOracle {
  private static final Base64.Encoder B64 = Base64.getEncoder();

  private GoTarOracle() {}

  /** Go's listing of each stream. */
  static List<String> go(List<byte[]> tars) throws Exception {
    StringBuilder input = new StringBuilder();
    tars.forEach(t -> input.append(B64.encodeToString(t)).append('\n'));
    Path go = Tools.goBinary(Path.of("src/test/go/taroracle"));
    List<String> answers = Tools.runGo(new ProcessBuilder(go.toString()), input.toString());
    assertThat(answers).hasSameSizeAs(tars);
    return answers.stream()
        .map(a -> a.equals("invalid") ? a : new String(Base64.getDecoder().decode(a), UTF_8))
        .toList();
  }

  /** cairn's listing of the stream, or "invalid" when cairn refuses it. */
  static String cairn(byte[] tar) throws IOException {
    StringBuilder b = new StringBuilder();
    try {
      TarReader r = new TarReader(new ByteArrayInputStream(tar));
      for (TarEntry e; (e = r.next()) != null; ) {
        b.append(line(e, r.payload().readAllBytes())).append('\n');
      }
    } catch (CairnException e) {
      return "invalid";
    }
    return b.toString();
  }

  /** One entry in the oracle's words; Go reads a typeflag of NUL as a regular file, '0'. */
  static String line(TarEntry e, byte[] data) {
    int type = e.typeflag() == 0 ? '0' : e.typeflag();
    Map<String, String> pax = new TreeMap<>();
    e.pax().forEach((k, v) -> pax.put(k, b64(v.getBytes(UTF_8))));
    e.xattrs().forEach((k, v) -> pax.put(TarEntry.XATTR_PREFIX + k, b64(v)));
    String records =
        pax.entrySet().stream()
            .map(r -> r.getKey() + "=" + r.getValue())
            .collect(Collectors.joining(",", "{", "}"));
    if (type == 'g') {
      return type + " " + b64(e.rawName()) + " " + records;
    }
    Instant t = e.mtime();
    return String.join(
        " ",
        String.valueOf(type),
        b64(e.rawName()),
        b64(e.rawLinkname()),
        Long.toOctalString(e.mode()),
        String.valueOf(e.uid()),
        String.valueOf(e.gid()),
        b64(e.uname().getBytes(UTF_8)),
        b64(e.gname().getBytes(UTF_8)),
        TarEntry.headerOnly((byte) type) ? "-" : String.valueOf(e.size()),
        t.getEpochSecond() + "." + String.format("%09d", t.getNano()),
        String.valueOf(e.devMajor()),
        String.valueOf(e.devMinor()),
        records,
        b64(data));
  }

  private static String b64(byte[] b) {
    return B64.encodeToString(b);
  }
}
