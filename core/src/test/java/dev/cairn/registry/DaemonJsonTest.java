package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.image.Reference;
import dev.cairn.registry.RegistriesConf.Mirror;
import dev.cairn.registry.RegistriesConf.PullFromMirror;
import dev.cairn.registry.RegistriesConf.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonJsonTest {
  @TempDir Path dir;

  @Test
  void registryMirrorsAndInsecureRegistriesAreReadAsDockerWritesThem() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("daemon.json"),
            """
            {"registry-mirrors": ["https://mirror.gcr.io", "http://10.0.0.5:5000/"],
             "insecure-registries": ["registry.lan:5000"], "debug": true}
            """);
    DaemonJson d = DaemonJson.read(file);
    assertThat(d.mirrors())
        .containsExactly(
            new Mirror("mirror.gcr.io", false, PullFromMirror.ALL),
            new Mirror("10.0.0.5:5000", true, PullFromMirror.ALL));
    assertThat(d.insecure()).containsExactly("registry.lan:5000");
    assertThat(DaemonJson.read(dir.resolve("absent.json")).mirrors()).isEmpty();
    assertThat(DaemonJson.path(Map.of("CAIRN_DAEMON_JSON", file.toString()))).isEqualTo(file);
    assertThat(DaemonJson.path(Map.of())).isEqualTo(Path.of("/etc/docker/daemon.json"));
  }

  @Test
  void theFileTheEnvironmentNamesIsTheOneRead() throws IOException {
    Path file =
        Files.writeString(dir.resolve("elsewhere.json"), "{\"insecure-registries\": [\"r.lan\"]}");
    assertThat(DaemonJson.load(Map.of("CAIRN_DAEMON_JSON", file.toString())))
        .isEqualTo(new DaemonJson(List.of(), List.of("r.lan"), file));
  }

  // docker checks a mirror's scheme, path and user, not its port: the host is kept as written
  @Test
  void aMirrorsPortIsKeptAsWrittenEvenZero() {
    assertThat(DaemonJson.mirror("https://mirror.lan:0", null))
        .isEqualTo(new Mirror("mirror.lan:0", false, PullFromMirror.ALL));
    assertThat(DaemonJson.mirror("http://mirror.lan:1/", null))
        .isEqualTo(new Mirror("mirror.lan:1", true, PullFromMirror.ALL));
  }

  @Test
  void aMirrorThatIsNotDockersFormIsAnErrorNamingTheFile() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("daemon.json"), "{\"registry-mirrors\": [\"mirror.gcr.io\"]}");
    assertThatThrownBy(() -> DaemonJson.read(file))
        .hasMessage(
            file + ": registry mirror \"mirror.gcr.io\" must begin with https:// or http://");
    Files.writeString(file, "{\"registry-mirrors\": [\"https://m.io/v2/hub\"]}");
    assertThatThrownBy(() -> DaemonJson.read(file)).hasMessageContaining("must not have a path");
    Files.writeString(file, "{\"registry-mirrors\": \"https://m.io\"}");
    assertThatThrownBy(() -> DaemonJson.read(file))
        .hasMessage(file + ": registry-mirrors must be an array of strings");
    Files.writeString(file, "{not json");
    assertThatThrownBy(() -> DaemonJson.read(file)).hasMessageStartingWith(file + ": ");
  }

  @Test
  void dockerHubsMirrorsGoBeforeThoseOfRegistriesConf() throws IOException {
    Path conf =
        Files.writeString(
            dir.resolve("registries.conf"),
            "[[registry]]\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"conf.m\"\n");
    RegistriesConf c =
        RegistriesConf.read(conf)
            .withDockerHubMirrors(List.of(new Mirror("flag.m", false, PullFromMirror.ALL)), null);
    assertThat(c.sources(Reference.parse("alpine")))
        .extracting(Source::host)
        .containsExactly("flag.m", "conf.m", "docker.io");
    // and with no file, an entry of their own
    assertThat(
            RegistriesConf.none()
                .withDockerHubMirrors(List.of(new Mirror("m:1", true, PullFromMirror.ALL)), null)
                .sources(Reference.parse("library/alpine:3")))
        .containsExactly(
            new Source("m:1", "library/alpine", true, true),
            new Source("docker.io", "library/alpine", false, false));
    assertThat(RegistriesConf.none().sources(Reference.parse("quay.io/a/b:1"))).hasSize(1);
  }

  @Test
  void hostsRegistriesConfMarksInsecureAreSpokenToInPlainHttp() throws IOException {
    Path conf =
        Files.writeString(
            dir.resolve("registries.conf"),
            """
            [[registry]]
            prefix = "example.com"
            location = "internal.lan:5000"
            insecure = true
            [[registry.mirror]]
            location = "cache.lan/hub"
            insecure = true
            [[registry]]
            prefix = "*.dev.lan"
            insecure = true
            [[registry]]
            location = "secure.lan"
            """);
    RegistryOptions o = RegistryOptions.defaults().withRegistries(RegistriesConf.read(conf));
    assertThat(Endpoint.usesPlainHttp("internal.lan:5000", o)).isTrue();
    assertThat(Endpoint.usesPlainHttp("cache.lan", o)).isTrue();
    assertThat(Endpoint.usesPlainHttp("a.dev.lan", o)).isTrue();
    assertThat(Endpoint.usesPlainHttp("example.com", o)).isFalse(); // the prefix, not where it is
    assertThat(Endpoint.usesPlainHttp("secure.lan", o)).isFalse();
  }
}
