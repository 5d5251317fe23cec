package dev.cairn.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.CairnException;
import dev.cairn.testing.Seeds;
import dev.cairn.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Generated JSON documents, valid and broken, held against Go's encoding/json (the reference
 * program src/test/go/jsonoracle): which it accepts (and for the others, Go's error and offset),
 * how it re-emits one as a RawMessage (compacted, HTML characters escaped), how json.Indent lays it
 * out, and, for a string, what Marshal makes of the value Unmarshal decodes (invalid UTF-8, lone
 * surrogates, escapes).
 */
class JsonDifferentialTest {
  private static final int DOCUMENTS = 4000;
  private static final Base64.Encoder B64 = Base64.getEncoder();

  @Test
  void cairnReadsAndWritesJsonAsGoDoes() throws Exception {
    Random random = Seeds.random(JsonDifferentialTest.class);
    List<byte[]> docs = new ArrayList<>();
    for (int i = 0; i < DOCUMENTS; i++) {
      byte[] doc = value(random, 0);
      docs.add(random.nextInt(4) == 0 ? broken(random, doc) : doc);
    }
    List<String> mismatches = mismatches(docs);
    long valid = docs.stream().filter(d -> !ours(d).startsWith("invalid ")).count();
    System.out.printf(
        "JSON oracle: %d documents, %d valid, %d mismatches%n",
        DOCUMENTS, valid, mismatches.size());
    assertThat(valid).as("valid documents").isBetween(DOCUMENTS / 2L, DOCUMENTS - DOCUMENTS / 10L);
    assertThat(mismatches).as("documents where cairn and Go differ").isEmpty();
  }

  /**
   * Documents at the edges the generator rarely meets, each rule's boundary on both sides: UTF-8
   * lead and continuation byte ranges, surrogate escapes, bytes Go's errors quote specially, ends
   * of input inside escapes, and output larger than the writers' first buffers (long runs of
   * escapes, deep indentation).
   */
  @Test
  void edgeCasesAgreeWithGo() throws Exception {
    List<byte[]> docs = edgeCases();
    assertThat(mismatches(docs)).as("documents where cairn and Go differ").isEmpty();
  }

  private static List<byte[]> edgeCases() {
    List<byte[]> docs = new ArrayList<>();
    // Raw bytes inside a string, alone, before ASCII and just before the closing quote.
    String[] sequences = {
      "80",
      "bf",
      "c0 80",
      "c1 bf",
      "c2 80",
      "df bf",
      "e0 9f bf",
      "e0 a0 80",
      "ed 9f bf",
      "ed a0 80",
      "ee 80 80",
      "ef bf bf",
      "f0 8f bf bf",
      "f0 90 80 80",
      "f4 8f bf bf",
      "f4 90 80 80",
      "f5 80 80 80",
      "ff",
      "c2",
      "e2 82",
      "f0 9f 98",
      "c2 7f",
      "c2 c0",
      "e1 80 7f",
      "e1 80 c0",
      "f1 80 80 c0",
      "a0",
      "a1",
      "ad",
      "ae",
      "e2 80 a8",
      "e2 80 a9",
      "e2 80 aa",
      "7f",
      "1f"
    };
    for (String seq : sequences) {
      byte[] raw = java.util.HexFormat.ofDelimiter(" ").parseHex(seq);
      docs.add(concat(b("\""), raw, b("\"")));
      docs.add(concat(b("\"a"), raw, b("z\"")));
      docs.add(concat(b("{\""), raw, b("\":1}")));
      docs.add(raw); // as a value: Go's error quotes the byte
      docs.add(concat(b("["), raw, b("]")));
    }
    // Escapes: surrogates paired, lone, reversed, at the end; code points at encoding limits.
    for (String e :
        new String[] {
          "\\ud800\\udc00",
          "\\udbff\\udfff",
          "\\ud800",
          "\\udbff",
          "\\udc00",
          "\\udfff",
          "\\ue000",
          "\\ud7ff",
          "\\udc00\\udc00",
          "\\ud800\\ue000",
          "\\ud800\\ud800",
          "\\ud800\\udbff\\udc00",
          "\\ud800x",
          "\\u0080",
          "\\u07ff",
          "\\u0800",
          "\\uffff",
          "\\ud800\\udc00",
          "\\u2028\\u2029",
          "\\u0000\\u001f\\u0020\\u007f",
          " ",
          "\\'"
        }) {
      docs.add(b("\"" + e + "\""));
      docs.add(b("\"" + e + "a\""));
      docs.add(b("{\"" + e + "\":\"" + e + "\"}"));
    }
    // Ends and bytes that break a document at each step.
    for (String d :
        new String[] {
          "\"\\",
          "\"a\\",
          "\"\\u",
          "\"\\u12",
          "\"\\u123",
          "[\"\\u12",
          "\"\\u12\"",
          "9",
          "-9",
          "[9,19,90]",
          "[1\u0000",
          "{\"a\":1\u0000",
          "\u0000",
          "[\u0000]",
          "'",
          "['a']",
          "\"\u0000\"",
          "{\"a\"",
          "{\"a\":",
          "[1,",
          "tr",
          "[tr",
          "[nul",
          "{\"a\":f",
          "[-",
          "[1.",
          "{\"a\":1e",
          "[1e-",
          "[\"\\",
          "{\"a\":\"\\u",
          "[\"ab",
          "{",
          "[",
          "{\"a\" ",
          "nul",
          "-",
          "1.",
          "1e+",
          "\t\n"
        }) {
      docs.add(b(d));
    }
    // Output far larger than each writer's first buffer.
    for (int k = 1; k <= 160; k++) {
      docs.add(b("\"" + "\\u0001".repeat(k) + "x".repeat(k) + "\""));
      docs.add(b("\"" + "<".repeat(k) + "x".repeat(2 * k) + "\""));
      docs.add(b("\"" + "\u2028\u00e9\ud83d\ude00".repeat(k) + "x".repeat(k) + "\""));
      docs.add(b("\"" + "\\ud800".repeat(k) + "x".repeat(k) + "\""));
      docs.add(b("[" + "\"<&>\",".repeat(k) + "\"\u2029\"]" + " ".repeat(k)));
    }
    for (int depth = 1; depth <= 40; depth++) {
      for (int len : new int[] {0, 7, 60, 400}) {
        String open = "[{\"k\":".repeat(depth);
        String close = "}]".repeat(depth);
        docs.add(b(open + "\"" + "s".repeat(len) + "\"" + close + " ".repeat(len)));
        docs.add(b(open + "[1,true,null,-2.5e3]" + close + "\n".repeat(len)));
      }
    }
    return docs;
  }

  /** Each document where cairn's answer differs from Go's, with both answers. */
  private static List<String> mismatches(List<byte[]> docs) throws Exception {
    StringBuilder input = new StringBuilder();
    docs.forEach(d -> input.append(B64.encodeToString(d)).append('\n'));
    Path go = Tools.goBinary(Path.of("src/test/go/jsonoracle"));
    List<String> answers = Tools.runGo(new ProcessBuilder(go.toString()), input.toString());
    assertThat(answers).hasSameSizeAs(docs);
    List<String> mismatches = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      String ours = ours(docs.get(i));
      if (!ours.equals(answers.get(i))) {
        mismatches.add(
            new String(docs.get(i), StandardCharsets.ISO_8859_1)
                + "\n  cairn: "
                + ours
                + "\n  go:    "
                + answers.get(i));
      }
    }
    return mismatches;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** What cairn makes of {@code doc}, in the oracle's words. */
  private static String ours(byte[] doc) {
    JsonValue v;
    try {
      v = Json.parse(doc);
    } catch (CairnException e) {
      // "invalid JSON at byte N: MESSAGE": N is the offending byte's index, one less than Go's
      // SyntaxError offset (the bytes read, that one included)
      String m = e.getMessage();
      long at = Long.parseLong(m.substring("invalid JSON at byte ".length(), m.indexOf(':')));
      String text = m.substring(m.indexOf(": ") + 2);
      at += at < doc.length ? 1 : 0; // at the end, both name the length
      return "invalid " + at + " " + B64.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
    String compact = B64.encodeToString(new GoJsonWriter().raw(v).toByteArray());
    String indent = B64.encodeToString(GoJsonWriter.indent(doc, "   "));
    String string =
        v instanceof JsonValue.JsonString s
            ? B64.encodeToString(new GoJsonWriter().string(s.value()).toByteArray())
            : "-";
    String object =
        v instanceof JsonValue.JsonObject o ? B64.encodeToString(RawObject.of(o).encode()) : "-";
    return compact + " " + indent + " " + string + " " + object;
  }

  private static final String[] SPACE = {"", "", " ", "\n", "\t", "\r\n  "};
  private static final String[] NUMBERS = {
    "0", "-0", "1", "-12", "3.25", "1e3", "1E+2", "2.5e-3", "12345678901234567890", "1e400"
  };

  private static byte[] value(Random r, int depth) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, SPACE[r.nextInt(SPACE.length)]);
    int kind = depth > 3 ? r.nextInt(4) : r.nextInt(6);
    switch (kind) {
      case 0 -> string(r, out);
      case 1 -> write(out, NUMBERS[r.nextInt(NUMBERS.length)]);
      case 2 -> write(out, new String[] {"true", "false", "null"}[r.nextInt(3)]);
      case 3 -> string(r, out);
      case 4 -> {
        write(out, "[");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          write(out, i == 0 ? "" : ",");
          out.writeBytes(value(r, depth + 1));
        }
        write(out, SPACE[r.nextInt(SPACE.length)] + "]");
      }
      default -> {
        write(out, "{");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          write(out, (i == 0 ? "" : ",") + SPACE[r.nextInt(SPACE.length)]);
          string(r, out);
          write(out, SPACE[r.nextInt(SPACE.length)] + ":");
          out.writeBytes(value(r, depth + 1));
        }
        write(out, SPACE[r.nextInt(SPACE.length)] + "}");
      }
    }
    write(out, SPACE[r.nextInt(SPACE.length)]);
    return out.toByteArray();
  }

  /** A string literal of plain text, escapes, and raw bytes: UTF-8, broken UTF-8, controls. */
  private static void string(Random r, ByteArrayOutputStream out) {
    out.write('"');
    int n = r.nextInt(8);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(9)) {
        case 0 -> write(out, "plain");
        case 1 ->
            write(
                out,
                new String[] {"\\n", "\\t", "\\\"", "\\\\", "\\/", "\\b", "\\f"}[r.nextInt(7)]);
        case 2 -> write(out, String.format("\\u%04x", r.nextInt(0x10000)));
        case 3 -> write(out, String.format("\\u%04X", 0xd800 + r.nextInt(0x800)));
        case 4 -> out.write(0x80 + r.nextInt(0x80)); // a byte that never starts valid UTF-8 alone
        case 5 ->
            out.writeBytes(
                new String(Character.toChars(r.nextInt(0x110000) & ~0x800))
                    .getBytes(StandardCharsets.UTF_8));
        case 6 ->
            write(
                out, new String[] {"<", ">", "&", "\u2028", "\u2029", "é", "\u007f"}[r.nextInt(7)]);
        case 7 -> {
          // a multi-byte sequence cut short, overlong, or encoding a surrogate
          byte[][] odd = {
            {(byte) 0xe2, (byte) 0x82},
            {(byte) 0xc0, (byte) 0xaf},
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            {(byte) 0xf0, (byte) 0x9f, (byte) 0x98}
          };
          out.writeBytes(odd[r.nextInt(odd.length)]);
        }
        default -> out.write(r.nextInt(0x20) == 0 ? 0x1f : 'x');
      }
    }
    out.write('"');
  }

  /** The document with one byte dropped, changed or added. */
  private static byte[] broken(Random r, byte[] doc) {
    if (doc.length == 0) {
      return new byte[] {'x'};
    }
    int at = r.nextInt(doc.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(doc, 0, at);
    switch (r.nextInt(3)) {
      case 0 -> {} // dropped
      case 1 -> out.write("{}[]\",:\\ex0".charAt(r.nextInt(11)));
      default -> {
        out.write(doc[at]);
        out.write("{}[]\",:\\ex0".charAt(r.nextInt(11)));
      }
    }
    out.write(doc, at + 1, doc.length - at - 1);
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }
}
