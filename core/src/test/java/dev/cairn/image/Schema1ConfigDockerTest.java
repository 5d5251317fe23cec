package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.Registry;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import dev.cairn.testing.DockerEngine;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * dockerd 20.10 as the judge of {@link Schema1Config}: skopeo converts an image with steps that
 * made no layer to a schema1 manifest (they become throwaway v1 images), dockerd pulls it, and the
 * config cairn makes from the manifest must be the config dockerd made, byte for byte (so its
 * digest is the ID docker shows). One image comes from a daemon docker reads as older than 1.8.3
 * (no docker_version: its top goes through docker's structs), one from a newer one (read as
 * written).
 */
class Schema1ConfigDockerTest {
  @org.junit.jupiter.api.io.TempDir static Path temp;
  static RegistryServer registry;
  static DockerEngine docker;
  static final Map<Digest, Digest> DIFF_IDS = new HashMap<>();

  static final List<byte[]> TARS =
      List.of(
          OciLayouts.tar(Map.of("etc/os-release", "ID=s1\n")),
          OciLayouts.tar(Map.of("usr/bin/app", "app\n", "etc/motd", "hi\n")));

  /**
   * A config with fields docker 20.10 knows and Docker 1.9 did not, text Go escapes, times with
   * offsets and fractions, and steps that made no layer, the newest among them.
   */
  static final String CONFIG =
      """
      {"architecture":"amd64","variant":"v2","os":"linux","os.version":"10.0.1",%s
       "created":"2024-03-04T05:06:07.123456789+02:00","author":"a <b> & c","comment":"by hand",
       "x-extra": { "kept" : [1, 2.50, "<&>"] },
       "config":{"User":"1000","Env":["PATH=/bin","X=<&>"],"Cmd":["/bin/sh","-c","echo 1"],
        "Healthcheck":{"Test":["CMD","true"],"Interval":30000000000,"Retries":3},
        "ArgsEscaped":true,"StopTimeout":5,"Shell":["/bin/bash","-c"],
        "ExposedPorts":{"80/tcp":{},"53/udp":{}},"Volumes":{"/data":{}},
        "Labels":{"z":"1","a":"<2>"},"StopSignal":"SIGINT","WorkingDir":"/w"},
       "container_config":{"Cmd":["/bin/sh","-c","#(nop) CMD [\\"echo\\" \\"1\\"]"]},
       "rootfs":{"type":"layers","diff_ids":[%%s]},
       "history":[
        {"created":"2024-01-02T03:04:05.5-07:30","created_by":"ADD <&> /","author":"me"},
        {"created":"2024-01-02T03:04:06Z","created_by":"ENV X=<&>","comment":"env",
         "empty_layer":true},
        {"created":"2024-01-02T03:04:07.000000001Z","created_by":"COPY app /usr/bin/app"},
        {"created":"2024-01-02T03:04:08+01:00","created_by":"CMD [\\"echo\\"]",
         "empty_layer":true}]}
      """;

  @BeforeAll
  static void start() throws Exception {
    docker = DockerEngine.start();
    registry = RegistryServer.start(temp.resolve("registry"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    for (String version : List.of("old", "new")) {
      String dockerVersion = version.equals("old") ? "" : "\"docker_version\":\"20.10.5\",";
      OciLayouts.Image image = layout.imageWithConfig(TARS, CONFIG.formatted(dockerVersion));
      for (int i = 0; i < TARS.size(); i++) {
        DIFF_IDS.put(image.layers().get(i).digest(), Digest.sha256(TARS.get(i)));
      }
      layout.tag(version, image.manifest());
      Tools.push(layout.dir(), version, registry.host(), "test/s1", "--format", "v2s1");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (docker != null) {
        docker.close();
      }
    } finally {
      if (registry != null) {
        registry.close();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"old", "new"})
  void theConfigIsTheOneDockerMakesWhenItPullsTheManifest(String tag) throws Exception {
    Schema1Manifest manifest;
    try (Registry direct = Registry.open(registry.host(), RegistryOptions.defaults())) {
      manifest = Schema1Manifest.parse(direct.manifest("test/s1", tag).bytes());
    }
    List<byte[]> v1s = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    List<Boolean> throwaway = new ArrayList<>();
    for (Schema1Image image : manifest.images()) {
      v1s.add(image.v1Compatibility());
      throwaway.add(Schema1Config.throwaway(image.v1Compatibility()));
      diffIds.add(DIFF_IDS.get(image.blobSum())); // null for the empty layer of a throwaway one
    }
    assertThat(throwaway).containsExactly(false, true, false, true);

    String reference = registry.host() + "/test/s1:" + tag;
    docker.docker("pull", "-q", reference);
    byte[] dockers = savedConfig(reference);

    byte[] config = Schema1Config.of(v1s, diffIds);
    assertThat(new String(config, StandardCharsets.UTF_8))
        .isEqualTo(new String(dockers, StandardCharsets.UTF_8));
    assertThat(Digest.sha256(config).toString())
        .isEqualTo(docker.docker("image", "inspect", "--format", "{{.Id}}", reference).strip());
  }

  /** The config of {@code reference} as {@code docker save} writes it. */
  private static byte[] savedConfig(String reference) throws Exception {
    Path archive = Files.createTempFile(temp, "save", ".tar");
    docker.docker("save", "-o", archive.toString(), reference);
    Map<String, byte[]> entries = new HashMap<>();
    try (InputStream in = Files.newInputStream(archive)) {
      TarReader r = new TarReader(in);
      for (TarEntry e; (e = r.next()) != null; ) {
        if (e.type() == TarEntry.Type.REGULAR && !e.name().endsWith("layer.tar")) {
          entries.put(e.name(), r.payload().readAllBytes());
        }
      }
    }
    JsonArray manifest = (JsonArray) Json.parse(entries.get("manifest.json"));
    JsonObject item = (JsonObject) manifest.items().getFirst();
    return entries.get(((JsonString) item.get("Config")).value());
  }
}
