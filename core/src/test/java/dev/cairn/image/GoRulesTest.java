package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Go decoding and version rules that ARCHITECTURE.md, Strong IDs, names, one behaviour per
 * test.
 */
class GoRulesTest {

  private static V1Image decode(String json) {
    return V1Image.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0} < {1} is {2}")
  @CsvSource({
    "1.8.3-rc1, 1.8.3, true",
    "1.8.3, 1.8.3, false",
    "1.8.2, 1.8.3, true",
    "'', 1.8.3, true",
    "v1.9, 1.8.3, true",
    "17.03.1-ce, 1.8.3, false",
    "1.9.0, 1.8.3, false",
    "1.10, 1.8.3, false",
    "1.8, 1.8.3, true",
    "1.8.3.0, 1.8.3, false",
    "+1.9, 1.8.3, false",
    "-1.9, 1.8.3, true",
    "99999999999999999999, 1.8.3, false",
    "-99999999999999999999, 1.8.3, true"
  })
  void versionCompareFollowsDocker(String a, String b, boolean less) {
    assertThat(ImageConfig.versionLess(a, b)).isEqualTo(less);
  }

  @Test
  void keysMatchFieldsCaseInsensitivelyAndLastDuplicateWins() {
    V1Image img = decode("{\"OS\":\"a\",\"os\":\"b\",\"Os\":\"c\",\"Docker_Version\":\"1.9\"}");
    assertThat(img.os()).isEqualTo("c");
    assertThat(img.dockerVersion()).isEqualTo("1.9");
  }

  @Test
  void unicodeFoldsOfSAndKMatchTheirFields() {
    assertThat(decode("{\"o\u017f\":\"x\"}").os()).isEqualTo("x");
    assertThat(decode("{\"doc\u212Aer_version\":\"1.9\"}").dockerVersion()).isEqualTo("1.9");
    assertThat(decode("{\"\u017fize\":5}").size()).isEqualTo(5);
  }

  @Test
  void nullLeavesScalarsAsTheyWereAndClearsPointers() {
    V1Image img =
        decode("{\"os\":\"linux\",\"os\":null,\"config\":{\"User\":\"u\"},\"config\":null}");
    assertThat(img.os()).isEqualTo("linux");
    assertThat(img.config()).isNull();
  }

  @Test
  void duplicateObjectsMergeIntoWhatWasThere() {
    V1Image img =
        decode(
            "{\"config\":{\"User\":\"u\",\"Labels\":{\"a\":\"1\"}},\"config\":{\"Tty\":true,\"Labels\":{\"b\":null}}}");
    assertThat(img.config().user()).isEqualTo("u");
    assertThat(img.config().tty()).isTrue();
    assertThat(img.config().labels()).containsEntry("a", "1").containsEntry("b", "");
  }

  @Test
  void duplicateArraysReuseTheBackingArrayAsGoSlicesDo() {
    V1Image img =
        decode("{\"config\":{\"Env\":[\"a\",\"b\",\"c\"],\"Env\":[\"x\"],\"Env\":[\"y\",null]}}");
    assertThat(img.config().env()).isEqualTo(List.of("y", "b"));
    assertThat(decode("{\"config\":{\"Env\":[]}}").config().env()).isEmpty();
    assertThat(decode("{\"config\":{\"Env\":null}}").config().env()).isNull();
  }

  @Test
  void cmdAcceptsAStringOrAnArray() {
    assertThat(decode("{\"config\":{\"Cmd\":\"sh\"}}").config().cmd()).isEqualTo(List.of("sh"));
    assertThat(decode("{\"config\":{\"Cmd\":[\"a\",null]}}").config().cmd())
        .isEqualTo(List.of("a", ""));
    assertThatThrownBy(() -> decode("{\"config\":{\"Cmd\":5}}"))
        .isInstanceOf(CairnException.class)
        .hasMessage("field config.Cmd: expected a string or an array of strings, got number");
  }

