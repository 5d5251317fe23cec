package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
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
}
