package dev.cairn.tarsplit;

import dev.cairn.tar.Blocks;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Odd but valid tars, each described entry by entry. */
final class Corpus {
  private Corpus() {}

  record Case(String name, Supplier<byte[]> tar) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final byte[] LATIN1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);

  static List<Case> cases() {
    return List.of(
        new Case(
            "pax long names and links",
            () ->
                write(
                    TarEntry.directory("d/"),
                    TarEntry.regular("d/" + "p".repeat(180), 700),
                    TarEntry.symlink("d/s", "t/".repeat(90)),
                    TarEntry.hardlink("d/h", "d/" + "p".repeat(180)))),
        new Case(
            "gnu long names and links",
            () ->
                new Blocks()
                    .header("././@LongLink", 'L', 201)
                    .data("g".repeat(200) + "\0")
                    .header("g".repeat(100), '0', 5, h -> {})
                    .data("hello")
                    .header("././@LongLink", 'K', 150)
                    .data("k".repeat(150))
                    .header("link", '1', 0, h -> Blocks.put(h, 157, "k".repeat(100)))
                    .zeroBlocks(2)
                    .bytes()),
        new Case(
            "non-utf8 names",
            () ->
                write(
                    TarEntry.regular("x", 3).withName(LATIN1),
                    TarEntry.regular("y", 2)
                        .withName(concat(LATIN1, bytes(".d/" + "l".repeat(120)))),
                    TarEntry.directory("z").withName(concat(bytes("dir\u00ff"), new byte[] {'/'})),
                    TarEntry.regular("replacement \ufffd char", 1),
                    TarEntry.regular(
                        "json <&> \"quoted\"\\ \u2028 \t\n\u0001 \u00e9\u4e2d\ud83d\ude00", 4))),
        new Case(
            "extra end blocks", () -> concat(write(TarEntry.regular("f", 10)), new byte[512 * 20])),
        new Case(
            "missing end blocks",
            () -> {
              byte[] t = write(TarEntry.regular("f", 10));
              return Arrays.copyOf(t, t.length - 1024);
            }),
        new Case(
            "single end block",
            () -> {
              byte[] t = write(TarEntry.regular("f", 10));
              return Arrays.copyOf(t, t.length - 512);
            }),
        new Case(
            "junk after the end marker",
            () -> concat(write(TarEntry.regular("f", 10)), bytes("junk that is not a tar\n"))),
        new Case(
            "more than a mebibyte of junk",
            () -> {
              byte[] junk = new byte[(1 << 20) * 2 + 17];
              Arrays.fill(junk, (byte) 0x5a);
              return concat(write(TarEntry.regular("f", 10)), junk);
            }),
        new Case(
            "links devices fifos and empty files",
            () ->
                write(
                    TarEntry.regular("a", 100),
                    TarEntry.hardlink("b", "a"),
                    TarEntry.symlink("c", "/absolute/target"),
                    TarEntry.device("null", (byte) '3', 1, 3),
                    TarEntry.device("sda", (byte) '4', 8, 0),
                    TarEntry.fifo("fifo"),
                    TarEntry.regular("empty", 0),
                    TarEntry.regular("dot/./slash//name", 1))),
        new Case(
            "pax records, xattrs, global header and sub-second times",
            () ->
                write(
                    TarEntry.globalHeader("pax_global_header", Map.of("comment", "global")),
                    TarEntry.regular("x", 33)
                        .withPax(Map.of("SCHILY.xattr.security.capability", "\u0001\u0002"))
                        .withMtime(Instant.ofEpochSecond(1_600_000_000, 1))
                        .withOwner(1L << 30, 5, "u".repeat(40), "g"))),
        new Case(
            "large file of zeros",
            () -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              try (TarWriter w = new TarWriter(out)) {
                int size = 12 << 20;
                w.add(TarEntry.regular("zeros", size), new ByteArrayInputStream(new byte[size]));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              return out.toByteArray();
            }),
        new Case("empty stream", () -> new byte[0]),
        new Case("only end blocks", () -> new byte[1024]));
  }

  /** A tar of the entries, each regular file filled with a pattern of its size. */
  static byte[] write(TarEntry... entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (TarEntry e : entries) {
        byte[] p = new byte[(int) e.size()];
        for (int i = 0; i < p.length; i++) {
          p[i] = (byte) (i * 7 + p.length);
        }
        w.add(e, new ByteArrayInputStream(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