  @Test
  void wrongTypesAreErrorsNamingTheField() {
    assertThatThrownBy(() -> decode("{\"id\":1}"))
        .hasMessage("field id: expected a string, got number");
    assertThatThrownBy(() -> decode("{\"Size\":1.5}"))
        .hasMessageContaining("field Size: cannot decode number");
    assertThatThrownBy(() -> decode("{\"container_config\":{\"Tty\":\"yes\"}}"))
        .hasMessage("field container_config.Tty: expected a boolean, got string");
    assertThatThrownBy(() -> decode("{\"created\":\"yesterday\"}"))
        .hasMessageContaining("field created: cannot parse");
    assertThatThrownBy(() -> decode("[]"))
        .hasMessage("the document: expected an object, got array");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "2015-09-08T21:30:30.807853054Z | 2015-09-08T21:30:30.807853054Z",
        "2015-09-08T21:30:30.100+02:00 | 2015-09-08T21:30:30.1+02:00",
        "2015-09-08T21:30:30,5Z | 2015-09-08T21:30:30.5Z",
        "2015-09-08T5:30:30-00:00 | 2015-09-08T05:30:30Z",
        "2015-09-08T21:30:30.1234567891234Z | 2015-09-08T21:30:30.123456789Z",
        "2015-09-08T21:30:30+-5:30 | 2015-09-08T21:30:30-04:30",
        "2015-09-08T21:30:30+99:99 | 2015-09-08T21:30:30+100:39"
      })
  void timesParseAndFormatAsGoDoes(String in, String out) {
    byte[] raw = ("\"" + in + "\"").getBytes(StandardCharsets.UTF_8);
    assertThat(GoTime.parseJson(raw, 0, raw.length).format()).isEqualTo(out);
  }

  @Test
  void zeroTimeIsWrittenAsGoWritesIt() {
    assertThat(decode("{}").created().format()).isEqualTo("0001-01-01T00:00:00Z");
  }

  // Expected values printed by Go 1.19's strconv.Atoi (on 64-bit) for the same text.
  @ParameterizedTest(name = "Atoi({0}) = {1}")
  @CsvSource({
    "9223372036854775807, 9223372036854775807",
    "9223372036854775808, 9223372036854775807",
    "-9223372036854775808, -9223372036854775808",
    "-9223372036854775809, -9223372036854775808",
    "18446744073709551615, 9223372036854775807",
    "18446744073709551616, 9223372036854775807",
    "18446744073709551620, 9223372036854775807",
    "99999999999999999999x, 9223372036854775807",
    "1844674407370955161, 1844674407370955161",
    "1844674407370955162, 1844674407370955162",
    "-1844674407370955162, -1844674407370955162",
    "1234567890123456789, 1234567890123456789",
    "-1234567890123456789, -1234567890123456789",
    "0000000000000000000000012, 12",
    "1x, 0",
    "x1, 0",
    "-, 0",
    "+, 0",
    "+5, 5",
    "-5, -5",
    "-0, 0",
    "9, 9",
    "'', 0"
  })
  void versionComponentsReadAsGosAtoiReadsThem(String text, long value) {
    assertThat(ImageConfig.atoi(text)).isEqualTo(value);
  }

  @Test
  void aParentIdMustBeSha256() {
    Digest layer = Digest.parse("sha256:" + "a".repeat(64));
    Digest parent = Digest.parse("sha512:" + "b".repeat(128));
    assertThatThrownBy(() -> ImageConfig.of("{}".getBytes(StandardCharsets.UTF_8), layer, parent))
        .isInstanceOf(CairnException.class)
        .hasMessage("parent ID " + parent + " is not a sha256 digest");
  }

  // The expected bytes are what json.Marshal printed for Docker 1.9's image struct decoded from
  // the same document (the struct copy in src/test/go/strongid).
  @Test
  void aV1ImageIsWrittenAsGoMarshalsIt() {
    String doc =
        "{\"id\":\"i1\",\"parent\":\"p1\",\"comment\":\"c\","
            + "\"created\":\"2015-09-08T21:30:30.5+02:00\",\"container\":\"k\","
            + "\"docker_version\":\"1.6\",\"author\":\"a\",\"architecture\":\"amd64\","
            + "\"os\":\"linux\",\"Size\":5,\"parent_id\":\"sha256:0a\","
            + "\"layer_id\":\"sha256:0b\",\"config\":{\"User\":\"u\",\"NetworkDisabled\":true,"
            + "\"MacAddress\":\"m\",\"ExposedPorts\":{\"80/tcp\":{}},\"PublishService\":\"s\","
            + "\"StopSignal\":\"TERM\"}}";
    String empty =
        "\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
            + "\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,"
            + "\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,"
            + "\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null";
    String go =
        "{\"id\":\"i1\",\"parent\":\"p1\",\"comment\":\"c\","
            + "\"created\":\"2015-09-08T21:30:30.5+02:00\",\"container\":\"k\","
            + "\"container_config\":{"
            + empty
            + "},\"docker_version\":\"1.6\",\"author\":\"a\",\"config\":{\"Hostname\":\"\","
            + "\"Domainname\":\"\",\"User\":\"u\",\"AttachStdin\":false,\"AttachStdout\":false,"
            + "\"AttachStderr\":false,\"ExposedPorts\":{\"80/tcp\":{}},\"PublishService\":\"s\","
            + "\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,"
            + "\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,"
            + "\"NetworkDisabled\":true,\"MacAddress\":\"m\",\"OnBuild\":null,\"Labels\":null,"
            + "\"StopSignal\":\"TERM\"},\"architecture\":\"amd64\",\"os\":\"linux\",\"Size\":5,"
            + "\"parent_id\":\"sha256:0a\",\"layer_id\":\"sha256:0b\"}";
    assertThat(new String(decode(doc).encode(), StandardCharsets.UTF_8)).isEqualTo(go);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "2015-09-08T21:30:30+0a:00",
        "2015-09-08T21:30:30+05:3x",
        "2015-09-08T21:30:30*05:30",
        "2015-09-08T21:30:30+05-30"
      })
  void offsetsThatAreNotNumbersAreRefused(String in) {
    byte[] raw = ("\"" + in + "\"").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> GoTime.parseJson(raw, 0, raw.length))
        .isInstanceOf(CairnException.class)
        .hasMessage("cannot parse \"" + in + "\" as an RFC 3339 time");
  }

  @Test
  void aLongTimeIsQuotedInErrorsUpToAHundredCharacters() {
    String hundred = "\"" + "x".repeat(98) + "\"";
    byte[] raw = hundred.getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> GoTime.parseJson(raw, 0, raw.length))
        .hasMessage("cannot parse " + hundred + " as an RFC 3339 time");
    byte[] longer = ("\"" + "x".repeat(150) + "\"").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> GoTime.parseJson(longer, 0, longer.length))
        .hasMessage("cannot parse \"" + "x".repeat(99) + "… as an RFC 3339 time");
  }

  // Go's RFC 3339 drops the seconds of an offset: its zone is offset/60 minutes, truncated.
  @ParameterizedTest(name = "{0} seconds east")
  @CsvSource({"30, +00:00", "-30, +00:00", "-90, -00:01", "3600, +01:00"})
  void offsetsOfSecondsAreWrittenAsGoWritesThem(int offset, String zone) {
    GoTime t = new GoTime(2020, 1, 2, 3, 4, 5, 0, offset);
    assertThat(t.format()).isEqualTo("2020-01-02T03:04:05" + zone);
    assertThat(t).hasToString(t.format());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "2015-09-08T21:30:30.5+02:00",
    "2015-09-08T21:30:30-07:30",
    "2016-02-29T00:00:00Z",
    "0001-01-01T00:00:00Z"
  })
  void theInstantIsTheOneJavaTimeReads(String in) {
    byte[] raw = ("\"" + in + "\"").getBytes(StandardCharsets.UTF_8);
    assertThat(GoTime.parseJson(raw, 0, raw.length).toInstant())
        .isEqualTo(java.time.OffsetDateTime.parse(in).toInstant());
  }

  @Test
  void aKeyThatIsOnlyAPrefixOfAFieldNameMatchesNoField() {
    assertThat(decode("{\"o\":\"x\",\"docker\":\"1\"}").os()).isEmpty();
  }

  // What Go printed for the same document: the 7-element array grew the backing array past 4.
  @Test
  void aLongArrayGrowsTheBackingArrayThatLaterDuplicatesReuse() {
    V1Image img =
        decode(
            "{\"config\":{\"Env\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"],\"Env\":[\"x\"],"
                + "\"Env\":[\"y\",null,null,null,null,null,null,null]}}");
    assertThat(img.config().env()).containsExactly("y", "b", "c", "d", "e", "f", "g", "");
  }
}
