package dev.cairn.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.distribution.PullOptions;
import dev.cairn.image.Reference;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.serve.DockerCli.Run;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The docker CLI drives {@code cairn serve} over its unix socket. */
class EngineServerTest {
  @TempDir static Path temp;
  static RegistryServer registry;
  static Store store;
  static EngineServer server;
  static Path socket;
  static String image;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryServer.start(temp.resolve("registry"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    layout.tag(
        "1",
        layout
            .image("amd64", List.of(Map.of("etc/os", "base\n"), Map.of("bin/app", "app\n")))
            .manifest());
    Tools.push(layout.dir(), "1", registry.host(), "serve/app", "--format", "v2s2");
    image = registry.host() + "/serve/app:1";
    store = Store.open(temp.resolve("store"), StoreOptions.defaults().withDriver("vfs"));
    store.pull(Reference.parse(image), PullOptions.defaults(), e -> {});
    socket = temp.resolve("cairn.sock");
    server = EngineServer.start(store, List.of("unix://" + socket));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  /** The docker CLI against the server, with a config directory of its own. */
  static Run docker(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker", "-H", "unix://" + socket));
    cmd.addAll(List.of(args));
    return DockerCli.run(temp.resolve("docker-config"), cmd);
  }

  @Test
  void theCliNegotiatesApi147AndNamesTheServerCairn() throws Exception {
    Run r = docker("version", "--format", "{{.Server.APIVersion}} {{.Server.Platform.Name}}");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("1.47 cairn\n");
  }

  @Test
  void imagesListsTheStoresImagesAsTheCliPrintsThem() throws Exception {
    String id = store.image(image).id().hex().substring(0, 12);
    Run r = docker("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith(image + " " + id + " ");
  }

  @Test
  void inspectAndHistoryShowTheImage() throws Exception {
    Run inspect = docker("image", "inspect", "--format", "{{.Id}} {{index .RepoTags 0}}", image);
    assertThat(inspect.exit()).as(inspect.err()).isZero();
    assertThat(inspect.out()).isEqualTo(store.image(image).id() + " " + image + "\n");

    Run history = docker("history", "--format", "{{.ID}}", image);
    assertThat(history.exit()).as(history.err()).isZero();
    assertThat(history.out().lines().toList())
        .hasSize(2)
        .startsWith(store.image(image).id().hex().substring(0, 12))
        .endsWith("<missing>");
  }

  @Test
  void anImageTheStoreLacksIsDockersNoSuchImage() throws Exception {
    Run r = docker("image", "inspect", "nosuch");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("Error response from daemon: No such image: nosuch:latest\n");
  }

  @Test
  void whatIsNoImageEndpointIsRefusedAtOnceSayingCairnServesImagesOnly() throws Exception {
    Run r = docker("ps");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("cairn serves images only: GET /containers/json");
  }

  @Test
  void theSocketIsReadAndWrittenByOwnerAndGroupOnly() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .isEqualTo("rw-rw----");
  }

  @Test
  void aTcpAddressOffLoopbackIsRefusedWithTheReason() {
    assertThatThrownBy(() -> EngineServer.start(store, List.of("tcp://0.0.0.0:2375")))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("only a loopback address is safe");
  }

  @Test
  void aServerStoppedRemovesItsSocket() throws Exception {
    Path other = temp.resolve("other.sock");
    EngineServer s = EngineServer.start(store, List.of("unix://" + other));
    assertThat(other).exists();
    s.close();
    assertThat(other).doesNotExist();
  }

  @Test
  void tagRmiAndSaveGoThroughTheStore() throws Exception {
    Run tag = docker("tag", image, "mine/app:2");
    assertThat(tag.exit()).as(tag.err()).isZero();
    assertThat(store.image("mine/app:2").id()).isEqualTo(store.image(image).id());

    Path archive = temp.resolve("saved.tar");
    Run save = docker("save", "-o", archive.toString(), "mine/app:2");
    assertThat(save.exit()).as(save.err()).isZero();
    assertThat(new String(Files.readAllBytes(archive), StandardCharsets.ISO_8859_1))
        .contains("manifest.json")
        .contains(store.image(image).id().hex() + ".json");

    Run rmi = docker("rmi", "mine/app:2");
    assertThat(rmi.exit()).as(rmi.err()).isZero();
    assertThat(rmi.out()).isEqualTo("Untagged: mine/app:2\n");
    Run again = docker("rmi", "mine/app:2");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("Error response from daemon: No such image: mine/app:2\n");
  }

  @Test
  void loadReadsTheArchiveFromTheRequestAndPruneRemovesWhatNoTagNames() throws Exception {
    Path archive = temp.resolve("for-load.tar");
    Run save = docker("save", "-o", archive.toString(), image);
    assertThat(save.exit()).as(save.err()).isZero();
    try (Store other =
            Store.open(temp.resolve("other-store"), StoreOptions.defaults().withDriver("vfs"));
        EngineServer s =
            EngineServer.start(other, List.of("unix://" + temp.resolve("load.sock")))) {
      List<String> cmd =
          List.of(
              "docker",
              "-H",
              "unix://" + temp.resolve("load.sock"),
              "load",
              "-i",
              archive.toString());
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("DOCKER_CONFIG", temp.resolve("docker-config").toString());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(out).isZero();
      assertThat(out).isEqualTo("Loaded image: " + image + "\n");
      assertThat(other.image(image).id()).isEqualTo(store.image(image).id());

      other.remove(image, false); // the image is gone; its layers went with it
      assertThat(other.imageSummaries(true)).isEmpty();
    }
    Run prune = docker("image", "prune", "-f");
    assertThat(prune.exit()).as(prune.err()).isZero();
    assertThat(prune.out()).isEqualTo("Total reclaimed space: 0B\n");
  }
}
