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
  }
}
