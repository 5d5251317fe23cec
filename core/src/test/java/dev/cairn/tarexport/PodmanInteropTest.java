package dev.cairn.tarexport;

import static dev.cairn.tarexport.SaveLoadTest.BASE;
import static dev.cairn.tarexport.SaveLoadTest.MID;
import static dev.cairn.tarexport.SaveLoadTest.TOP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.registry.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cairn's archives loaded by podman (vfs driver, its storage in a temporary directory), and
 * podman's {@code save} loaded by cairn.
 */
class PodmanInteropTest {
  @TempDir Path dir;

  /**
   * podman with every directory it writes under {@code dir}: storage and run state by flag, the
   * rest (temporary files, locks, events, network configuration) by its configuration file.
   */
  private String podman(String... args) throws IOException, InterruptedException {
    Path state = dir.resolve("podman");
    Files.createDirectories(state.resolve("tmp"));
    Files.createDirectories(state.resolve("net"));
    Path conf = state.resolve("containers.conf");
    Files.writeString(
        conf,
        """
        [engine]
        tmp_dir = "%1$s/tmp"
        image_copy_tmp_dir = "%1$s/tmp"
        lock_type = "file"
        events_logger = "file"
        events_logfile_path = "%1$s/events.log"
        cgroup_manager = "cgroupfs"
        [network]
        network_backend = "cni"
        network_config_dir = "%1$s/net"
        """
            .formatted(state));
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "env",
            "CONTAINERS_CONF=" + conf,
            Tools.require("podman").toString(),
            "--root",
            state.resolve("root").toString(),
            "--runroot",
            state.resolve("run").toString(),
            "--tmpdir",
            state.resolve("tmp").toString(),
            "--storage-driver",
            "vfs",
            "--cgroup-manager",
            "cgroupfs",
            "--events-backend",
            "file"));
    cmd.addAll(List.of(args));
    return Tools.run(cmd);
  }

  private static List<String> strings(JsonValue v) {
    List<String> out = new ArrayList<>();
    for (JsonValue item : ((JsonValue.JsonArray) v).items()) {
      out.add(V1Forms.string(item));
    }
    return out;
  }

  @Test
  void podmanLoadsACairnArchiveUnderItsConfigDigestAndCairnLoadsPodmansSaveBack() throws Exception {
    dev.cairn.testing.Tools.requireRoot("podman keeps its storage as root here");
    Path archive = dir.resolve("app.tar");
    ImageConfigFile app;
    try (Stores s = new Stores(dir.resolve("a"))) {
      app = s.pulled(List.of(BASE, MID, TOP), "app:1");
      try (OutputStream out = Files.newOutputStream(archive)) {
        new Saver(s.graph, s.tags).save(List.of("app:1"), out);
      }
    }
    Digest id = app.digest();
    List<Digest> diffIds = List.of(Digest.sha256(BASE), Digest.sha256(MID), Digest.sha256(TOP));

    assertThat(podman("load", "-q", "-i", archive.toString())).contains("app:1");
    JsonValue.JsonObject inspect =
        (JsonValue.JsonObject)
            ((JsonValue.JsonArray)
                    Json.parse(
                        podman("image", "inspect", id.hex()).getBytes(StandardCharsets.UTF_8)))
                .items()
                .getFirst();
    assertThat(V1Forms.string(inspect.get("Id"))).isEqualTo(id.hex());
    assertThat(strings(((JsonValue.JsonObject) inspect.get("RootFS")).get("Layers")))
        .containsExactlyElementsOf(diffIds.stream().map(Digest::toString).toList());
    assertThat(strings(inspect.get("RepoTags"))).anyMatch(t -> t.endsWith("/app:1"));

    Path saved = dir.resolve("podman.tar");
    podman("save", "-q", "--format", "docker-archive", "-o", saved.toString(), id.hex());
    try (Stores b = new Stores(dir.resolve("b"))) {
      LoadResult r = b.load(Files.readAllBytes(saved));
      assertThat(r.images()).extracting(LoadResult.LoadedImage::id).containsExactly(id);
      List<String> chain = b.chain(id.hex());
      assertThat(chain).hasSize(3);
      assertThat(b.layer(chain.get(0))).isEqualTo(BASE);
      assertThat(b.layer(chain.get(1))).isEqualTo(MID);
      assertThat(b.layer(chain.get(2))).isEqualTo(TOP);
      assertThat(b.graph.tempDirectory()).isEmptyDirectory();
    }
  }
}
