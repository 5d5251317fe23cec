package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Host, repository and tag names keep to the grammar distribution accepts: a name inside it goes on
 * the wire, one outside it is refused before any request, naming what is wrong.
 */
class RegistryNamesTest {
  static ScriptedRegistry server;
  static Registry registry;
  static final Digest DIGEST = Digest.sha256(new byte[0]);

  @BeforeAll
  static void start() throws IOException {
    server = ScriptedRegistry.start(ex -> ScriptedRegistry.send(ex, 404, "{}"));
    registry =
        Registry.open(
            server.host(),
            RegistryOptions.defaults().withRetry(RetryPolicy.none()),
            (b, t) -> null);
  }

  @AfterAll
  static void stop() {
    registry.close();
    server.close();
  }

  @BeforeEach
  void forget() {
    server.requests.clear();
  }

  @ParameterizedTest
  @ValueSource(strings = {"az.AZ-09.example", "Zz.example:5000", "[::1]:5000", "reg0.example"})
  void aHostOfLettersDigitsDotsDashesColonsAndBracketsOpens(String host) throws IOException {
    try (Registry r = Registry.open(host, RegistryOptions.defaults())) {
      assertThat(r.host()).isEqualTo(host);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"a`b", "a{b", "a@b", "a/b", "a b", "a_b", "a;b"})
  void aHostWithAnyOtherCharacterIsRefused(String host) {
    assertThatThrownBy(() -> Registry.open(host, RegistryOptions.defaults()))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage("invalid registry host \"" + host + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"az09", "a/b.c_d-e", "z", "library/0", "9z"})
  void aRepositoryOfLowerCaseLettersDigitsAndSeparatorsIsAskedFor(String repository) {
    assertThatThrownBy(() -> registry.manifest(repository, "latest"))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
    assertThat(server.requests)
        .extracting(ScriptedRegistry.Request::path)
        .containsExactly("/v2/" + repository + "/manifests/latest");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "A", "a`", "a{", "a:b", "a@b", "/a", "a/", "a//b", "a..b", "a b", "a+b"})
  void aRepositoryOutsideTheGrammarIsRefusedBeforeAnyRequest(String repository) {
    assertThatThrownBy(() -> registry.manifest(repository, "latest"))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage("invalid repository name \"" + repository + "\"");
    assertThat(server.requests).isEmpty();
  }

  static Stream<String> goodTags() {
    return Stream.of("azAZ09_.-", "Z", "0", "9", "_x", "a".repeat(128));
  }

  @ParameterizedTest
  @MethodSource("goodTags")
  void aTagOfUpTo128WordCharactersIsAskedFor(String tag) {
    assertThatThrownBy(() -> registry.manifest("repo", tag))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
    assertThat(server.requests)
        .extracting(ScriptedRegistry.Request::path)
        .containsExactly("/v2/repo/manifests/" + tag);
  }

  static Stream<String> badTags() {
    return Stream.of("a".repeat(129), ".a", "-a", "a`", "a{", "a@", "a[", "a/", "a:", "a b", "");
  }

  @ParameterizedTest
  @MethodSource("badTags")
  void aTagOutsideTheGrammarIsRefusedBeforeAnyRequest(String tag) {
    assertThatThrownBy(() -> registry.manifest("repo", tag))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage("invalid tag or digest \"" + tag + "\"");
    assertThatThrownBy(() -> registry.putManifest("repo", tag, "application/json", new byte[0]))
        .hasMessage("invalid tag or digest \"" + tag + "\"");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void aManifestIsPutUnderADigestAsUnderATag() {
    var verified = new ManifestVerifier.Verified("application/json", DIGEST);
    ManifestVerifier any = (b, t) -> verified;
    assertThatThrownBy(
            () -> {
              try (Registry r =
                  Registry.open(
                      server.host(),
                      RegistryOptions.defaults().withRetry(RetryPolicy.none()),
                      any)) {
                r.putManifest("repo", DIGEST.toString(), "application/json", new byte[0]);
              }
            })
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
    assertThat(server.requests)
        .extracting(ScriptedRegistry.Request::method, ScriptedRegistry.Request::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("PUT", "/v2/repo/manifests/" + DIGEST));
  }

  interface Operation {
    void on(Registry r, String repository) throws IOException;
  }

  static Stream<Arguments> operations() {
    return Stream.of(
        Arguments.of("blob", (Operation) (r, repo) -> r.blob(repo, DIGEST, 0).close()),
        Arguments.of("tags", (Operation) (r, repo) -> r.tags(repo)),
        Arguments.of("blobSize", (Operation) (r, repo) -> r.blobSize(repo, DIGEST)),
        Arguments.of("mountBlob into", (Operation) (r, repo) -> r.mountBlob(repo, DIGEST, "src")),
        Arguments.of("mountBlob from", (Operation) (r, repo) -> r.mountBlob("dst", DIGEST, repo)),
        Arguments.of(
            "uploadBlob",
            (Operation)
                (r, repo) -> r.uploadBlob(repo, BlobSource.of(new byte[0]), UploadListener.NONE)),
        Arguments.of(
            "putManifest",
            (Operation)
                (r, repo) -> r.putManifest(repo, "latest", "application/json", new byte[0])));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operations")
  void everyOperationRefusesABadRepositoryBeforeAnyRequest(String name, Operation op) {
    assertThatThrownBy(() -> op.on(registry, "Bad"))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage("invalid repository name \"Bad\"");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void aClosedRegistrySendsNothing() throws IOException {
    Registry r =
        Registry.open(server.host(), RegistryOptions.defaults().withRetry(RetryPolicy.none()));
    r.close();
    assertThatThrownBy(r::ping)
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE));
    assertThat(server.requests).isEmpty();
  }
}
