package dev.cairn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/ARCHITECTURE.md against the code: its package table, and the sections the code cites. */
class ArchitectureDocumentTest {
  private static final Path REPOSITORY = Path.of("..");
  private static final Path DOCUMENT = REPOSITORY.resolve("docs/ARCHITECTURE.md");

  @Test
  void thePackageTableListsEveryLayerInTheOrderTheArchitectureTestEnforces() throws IOException {
    List<String> rows = new ArrayList<>();
    Pattern row = Pattern.compile("^\\| `([a-z.]+)`( \\(module\\))? \\|");
    for (String line : Files.readAllLines(DOCUMENT)) {
      Matcher m = row.matcher(line);
      if (m.find()) {
        rows.add(m.group(1));
      }
    }
    List<String> expected = new ArrayList<>();
    expected.add("dev.cairn");
    expected.addAll(ArchitectureTest.LAYERS);
    expected.add("serve");
    expected.add("cli");
    assertThat(rows).isEqualTo(expected);
  }

  @Test
  void everyCitationOfTheDesignNamesASectionOfTheDocument() throws IOException {
    List<String> headings =
        Files.readAllLines(DOCUMENT).stream()
            .filter(l -> l.startsWith("#"))
            .map(l -> l.replaceFirst("^#+ ", ""))
            .toList();
    List<Path> sources = new ArrayList<>(List.of(REPOSITORY.resolve("README.md")));
    for (String module : List.of("core/src", "serve/src", "cli/src")) {
      try (Stream<Path> walk = Files.walk(REPOSITORY.resolve(module))) {
        walk.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
      }
    }
    Pattern citation = Pattern.compile("ARCHITECTURE\\.md[,:] ");
    String gone = "DESIGN " + "\u00a7"; // the citations of a design file the repository never held
    int cited = 0;
    for (Path source : sources) {
      // a citation may wrap onto the next comment line
      String text = Files.readString(source).replaceAll("\\s*\\n\\s*(\\*|//)?\\s*", " ");
      assertThat(text).as(source.toString()).doesNotContain(gone);
      Matcher m = citation.matcher(text);
      while (m.find()) {
        String after = text.substring(m.end());
        assertThat(headings)
            .as("%s cites %s", source, after.substring(0, Math.min(40, after.length())))
            .anyMatch(after::startsWith);
        cited++;
      }
    }
    assertThat(cited).isPositive();
  }
}
