package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.store.ConfigImages.Img;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docker images --filter's rule ({@link ImageFilter}, {@link Store#imageSummaries(boolean,
 * ImageFilter)}), with the answers dockerd 20.10 gives for the same images.
 */
class ImageFilterTest {
  @TempDir Path root;
  Store store;

  static final Img WEB =
      Img.of(
          "2020-01-01T00:00:00Z",
          "{\"tier\":\"web\",\"v\":\"1\"}",
          List.of(ConfigImages.layer("a", 10)),
          "app:1",
          "mirror/app:1");
  static final Img DB =
      Img.of(
          "2021-01-01T00:00:00Z",
          "{\"tier\":\"db\"}",
          List.of(ConfigImages.layer("b", 20)),
          "app:2");
  static final Img BAR =
      Img.of(
          "2022-01-01T00:00:00Z",
          "null",
          List.of(ConfigImages.layer("c", 30)),
          "localhost:5000/foo/bar:v1");
  static final Img LOOSE =
      Img.of("2023-01-01T00:00:00Z", "{\"tier\":\"web\"}", List.of(ConfigImages.layer("d", 40)));

  @BeforeEach
  void open() throws IOException {
    store = Store.open(root, StoreOptions.defaults().withDriver("vfs"));
    ConfigImages.load(store, WEB, DB, BAR, LOOSE);
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private static ImageFilter filter(String... filters) {
    return ImageFilter.of(List.of(filters), Instant.now(), ZoneOffset.UTC);
  }

  /** The listing's rows as docker prints them: name:tag, or {@code <none>} and the ID. */
  private List<String> rows(String... filters) throws IOException {
    List<String> out = new ArrayList<>();
    for (ImageSummary s : store.imageSummaries(false, filter(filters))) {
      if (s.repoTags().isEmpty()) {
        out.add("<none> " + s.id().hex().substring(0, 12));
      }
      s.repoTags().forEach(t -> out.add(t.familiar()));
    }
    return out;
  }

  private static String none(Img img) {
    return "<none> " + img.id().substring(0, 12);
  }

  @Test
  void noFilterListsWhatTheListingDoes() throws IOException {
    assertThat(store.imageSummaries(false, ImageFilter.NONE))
        .isEqualTo(store.imageSummaries(false));
    assertThat(rows())
        .containsExactly(
            none(LOOSE), "localhost:5000/foo/bar:v1", "app:2", "app:1", "mirror/app:1");
  }

  @ParameterizedTest(name = "reference={0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "app | app:2,app:1",
        "app:1 | app:1",
        "ap? | app:2,app:1",
        "a*:[0-1] | app:1",
        "app:[^1] | app:2",
        "*/app | mirror/app:1",
        "*/app:1 | mirror/app:1",
        "* | app:2,app:1",
        "localhost:5000/foo/* | localhost:5000/foo/bar:v1",
        "localhost:5000/foo/*:v1 | localhost:5000/foo/bar:v1",
        "*/foo/* | localhost:5000/foo/bar:v1",
        "*/*/* | localhost:5000/foo/bar:v1",
        "library/app | ''",
        "docker.io/library/app | ''",
        "app:[2-1] | ''",
        "\\app | app:2,app:1",
      })
  void referencePatternsMatchTheFamiliarNameAndTagOrTheFamiliarName(String pattern, String expected)
      throws IOException {
    List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split(","));
    assertThat(rows("reference=" + pattern)).containsExactlyElementsOf(want);
  }

  @Test
  void aReferenceFilterNarrowsTheImagesNamesToThoseThatMatch() throws IOException {
    List<ImageSummary> web = store.imageSummaries(false, filter("reference=mirror/*"));
    assertThat(web).singleElement().satisfies(s -> assertThat(s.id().hex()).isEqualTo(WEB.id()));
    assertThat(web.getFirst().repoTags()).containsExactly(Reference.parse("mirror/app:1"));
    assertThat(rows("reference=app:1", "reference=app:2")).containsExactly("app:2", "app:1");
  }

  @Test
  void labelFiltersAskForTheKeyOrTheKeyAndValueAndAllMustHold() throws IOException {
    assertThat(rows("label=tier")).containsExactly(none(LOOSE), "app:2", "app:1", "mirror/app:1");
    assertThat(rows("label=tier=web")).containsExactly(none(LOOSE), "app:1", "mirror/app:1");
    assertThat(rows("label=tier=web", "label=v=1")).containsExactly("app:1", "mirror/app:1");
    assertThat(rows("label=tier=web", "label=v=2")).isEmpty();
    assertThat(rows("label=tier=")).isEmpty();
    assertThat(rows("label=nosuch")).isEmpty();
  }

  @Test
  void beforeAndSinceTakeAnImageByNameOrByIdAndLeaveItOut() throws IOException {
    assertThat(rows("before=localhost:5000/foo/bar:v1"))
        .containsExactly("app:2", "app:1", "mirror/app:1");
    assertThat(rows("since=app:1"))
        .containsExactly(none(LOOSE), "localhost:5000/foo/bar:v1", "app:2");
    assertThat(rows("since=" + DB.id().substring(0, 12)))
        .containsExactly(none(LOOSE), "localhost:5000/foo/bar:v1");
    assertThat(rows("before=sha256:" + DB.id())).containsExactly("app:1", "mirror/app:1");
    assertThat(rows("before=" + BAR.id(), "since=app:1")).containsExactly("app:2");
    // several of one kind: every one holds, as dockerd 28 reads them
    assertThat(rows("before=localhost:5000/foo/bar:v1", "before=app:2"))
        .containsExactly("app:1", "mirror/app:1");
    assertThat(rows("until=2021-06-01T00:00:00Z"))
        .containsExactly("app:2", "app:1", "mirror/app:1");
  }

  @Test
  void beforeOrSinceNamingNoImageIsDockerdsNoSuchImage() {
    assertThatThrownBy(() -> rows("before=nosuch"))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND))
        .hasMessage("No such image: nosuch:latest");
    assertThatThrownBy(() -> rows("since=sha256:abcdef"))
        .hasMessage("No such image: sha256:abcdef");
  }

  @Test
  void danglingTrueListsTheUntaggedImagesAndFalseTheOthers() throws IOException {
    assertThat(rows("dangling=true")).containsExactly(none(LOOSE));
    assertThat(rows("dangling=1")).containsExactly(none(LOOSE));
    assertThat(rows("dangling=false"))
        .containsExactly("localhost:5000/foo/bar:v1", "app:2", "app:1", "mirror/app:1");
    assertThat(rows("dangling=true", "label=tier=web")).containsExactly(none(LOOSE));
    assertThat(rows("reference=*")).doesNotContain(none(LOOSE));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "x=1 | invalid filter 'x'",
        "Dangling=true | invalid filter 'Dangling'",
        "dangling=maybe | invalid filter 'dangling=[maybe]'",
        "reference=[ | syntax error in pattern",
        "reference=b[] | syntax error in pattern",
        "reference=a\\ | syntax error in pattern",
        "reference=[a- | syntax error in pattern",
        "dangling | bad format of filter (expected name=value): \"dangling\"",
      })
  void aFilterDockerdRefusesIsRefusedInItsWords(String given, String message) {
    assertThatThrownBy(() -> filter(given))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage(message);
  }

  @Test
  void conflictingDanglingValuesAreRefusedAsDockerd28RefusesThem() {
    assertThatThrownBy(() -> filter("dangling=true", "dangling=false"))
        .hasMessage("invalid filter 'dangling=[false true]'");
  }
}
