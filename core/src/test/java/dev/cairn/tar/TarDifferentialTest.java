package dev.cairn.tar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Archives at the edges of the tar formats, each read by cairn and by Go's archive/tar: every field
 * of every entry, the payloads, and which streams are refused must agree.
 */
class TarDifferentialTest {

  record Case(String what, byte[] tar) {}

  @Test
  void cairnReadsEdgeArchivesAsGoDoes() throws Exception {
    List<Case> cases = cases();
    List<String> go = GoTarOracle.go(cases.stream().map(Case::tar).toList());
    List<String> mismatches = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      String ours = GoTarOracle.cairn(cases.get(i).tar());
      if (!ours.equals(go.get(i))) {
        mismatches.add(cases.get(i).what() + "\n  cairn: " + ours + "\n  go:    " + go.get(i));
      }
    }
    assertThat(mismatches).as("archives cairn and Go read differently").isEmpty();
  }

  private static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    // Names and where they end.
    c.add(ok("a name of exactly 100 bytes", new Blocks().header("n".repeat(100), '0', 0)));
    c.add(
        ok(
            "a ustar prefix of exactly 155 bytes",
            new Blocks()
                .header("n".repeat(100), '0', 0, h -> Blocks.put(h, 345, "p".repeat(155)))));
    c.add(
        ok(
            "a star prefix stops at 131 bytes, before its times",
            new Blocks()
                .header(
                    "name",
                    '0',
                    0,
                    h -> {
                      Blocks.put(h, 345, "p".repeat(131));
                      Blocks.put(h, 476, "14567654321\0" + "14567654322\0");
                      Blocks.put(h, 508, "tar\0");
                    })));
    c.add(
        ok(
            "a GNU header has user names and device numbers but no prefix",
            new Blocks()
                .header(
                    "dev/tty",
                    '3',
                    0,
                    h -> {
                      Blocks.put(h, 257, "ustar  \0");
                      Blocks.put(h, 265, "alice");
                      Blocks.put(h, 297, "staff");
                      Blocks.put(h, 329, "0000003\0" + "0000007\0");
                      Blocks.put(h, 345, "14567654321\0" + "14567654322\0");
                    })));
    c.add(
        ok(
            "an old V7 header has no user names, device numbers or prefix",
            new Blocks()
                .header(
                    "v7",
                    '0',
                    0,
                    h -> {
                      Arrays.fill(h, 257, 265, (byte) 0);
                      Blocks.put(h, 265, "alice");
                      Blocks.put(h, 297, "staff");
                      Blocks.put(h, 329, "0000003\0" + "0000007\0");
                      Blocks.put(h, 345, "prefix");
                    })));
    c.add(ok("a file without a name", new Blocks().header("", '\0', 0)));
    c.add(
        ok("an old directory: no typeflag, a trailing slash", new Blocks().header("d/", '\0', 0)));
    c.add(
        ok(
            "a name with bytes above 0x7f, under a signed checksum",
            new Blocks().data(signedChecksumHeader(), false)));
    // Numbers: octal padded either way, and GNU base-256.
    c.add(
        ok(
            "octal fields padded with leading spaces and trailing NULs and spaces",
            new Blocks()
                .header(
                    "f",
                    '0',
                    3,
                    h -> {
                      Blocks.put(h, 100, "   4755 ");
                      Blocks.put(h, 108, "  1750\0\0");
                      Blocks.put(h, 116, "\0 \0 12 \0");
                      Blocks.put(h, 124, "         3 ");
                      Blocks.put(h, 136, "  1452303604");
                    })
                .data("abc")));
    c.add(
        ok(
            "base-256 numbers: a uid of 2^56, a gid of 0, an mtime of -1",
            new Blocks()
                .header(
                    "f",
                    '0',
                    0,
                    h -> {
                      base256(h, 108, 8, 0x81);
                      base256(h, 116, 8, 0x80);
                      Arrays.fill(h, 136, 148, (byte) 0xff);
                    })));
    c.add(
        ok(
            "a base-256 size of 2^63-1 on a symlink, which has no payload",
            new Blocks()
                .header(
                    "l",
                    '2',
                    0,
                    h -> {
                      base256(h, 124, 12, 0x80);
                      h[128] = 0x7f;
                      Arrays.fill(h, 129, 136, (byte) 0xff);
                      Blocks.put(h, 157, "target");
                    })));
    c.add(
        ok(
            "a base-256 mtime and device numbers",
            new Blocks()
                .header(
                    "dev/sda",
                    '4',
                    0,
                    h -> {
                      base256(h, 136, 12, 0x80);
                      h[144] = 0x65;
                      h[145] = 0x53;
                      h[146] = (byte) 0xf1;
                      h[147] = 0x00;
                      base256(h, 329, 8, 0x80);
                      h[334] = 0x01;
                      base256(h, 337, 8, 0x80);
                      h[344] = 0x07;
                    })));
    c.add(
        bad(
            "a base-256 uid beyond 64 bits",
            new Blocks()
                .header(
                    "f",
                    '0',
                    0,
                    h -> {
                      base256(h, 124, 12, 0x80);
                      h[127] = 1;
                    })));
    c.add(
        ok(
            "a symlink whose header states a size has no payload",
            new Blocks().header("l", '2', 700, h -> Blocks.put(h, 157, "t"))));
    c.add(
        ok(
            "a mode with setuid, setgid and sticky bits",
            new Blocks().header("f", '0', 0, h -> Blocks.put(h, 100, "0007777\0"))));
    // GNU long names.
    c.add(
        ok(
            "an empty GNU long name and link leave the header's",
            new Blocks()
                .header("././@LongLink", 'L', 1)
                .data("\0")
                .header("././@LongLink", 'K', 0)
                .header("keep", '2', 0, h -> Blocks.put(h, 157, "target"))));
    c.add(
        ok(
            "a GNU long name wins over a PAX path",
            new Blocks()
                .header("PaxHeaders.0/x", 'x', pax("path", "pax").length)
                .data(pax("path", "pax"), true)
                .header("././@LongLink", 'L', 4)
                .data("gnu\0")
                .header("hdr", '0', 0)));
    // PAX records.
    Map<String, byte[]> many = new LinkedHashMap<>();
    for (int n : new int[] {0, 1, 2, 3, 78, 79, 80, 81, 82, 83, 986, 987, 988, 4000}) {
      many.put("comment." + n, "v".repeat(n).getBytes(StandardCharsets.UTF_8));
    }
    c.add(ok("PAX records of lengths around 10, 100 and 1000", paxEntry(TarWriter.records(many))));
    byte[] mebibyte =
        TarWriter.records(Map.of("comment", new byte[TarReader.MAX_EXTENSION_SIZE - 17]));
    assertThat(mebibyte).hasSize(TarReader.MAX_EXTENSION_SIZE);
    c.add(ok("a PAX header of exactly the limit", paxEntry(mebibyte)));
    c.add(
        bad(
            "a PAX header one byte over the limit",
            paxEntry(
                TarWriter.records(
                    Map.of("comment", new byte[TarReader.MAX_EXTENSION_SIZE - 16])))));
    c.add(ok("a PAX uid and size of 0", paxEntry(pax("uid", "0", "size", "0"))));
    c.add(
        ok(
            "PAX records with empty values",
            paxEntry(pax("path", "", "linkpath", "", "uid", "", "mtime", "", "comment", ""))));
    c.add(
        ok(
            "PAX path, linkpath, uname, gname, gid and sub-second mtime",
            paxEntry(
                pax(
                    "path", "p/\u00e9",
                    "linkpath", "l",
                    "uname", "u",
                    "gname", "g",
                    "gid", "12345678901",
                    "mtime", "-1.25"))));
    for (String records :
        new String[] {"12", "6 abc\n", "6 =ab\n", "99 path=x\n", "4 a=b\n", "7 a=b\n6 ab\n"}) {
      c.add(bad("a malformed PAX record " + records.strip(), paxEntry(bytes(records))));
    }
    c.add(
        ok(
            "a global header is an entry of its own",
            new Blocks()
                .header("pax_global_header", 'g', pax("comment", "hi").length)
                .data(pax("comment", "hi"), true)
                .header("f", '0', 1)
                .data("x")));
    // The end of the archive.
    c.add(ok("one zero block, then the end", new Blocks().header("f", '0', 0).zeroBlocks(1)));
    c.add(
        ok(
            "data after the end marker",
            new Blocks().header("f", '0', 0).zeroBlocks(2).data(bytes("junk"), false)));
    c.add(bad("a header after one zero block", new Blocks().zeroBlocks(1).header("f", '0', 0)));
    c.add(
        new Case(
            "a cut header block", Arrays.copyOf(new Blocks().header("f", '0', 0).bytes(), 300)));
    c.add(bad("a cut payload", new Blocks().header("f", '0', 100).data(new byte[10], false)));
    return c;
  }

  /** A stream that ends with the two zero blocks after {@code b}. */
  private static Case ok(String what, Blocks b) {
    return new Case(what, b.zeroBlocks(2).bytes());
  }

  /** A stream both readers must refuse: ended properly, so that only its flaw can fail it. */
  private static Case bad(String what, Blocks b) {
    return new Case("refused: " + what, b.zeroBlocks(2).bytes());
  }

  private static Blocks paxEntry(byte[] records) {
    return new Blocks()
        .header("PaxHeaders.0/f", 'x', records.length)
        .data(records, true)
        .header("f", '0', 0);
  }

  private static byte[] pax(String... keyValues) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], bytes(keyValues[i + 1]));
    }
    return TarWriter.records(m);
  }

  /** A GNU base-256 field: the marker byte first, the rest zero. */
  private static void base256(byte[] h, int off, int len, int first) {
    Arrays.fill(h, off, off + len, (byte) 0);
    h[off] = (byte) first;
  }

  /** A ustar header whose name has bytes above 0x7f and whose checksum sums signed bytes. */
  private static byte[] signedChecksumHeader() {
    byte[] h = new Blocks().header("x", '0', 0).bytes();
    h[0] = (byte) 0xff;
    h[1] = (byte) 0xfe;
    Arrays.fill(h, 148, 156, (byte) ' ');
    int signed = 0;
    for (byte b : h) {
      signed += b;
    }
    Blocks.put(h, 148, String.format("%06o\0 ", signed));
    return h;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
