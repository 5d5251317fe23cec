package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.registry.RegistriesConf.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistriesConfTest {
  @TempDir Path dir;

  private RegistriesConf conf(String text) throws IOException {
    return RegistriesConf.read(Files.writeString(dir.resolve("registries.conf"), text));
  }

  private static Reference ref(String text) {
    return Reference.parse(text);
  }

  @Test
  void mirrorsComeFirstInOrderThenTheRegistryAtItsLocation() throws IOException {
    RegistriesConf c =
        conf(
            """
            [[registry]]
            prefix = "docker.io"
            location = "docker.io"
            [[registry.mirror]]
            location = "mirror-a.local:5000"
            insecure = true
            [[registry.mirror]]
            location = "mirror-b.local/hub"
            """);
    assertThat(c.sources(ref("alpine:3")))
        .containsExactly(
            new Source("mirror-a.local:5000", "library/alpine", true, true),
            new Source("mirror-b.local", "hub/library/alpine", false, true),
            new Source("docker.io", "library/alpine", false, false));
  }

  @Test
  void aLocationMovesThePrefixsRepositoriesElsewhere() throws IOException {
    RegistriesConf c =
        conf(
            """
            [[registry]]
            prefix = "example.com/team"
            location = "internal.example:5000/mirror/team"
            insecure = true
            """);
    assertThat(c.sources(ref("example.com/team/app:1")))
        .containsExactly(new Source("internal.example:5000", "mirror/team/app", true, false));
    // a prefix matches whole path components only
    assertThat(c.sources(ref("example.com/teams/app:1")))
        .containsExactly(new Source("example.com", "teams/app", false, false));
  }

  @Test
  void theMostSpecificPrefixWinsAndAWildcardMatchesSubdomains() throws IOException {
    RegistriesConf c =
        conf(
            """
            [[registry]]
            prefix = "*.example.com"
            insecure = true
            [[registry]]
            prefix = "a.example.com/special"
            location = "elsewhere.local/special"
            """);
    assertThat(c.sources(ref("b.a.example.com/x:1")))
        .containsExactly(new Source("b.a.example.com", "x", true, false));
    assertThat(c.sources(ref("a.example.com/special/x:1")))
        .containsExactly(new Source("elsewhere.local", "special/x", false, false));
  }

  @Test
  void mirrorsServeByDigestOrByTagAsTheirEntriesSay() throws IOException {
    RegistriesConf c =
        conf(
            """
            [[registry]]
            location = "quay.io"
            [[registry.mirror]]
            location = "digests.local"
            pull-from-mirror = "digest-only"
            [[registry.mirror]]
            location = "tags.local"
            pull-from-mirror = "tag-only"
            [[registry]]
            location = "ghcr.io"
            mirror-by-digest-only = true
            [[registry.mirror]]
            location = "any.local"
            """);
    String digest = "@sha256:" + "a".repeat(64);
    assertThat(c.sources(ref("quay.io/x/y:1")))
        .extracting(Source::host)
        .containsExactly("tags.local", "quay.io");
    assertThat(c.sources(ref("quay.io/x/y" + digest)))
        .extracting(Source::host)
        .containsExactly("digests.local", "quay.io");
    assertThat(c.sources(ref("ghcr.io/x/y:1"))).extracting(Source::host).containsExactly("ghcr.io");
    assertThat(c.sources(ref("ghcr.io/x/y" + digest)))
        .extracting(Source::host)
        .containsExactly("any.local", "ghcr.io");
  }

  @Test
  void aBlockedPrefixRefusesNamingTheFile() throws IOException {
    RegistriesConf c = conf("[[registry]]\nprefix = \"docker.io/evil\"\nblocked = true\n");
    assertThatThrownBy(() -> c.sources(ref("docker.io/evil/app:1")))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessageContaining("blocked by " + dir.resolve("registries.conf"));
    assertThat(c.sources(ref("docker.io/good/app:1"))).hasSize(1);
  }

  @Test
  void dropInsFollowInNameOrderAndReplaceAnEntryOfTheSamePrefix() throws IOException {
    Path main =
        Files.writeString(
            dir.resolve("registries.conf"),
            "[[registry]]\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"m1\"\n");
    Files.createDirectories(dir.resolve("registries.conf.d"));
    Files.writeString(
        dir.resolve("registries.conf.d/20-b.conf"),
        "[[registry]]\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"m3\"\n");
    Files.writeString(
        dir.resolve("registries.conf.d/10-a.conf"),
        "[[registry]]\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"m2\"\n"
            + "[[registry]]\nlocation = \"quay.io\"\nblocked = true\n");
    Files.writeString(dir.resolve("registries.conf.d/ignored.txt"), "not toml [");
    RegistriesConf c = RegistriesConf.read(main);
    assertThat(c.files())
        .containsExactly(
            main,
            dir.resolve("registries.conf.d/10-a.conf"),
            dir.resolve("registries.conf.d/20-b.conf"));
    assertThat(c.sources(ref("alpine")))
        .extracting(Source::host)
        .containsExactly("m3", "docker.io");
    assertThat(c.entry(ref("quay.io/x:1")))
        .hasValueSatisfying(e -> assertThat(e.blocked()).isTrue());
  }

  @Test
  void aMalformedFileIsAnErrorNamingTheFileAndLine() throws IOException {
    assertThatThrownBy(() -> conf("[[registry]]\nlocation = \"a\"\ninsecure = yes\n"))
        .hasMessageStartingWith(dir.resolve("registries.conf") + ", line 3");
    assertThatThrownBy(() -> conf("[[registry]]\nlocation = \"a.io\"\ninsecure = \"yes\"\n"))
        .hasMessage(
            dir.resolve("registries.conf")
                + ": [[registry]] \"a.io\": insecure must be true or false");
    assertThatThrownBy(
            () ->
                conf(
                    "[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\n"
                        + "location = \"m\"\npull-from-mirror = \"sometimes\"\n"))
        .hasMessageContaining("pull-from-mirror must be all, digest-only or tag-only");
    assertThatThrownBy(() -> conf("[registries.search]\nregistries = [\"docker.io\"]\n"))
        .hasMessageContaining("the v1 format");
    assertThatThrownBy(() -> conf("[[registry]]\ninsecure = true\n"))
        .hasMessageContaining("needs a prefix or a location");
  }

  @Test
  void noFileMeansEveryNameFromItsOwnRegistry() throws IOException {
    RegistriesConf c = RegistriesConf.read(dir.resolve("absent.conf"));
    assertThat(c.files()).isEmpty();
    assertThat(c.sources(ref("alpine")))
        .containsExactly(new Source("docker.io", "library/alpine", false, false));
  }

  @Test
  void theFileIsLookedUpAsPodmanLooksItUp() throws IOException {
    assertThat(RegistriesConf.path(Map.of("CAIRN_REGISTRIES_CONF", "/x/r.conf")))
        .isEqualTo(Path.of("/x/r.conf"));
    assertThat(RegistriesConf.path(Map.of("XDG_CONFIG_HOME", dir.toString())))
        .isEqualTo(Path.of("/etc/containers/registries.conf"));
    Files.createDirectories(dir.resolve("containers"));
    Files.writeString(dir.resolve("containers/registries.conf"), "");
    assertThat(RegistriesConf.path(Map.of("XDG_CONFIG_HOME", dir.toString())))
        .isEqualTo(dir.resolve("containers/registries.conf"));
    assertThat(RegistriesConf.path(Map.of("HOME", dir.getParent().toString())))
        .isEqualTo(Path.of("/etc/containers/registries.conf"));
  }

  // containers-registries.conf(5): an exact prefix is more specific than a wildcard over it.
  @Test
  void anExactHostBeatsAWildcardOverIt() throws IOException {
    RegistriesConf c =
        conf(
            """
            [[registry]]
            prefix = "*.example.com"
            insecure = true
            [[registry]]
            prefix = "b.example.com"
            location = "moved.local"
            """);
    assertThat(c.sources(ref("b.example.com/app:1")))
        .containsExactly(new Source("moved.local", "app", false, false));
    assertThat(c.sources(ref("c.example.com/app:1")).getFirst()).hasToString("c.example.com/app");
  }

  @Test
  void namesAreWrittenWithoutTrailingSlashesAndWithLowercaseHosts() throws IOException {
    RegistriesConf c =
        conf(
            """
            [[registry]]
            prefix = "Registry.EXAMPLE/Team"
            location = "Internal.Example:5000/Mirror//"
            insecure = false
            [[registry]]
            prefix = "UPPER.example"
            """);
    assertThat(c.registries())
        .extracting(RegistriesConf.Entry::prefix, RegistriesConf.Entry::location)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "registry.example/Team", "internal.example:5000/Mirror"),
            org.assertj.core.groups.Tuple.tuple("upper.example", "upper.example"));
    assertThat(c.registries().getFirst().insecure()).isFalse();
  }

  @Test
  void theSearchListIsAListOfStrings() throws IOException {
    assertThat(conf("unqualified-search-registries = [\"a.io\", \"b.io\"]\n").unqualifiedSearch())
        .containsExactly("a.io", "b.io");
    assertThatThrownBy(() -> conf("unqualified-search-registries = [\"a.io\", 1]\n"))
        .hasMessage(
            dir.resolve("registries.conf")
                + ": unqualified-search-registries must be an array of strings");
    assertThatThrownBy(() -> conf("unqualified-search-registries = \"a.io\"\n"))
        .hasMessageEndingWith("unqualified-search-registries must be an array of strings");
  }

  @Test
  void anEntryThatIsNoTableIsNamedByItsNumber() throws IOException {
    assertThatThrownBy(() -> conf("registry = [\"a.io\"]\n"))
        .hasMessage(dir.resolve("registries.conf") + ": [[registry]] number 1 is not a table");
  }

  @Test
  void noDockerHubMirrorsLeaveTheConfigurationAsItIs() throws IOException {
    RegistriesConf c = conf("[[registry]]\nprefix = \"docker.io\"\nlocation = \"hub.local\"\n");
    assertThat(c.withDockerHubMirrors(java.util.List.of(), dir)).isSameAs(c);
    RegistriesConf mirrored =
        c.withDockerHubMirrors(
            java.util.List.of(
                new RegistriesConf.Mirror("m.local", false, RegistriesConf.PullFromMirror.ALL)),
            dir);
    assertThat(mirrored.sources(ref("alpine")))
        .extracting(Source::host)
        .containsExactly("m.local", "hub.local");
  }

  @Test
  void theEnvironmentsFileIsLoaded() throws IOException {
    Path file = Files.writeString(dir.resolve("named.conf"), "[[registry]]\nprefix = \"a.io\"\n");
    assertThat(RegistriesConf.load(Map.of("CAIRN_REGISTRIES_CONF", file.toString())).files())
        .containsExactly(file);
    Files.createDirectories(dir.resolve(".config/containers"));
    Path user = Files.writeString(dir.resolve(".config/containers/registries.conf"), "");
    assertThat(RegistriesConf.path(Map.of("HOME", dir.toString(), "XDG_CONFIG_HOME", "")))
        .isEqualTo(user);
    assertThat(RegistriesConf.path(Map.of("HOME", "", "CAIRN_REGISTRIES_CONF", "")))
        .isEqualTo(Path.of("/etc/containers/registries.conf"));
  }
}
