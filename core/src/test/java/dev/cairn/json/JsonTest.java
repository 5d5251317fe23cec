package dev.cairn.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{}                                 | {}",
        "` [ ] `                            | []",
        "0                                  | 0",
        "-0                                 | -0",
        "1.5e-3                             | 1.5e-3",
        "1E+2                               | 1E+2",
        "\"\\u00e9\\/\"                       | 'é/'",
        "true                               | true",
        "null                               | null",
        "{\"a\":[1,{\"b\":null}],\"a\":2}       | {a:[1,{b:null}],a:2}",
        "`\t\r\n{}\n`                        | {}"
      })
  void acceptsWhatGoAcceptsAndDecodesIt(String text, String decoded) {
    assertThat(describe(Json.parse(b(text)))).isEqualTo(decoded);
  }

  @ParameterizedTest
  @CsvSource({"[1],array", "\"s\",string", "1,number", "true,bool", "null,null"})
  void aDocumentThatMustBeAnObjectNamesWhatItIsInstead(String doc, String type) {
    assertThatThrownBy(() -> Json.parseObject(b(doc), "config"))
        .isInstanceOf(CairnException.class)
        .hasMessage("config: expected a JSON object, got " + type);
    assertThat(Json.parseObject(b("{}"), "config").members()).isEmpty();
  }

  @Test
  void aRawObjectIsEditedAndWrittenAsGoWritesAMapOfRawValues() {
    RawObject o =
        RawObject.of((JsonObject) Json.parse(b("{\"z\":[1, 2],\"parent\":\"p\",\"a\":{}}")))
            .remove("parent", "absent")
            .putString("id", "<x>")
            .put(
                "n",
                w ->
                    w.punct('[')
                        .number(-5)
                        .punct(',')
                        .bool(true)
                        .punct(',')
                        .bool(false)
                        .punct(']'));
    assertThat(o.has("parent")).isFalse();
    assertThat(o.has("id")).isTrue();
    assertThat(new String(o.encode(), StandardCharsets.UTF_8))
        .isEqualTo("{\"a\":{},\"id\":\"\\u003cx\\u003e\",\"n\":[-5,true,false],\"z\":[1,2]}");
  }

  @Test
  void aWriterIsResetAndWrittenOut() throws java.io.IOException {
    GoJsonWriter w = new GoJsonWriter(1);
    w.string("first");
    assertThat(w.size()).isEqualTo(7);
    w.reset().name("k").number(12345678901L);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    w.writeTo(out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("\"k\":12345678901");
    assertThat(w.size()).isEqualTo(out.size());
  }

  @Test
  void aDuplicateKeysLastValueWinsAsInGo() {
    JsonObject o = (JsonObject) Json.parse(b("{\"a\":1,\"a\":2}"));
    assertThat(((JsonValue.JsonNumber) o.get("a")).text()).isEqualTo("2");
  }

  /** A value as a short canonical text: decoded strings in single quotes, numbers as written. */
  private static String describe(JsonValue v) {
    return switch (v) {
      case JsonObject o ->
          o.members().stream()
              .map(m -> m.key() + ":" + describe(m.value()))
              .collect(java.util.stream.Collectors.joining(",", "{", "}"));
      case JsonArray a ->
          a.items().stream()
              .map(JsonTest::describe)
              .collect(java.util.stream.Collectors.joining(",", "[", "]"));
      case JsonString str -> "'" + str.value() + "'";
      case JsonValue.JsonNumber n -> n.text();
      case JsonValue.JsonBool bool -> String.valueOf(bool.value());
      case JsonValue.JsonNull n -> "null";
    };
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "{",
        "[1,]",
        "{\"a\":1,}",
        "01",
        "1.",
        ".5",
        "+1",
        "1e",
        "-",
        "NaN",
        "tru",
        "\"\\x\"",
        "\"\\u12g4\"",
        "\"a\nb\"",
        "{'a':1}",
        "{\"a\" 1}",
        "[1 2]",
        "{} {}",
        "\"abc",
        "\u00a0{}",
        "[\"\\'\"]"
      })
  void rejectsWhatGoRejects(String text) {
    assertThatThrownBy(() -> Json.parse(b(text)))
        .isInstanceOf(CairnException.class)
        .hasMessageStartingWith("invalid JSON at byte ");
  }

  @Test
  void keepsRawSpansAndDecodesStringsLikeGo() {
    byte[] src = b("{ \"k\\u0065y\" : [ 1.50 , \"\\ud800x\" ] }");
    JsonObject o = (JsonObject) Json.parse(src);
    assertThat(o.members()).singleElement().satisfies(m -> assertThat(m.key()).isEqualTo("key"));
    JsonArray a = (JsonArray) o.get("key");
    assertThat(new String(a.raw(), StandardCharsets.UTF_8)).isEqualTo("[ 1.50 , \"\\ud800x\" ]");
    assertThat(((JsonString) a.items().get(1)).value()).isEqualTo("\uFFFDx");
  }

  @Test
  void invalidUtf8InsideStringsIsAcceptedAndDecodedAsReplacementCharacters() {
    byte[] src = {'"', 'a', (byte) 0xff, (byte) 0xe2, (byte) 0x82, '"'};
    assertThat(((JsonString) Json.parse(src)).value()).isEqualTo("a\uFFFD\uFFFD\uFFFD");
  }

  @Test
  void surrogatePairEscapesDecodeToOneCodePoint() {
    assertThat(((JsonString) Json.parse(b("\"\\ud83d\\ude00\""))).value())
        .isEqualTo("\uD83D\uDE00");
    assertThat(((JsonString) Json.parse(b("\"\\ude00\\ud83d\""))).value())
        .isEqualTo("\uFFFD\uFFFD");
  }

  @Test
  void nestingIsLimitedLikeGoWithoutOverflowingTheStack() {
    String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    JsonValue v = Json.parse(b(ok));
    int depth = 0;
    for (; v instanceof JsonArray a && depth < Json.MAX_DEPTH + 1; depth++) {
      v = a.items().isEmpty() ? null : a.items().getFirst();
    }
    assertThat(depth).as("arrays nested in the value").isEqualTo(Json.MAX_DEPTH);
    String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    assertThatThrownBy(() -> Json.parse(b(deep))).hasMessageContaining("exceeded max depth");
    // Go's scanner counts depth before it looks for the end: the same error, not "unexpected end".
    String hostile = "[".repeat(1_000_000);
    assertThatThrownBy(() -> Json.parse(b(hostile)))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("exceeded max depth of " + Json.MAX_DEPTH);
  }

  @Test
  void writerEscapesStringsAsGoDoes() {
    GoJsonWriter w = new GoJsonWriter();
    w.string("<a&b>\"\\\n\r\t\b\f\u0001\u007f\u2028\u2029é\uD83D\uDE00\uD800");
    assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8))
        .isEqualTo(
            "\"\\u003ca\\u0026b\\u003e\\\"\\\\\\n\\r\\t\\u0008\\u000c\\u0001\u007f\\u2028\\u2029é\uD83D\uDE00\\ufffd\"");
  }

  @Test
  void compactKeepsEscapesAndNumbersAndEscapesHtml() {
    byte[] src = b("{ \"a\" : [ 1.50 , 1e3 , \"x\\/y <\u2028\" ] ,\n\"b\":\"&\" }");
    GoJsonWriter w = new GoJsonWriter();
    w.raw(Json.parse(src));
    assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8))
        .isEqualTo("{\"a\":[1.50,1e3,\"x\\/y \\u003c\\u2028\"],\"b\":\"\\u0026\"}");
  }

  @Test
  void keysSortByUtf8Bytes() {
    // U+FFFD sorts before U+1F600 in UTF-8, though not in UTF-16.
    assertThat(GoJsonWriter.KEY_ORDER.compare("\uFFFD", "\uD83D\uDE00")).isNegative();
    assertThat(GoJsonWriter.KEY_ORDER.compare("a", "ab")).isNegative();
    assertThat(GoJsonWriter.KEY_ORDER.compare("Z", "a")).isNegative();
    assertThat(GoJsonWriter.KEY_ORDER.compare("ab", "a")).isPositive();
    assertThat(GoJsonWriter.KEY_ORDER.compare("ab", "ab")).isZero();
  }

  /**
   * Every write lands whole whatever room is left in the buffer: each method is tried after 0 to 40
   * bytes of a 16-byte writer are used, so that it meets the buffer's end at each of its own bytes.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "punct        | ,",
        "ascii        | true",
        "bool         | false",
        "number       | -1234567890",
        "name         | `\"k\":`",
        "empty        | `\"\"`",
        "one          | `\"a\"`",
        "control      | `\"\\u0001\"`",
        "latin        | `\"\u00e9\"`",
        "separator    | `\"\\u2028\"`",
        "astral       | `\"\uD83D\uDE00\"`",
        "lone         | `\"\\ufffd\"`",
        "compact      | `[\"\\u003c\"]`",
      })
  void writesEachValueWholeWhereverTheBufferEnds(String write, String expected) {
    for (int used = 0; used <= 40; used++) {
      GoJsonWriter w = new GoJsonWriter(0).ascii("x".repeat(used));
      GoJsonWriter same =
          switch (write) {
            case "punct" -> w.punct(',');
            case "ascii" -> w.ascii("true");
            case "bool" -> w.bool(false);
            case "number" -> w.number(-1234567890);
            case "name" -> w.name("k");
            case "empty" -> w.string("");
            case "one" -> w.string("a");
            case "control" -> w.string("\u0001");
            case "latin" -> w.string("\u00e9");
            case "separator" -> w.string("\u2028");
            case "astral" -> w.string("\uD83D\uDE00");
            case "lone" -> w.string("\uDC00");
            default -> w.compact(b(" [ \"<\" ] "), 0, 9);
          };
      assertThat(same).isSameAs(w);
      assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8))
          .as("after %d bytes", used)
          .isEqualTo("x".repeat(used) + expected);
      assertThat(w.size()).isEqualTo(w.toByteArray().length);
    }
  }

  /**
   * Runs of characters that take more bytes than the writer first reserves (an escape or a
   * replacement takes six), then as much plain text, which relies on what was reserved.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144})
  void longRunsOfWideCharactersLandWhole(int k) {
    String[][] runs = {
      {"\u2028", "\\u2028"}, {"\uDC00", "\\ufffd"}, {"\u0001", "\\u0001"}, {"<", "\\u003c"}
    };
    for (String[] run : runs) {
      for (int used = 0; used <= 40; used += 7) {
        GoJsonWriter w = new GoJsonWriter(0).ascii("x".repeat(used));
        w.string(run[0].repeat(k) + "y".repeat(k));
        assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8))
            .isEqualTo("x".repeat(used) + "\"" + run[1].repeat(k) + "y".repeat(k) + "\"");
      }
    }
  }

  @Test
  void aWriterCanBeEmptiedAndWrittenToAStream() throws Exception {
    GoJsonWriter w = new GoJsonWriter().bool(true);
    assertThat(w.reset()).isSameAs(w);
    assertThat(w.size()).isZero();
    w.bool(true).punct(',').number(7);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    w.writeTo(out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("true,7");
  }

  /** Bytes, and the rune and length Go's utf8.DecodeRune gives for them. */
  @ParameterizedTest
  @CsvSource({
    "41, 41, 1",
    "7f, 7f, 1",
    "80, fffd, 1",
    "bf, fffd, 1",
    "c080, fffd, 1",
    "c1bf, fffd, 1",
    "c280, 80, 2",
    "dfbf, 7ff, 2",
    "e09fbf, fffd, 1",
    "e0a080, 800, 3",
    "ed9fbf, d7ff, 3",
    "eda080, fffd, 1",
    "efbfbf, ffff, 3",
    "f08fbfbf, fffd, 1",
    "f0908080, 10000, 4",
    "f48fbfbf, 10ffff, 4",
    "f4908080, fffd, 1",
    "f5808080, fffd, 1",
    "ff, fffd, 1",
    "c2, fffd, 1",
    "e282, fffd, 1",
    "f09f98, fffd, 1",
    "c27f, fffd, 1",
    "c2c0, fffd, 1",
    "e1807f, fffd, 1",
    "e180c0, fffd, 1",
    "f18080c0, fffd, 1",
    "f180807f, fffd, 1"
  })
  void decodesRunesAsGoDoes(String hex, String rune, int size) {
    byte[] bytes = java.util.HexFormat.of().parseHex(hex);
    long d = GoText.decodeRune(bytes, 0, bytes.length);
    assertThat(Long.toHexString(d >>> 3)).isEqualTo(rune);
    assertThat(d & 7).isEqualTo(size);
  }

  @Test
  void anObjectDocumentIsReturnedAndABrokenOneNamedInItsError() {
    JsonObject o = Json.parseObject(b("{\"a\":1}"), "config");
    assertThat(o.typeName()).isEqualTo("object");
    assertThat(o.get("a")).isNotNull();
    assertThatThrownBy(() -> Json.parseObject(b("{"), "config"))
        .hasMessage("config: invalid JSON at byte 1: unexpected end of JSON input");
  }

  /** Go's json.Marshal of the map[string]json.RawMessage after the same edits. */
  @Test
  void aRawObjectIsEditedAndWrittenAsGoWritesTheMap() {
    RawObject o =
        RawObject.of(
            (JsonObject) Json.parse(b("{\"b\": [ 1 ], \"a\":\"x\", \"z\": {}, \"a\": 2}")));
    assertThat(o.has("a")).isTrue();
    assertThat(o.has("c")).isFalse();
    assertThat(o.remove("z", "missing")).isSameAs(o);
    assertThat(o.has("z")).isFalse();
    assertThat(o.putString("c", "<&>")).isSameAs(o);
    assertThat(o.put("\u00e9", w -> w.number(5))).isSameAs(o);
    assertThat(new String(o.encode(), StandardCharsets.UTF_8))
        .isEqualTo("{\"a\":2,\"b\":[1],\"c\":\"\\u003c\\u0026\\u003e\",\"\u00e9\":5}");
  }
}
