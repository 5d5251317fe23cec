package dev.cairn.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TomlTest {
  private static Map<String, Object> parse(String text) {
    return Toml.parse(text.getBytes(StandardCharsets.UTF_8), "test.conf");
  }

  @Test
  void tablesArraysOfTablesAndValuesReadAsPlainValues() {
    Map<String, Object> doc =
        parse(
            """
            unqualified-search-registries = ["docker.io", 'quay.io']
            [[registry]]
            prefix = "example.com/foo"
            insecure = true
            [[registry.mirror]]
            location = "mirror.local:5000"
            [[registry]]
            location = "b.example"
            port = 5000
            """);
    assertThat(doc.get("unqualified-search-registries")).isEqualTo(List.of("docker.io", "quay.io"));
    assertThat(doc.get("registry"))
        .isEqualTo(
            List.of(
                Map.of(
                    "prefix",
                    "example.com/foo",
                    "insecure",
                    true,
                    "mirror",
                    List.of(Map.of("location", "mirror.local:5000"))),
                Map.of("location", "b.example", "port", 5000L)));
  }

  @Test
  void anEmptyDocumentIsAnEmptyTable() {
    assertThat(parse("# nothing but a comment\n")).isEmpty();
  }

  @Test
  void aMalformedDocumentIsAnErrorNamingTheFileAndLine() {
    assertThatThrownBy(() -> parse("[[registry]]\nprefix = \"a\"\ninsecure = yes\n"))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessageStartingWith("test.conf, line 3");
  }

  @Test
  void anErrorOnTheFirstLineNamesTheLineAndColumn() {
    assertThatThrownBy(() -> parse("= 1\n"))
        .isInstanceOf(CairnException.class)
        .hasMessageMatching("test.conf, line 1, column [1-9][0-9]*: .+");
  }

  @Test
  void floatsReadAsDoubles() {
    assertThat(parse("x = 1.5\ny = -2e3\n")).containsEntry("x", 1.5).containsEntry("y", -2000.0);
  }
}
