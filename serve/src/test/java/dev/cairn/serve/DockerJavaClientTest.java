package dev.cairn.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.PruneType;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.RemoteApiVersion;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.cairn.distribution.PullOptions;
import dev.cairn.image.Reference;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-java, the client Testcontainers is built on, drives {@code cairn serve} over a unix socket
 * with the transport and the API version Testcontainers uses: each command parses what the server
 * answers into its own Jackson model, so a field of the wrong type fails here.
 */
class DockerJavaClientTest {
  /** The config of the test image: every field docker-java reads into a type of its own. */
  private static final String CONFIG =
      """
      {"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","author":"cairn tests",\
      "config":{"User":"app","Env":["PATH=/bin","MODE=test"],"Entrypoint":["/bin/app"],\
      "Cmd":["--serve"],"WorkingDir":"/srv","Labels":{"org.example.role":"fixture"},\
      "ExposedPorts":{"8080/tcp":{}},"Volumes":{"/data":{}},"StopSignal":"SIGTERM",\
      "Healthcheck":{"Test":["CMD","/bin/app","--check"],"Interval":30000000000,"Retries":3}},\
      "rootfs":{"type":"layers","diff_ids":[%s]},\
      "history":[{"created":"2024-01-01T00:00:00Z","created_by":"base"},\
      {"created":"2024-01-01T00:00:00Z","created_by":"app"}]}""";

  @TempDir static Path temp;
  static RegistryServer registry;
  static Store store;
  static EngineServer server;
  static DockerClient docker;
  static Path socket;
  static String repository;
  static String image;
  static String other;
  static List<String> diffIds;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryServer.start(temp.resolve("registry"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    List<byte[]> tars =
        List.of(
            OciLayouts.tar(Map.of("etc/os", "base\n")), OciLayouts.tar(Map.of("bin/app", "app\n")));
    layout.tag("1", layout.imageWithConfig(tars, CONFIG).manifest());
    layout.tag("2", layout.image("amd64", List.of(Map.of("other", "2\n"))).manifest());
    Tools.push(layout.dir(), "1", registry.host(), "java/app", "--format", "v2s2");
    Tools.push(layout.dir(), "2", registry.host(), "java/other", "--format", "v2s2");
    repository = registry.host() + "/java/app";
    image = repository + ":1";
    other = registry.host() + "/java/other:2";
    diffIds = new ArrayList<>();
    for (JsonNode id : new ObjectMapper().readTree(OciLayouts.diffIds(tars))) {
      diffIds.add(id.asText());
    }
    store = Store.open(temp.resolve("store"), StoreOptions.defaults().withDriver("vfs"));
    store.pull(Reference.parse(image), PullOptions.defaults(), e -> {});
    store.pull(Reference.parse(other), PullOptions.defaults(), e -> {});
    socket = temp.resolve("cairn.sock");
    server = EngineServer.start(store, List.of("unix://" + socket));
    docker = client(socket);
  }

  @AfterAll
  static void stop() throws Exception {
    if (docker != null) {
      docker.close();
    }
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

  /** A client as Testcontainers makes one: the zerodep transport, API 1.44, no user config. */
  static DockerClient client(Path socket) {
    DockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder()
            .withDockerHost("unix://" + socket)
            .withDockerTlsVerify(false)
            .withApiVersion(RemoteApiVersion.VERSION_1_44)
            .withDockerConfig(temp.resolve("docker-java-config").toString())
            .build();
    return DockerClientImpl.getInstance(
        config, new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
  }

  /** A second store with a server of its own, empty. */
  record Empty(Store store, EngineServer server, DockerClient docker) implements AutoCloseable {
    static Empty open(String name) throws IOException {
      Store s = Store.open(temp.resolve(name), StoreOptions.defaults().withDriver("vfs"));
      Path socket = temp.resolve(name + ".sock");
      EngineServer server = EngineServer.start(s, List.of("unix://" + socket));
      return new Empty(s, server, client(socket));
    }

    @Override
    public void close() throws IOException {
      docker.close();
      server.close();
      store.close();
    }
  }

  @Test
  void pingAndVersionAnswerAsDockerdDoes() {
    docker.pingCmd().exec();
    Version v = docker.versionCmd().exec();
    assertThat(v.getApiVersion()).isEqualTo("1.47");
    assertThat(v.getMinAPIVersion()).isEqualTo("1.24");
    assertThat(v.getOperatingSystem()).isEqualTo("linux");
    assertThat(v.getArch()).isEqualTo(SystemRoutes.arch());
    assertThat(v.getPlatform().getName()).isEqualTo("cairn");
    assertThat(v.getComponents()).extracting(c -> c.getName()).containsExactly("Engine");
  }

  @Test
  void listImagesGivesEveryImageWithItsTagsSizeAndCreationTime() throws Exception {
    String id = store.image(image).id().toString();
    for (List<Image> list :
        List.of(docker.listImagesCmd().exec(), docker.listImagesCmd().withShowAll(true).exec())) {
      assertThat(list).hasSize(2);
      Image app = list.stream().filter(i -> i.getId().equals(id)).findFirst().orElseThrow();
      assertThat(app.getRepoTags()).contains(image);
      assertThat(app.getRepoDigests()).hasSize(1).allMatch(d -> d.startsWith(repository + "@"));
      assertThat(app.getCreated()).isEqualTo(1704067200L); // 2024-01-01T00:00:00Z
      assertThat(app.getSize()).isPositive();
      assertThat(app.getLabels()).containsEntry("org.example.role", "fixture");
      assertThat(app.getContainers()).isEqualTo(-1);
    }
  }

  @Test
  void inspectGivesTheIdTagsLayersAndConfigOfTheImage() throws Exception {
    InspectImageResponse r = docker.inspectImageCmd(image).exec();
    assertThat(r.getId()).isEqualTo(store.image(image).id().toString());
    assertThat(r.getRepoTags()).containsExactly(image);
    assertThat(r.getRootFS().getType()).isEqualTo("layers");
    assertThat(r.getRootFS().getLayers()).containsExactlyElementsOf(diffIds);
    assertThat(r.getOs()).isEqualTo("linux");
    assertThat(r.getArch()).isEqualTo("amd64");
    assertThat(r.getAuthor()).isEqualTo("cairn tests");
    assertThat(r.getCreated()).isEqualTo("2024-01-01T00:00:00Z");
    assertThat(r.getSize()).isPositive();
    ContainerConfig c = r.getConfig();
    assertThat(c.getUser()).isEqualTo("app");
    assertThat(c.getEnv()).containsExactly("PATH=/bin", "MODE=test");
    assertThat(c.getEntrypoint()).containsExactly("/bin/app");
    assertThat(c.getCmd()).containsExactly("--serve");
    assertThat(c.getWorkingDir()).isEqualTo("/srv");
    assertThat(c.getLabels()).containsExactly(Map.entry("org.example.role", "fixture"));
    assertThat(c.getExposedPorts()).containsExactly(ExposedPort.tcp(8080));
    assertThat(c.getVolumes()).containsOnlyKeys("/data");
    assertThat(c.getHealthcheck().getTest()).containsExactly("CMD", "/bin/app", "--check");
    assertThat(c.getHealthcheck().getInterval()).isEqualTo(30_000_000_000L);
    assertThat(c.getHealthcheck().getRetries()).isEqualTo(3);

    assertThat(docker.inspectImageCmd(r.getId()).exec().getRepoTags()).containsExactly(image);
  }

  @Test
  void historyListsTheImageNewestFirst() throws Exception {
    var history = docker.imageHistoryCmd(image).exec();
    assertThat(history).extracting(h -> h.getCreatedBy()).containsExactly("app", "base");
    assertThat(history.getFirst().getId()).isEqualTo(store.image(image).id().toString());
    assertThat(history.getFirst().getTags()).containsExactly(image);
  }

  @Test
  void aMissingImageIsNotFoundSayingNoSuchImage() {
    assertThatThrownBy(() -> docker.inspectImageCmd("java/nosuch:1").exec())
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("No such image: java/nosuch:1");
    assertThatThrownBy(() -> docker.imageHistoryCmd("java/nosuch:1").exec())
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("No such image: java/nosuch:1");
    assertThatThrownBy(() -> docker.tagImageCmd("java/nosuch:1", "java/to", "1").exec())
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("No such image: java/nosuch:1");
  }

  @Test
  void tagNamesTheImageAnewAndRemoveUntagsIt() throws Exception {
    docker.tagImageCmd(image, "java/tagged", "v1").exec();
    String id = store.image(image).id().toString();
    assertThat(docker.inspectImageCmd("java/tagged:v1").exec().getId()).isEqualTo(id);
    assertThat(store.image("java/tagged:v1").id().toString()).isEqualTo(id);

    docker.removeImageCmd("java/tagged:v1").exec();
    assertThatThrownBy(() -> docker.inspectImageCmd("java/tagged:v1").exec())
        .isInstanceOf(NotFoundException.class);
    assertThat(docker.inspectImageCmd(image).exec().getId()).isEqualTo(id);

    assertThatThrownBy(() -> docker.removeImageCmd("java/tagged:v1").exec())
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("No such image: java/tagged:v1");
    assertThatThrownBy(() -> docker.removeImageCmd("java/tagged:v1").withForce(true).exec())
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void anIdOfSeveralTagsIsRemovedOnlyByForce() throws Exception {
    try (Empty second = Empty.open("force")) {
      second.docker().loadImageCmd(new ByteArrayInputStream(save(List.of(other)))).exec();
      second.docker().tagImageCmd(other, "java/again", "1").exec();
      String id = second.store().image(other).id().toString();

      assertThatThrownBy(() -> second.docker().removeImageCmd(id).exec())
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("force");
      second.docker().removeImageCmd(id).withForce(true).exec();
      assertThat(second.docker().listImagesCmd().withShowAll(true).exec()).isEmpty();
    }
  }

  @Test
  void saveImageGivesAnArchiveWhoseManifestNamesTheImage() throws Exception {
    byte[] tar;
    try (InputStream in = docker.saveImageCmd(repository).withTag("1").exec()) {
      tar = in.readAllBytes();
    }
    JsonNode manifest = new ObjectMapper().readTree(entries(tar).get("manifest.json"));
    assertThat(manifest).hasSize(1);
    assertThat(manifest.get(0).get("RepoTags").get(0).asText()).isEqualTo(image);
    assertThat(manifest.get(0).get("Config").asText()).contains(store.image(image).id().hex());
    assertThat(manifest.get(0).get("Layers")).hasSize(2);
  }

  @Test
  void saveImagesGivesOneArchiveOfAllTheImages() throws Exception {
    JsonNode manifest =
        new ObjectMapper().readTree(entries(save(List.of(image, other))).get("manifest.json"));
    List<String> tags = new ArrayList<>();
    manifest.forEach(m -> tags.add(m.get("RepoTags").get(0).asText()));
    assertThat(tags).containsExactlyInAnyOrder(image, other);
  }

  @Test
  void savingAMissingImageIsNotFound() {
    assertThatThrownBy(() -> docker.saveImageCmd("java/nosuch").withTag("1").exec().close())
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("No such image");
  }

  @Test
  void loadIntoAnotherStoreGivesTheSameImage() throws Exception {
    byte[] tar = save(List.of(image));
    try (Empty second = Empty.open("load")) {
      second.docker().loadImageCmd(new ByteArrayInputStream(tar)).exec();
      InspectImageResponse r = second.docker().inspectImageCmd(image).exec();
      assertThat(r.getId()).isEqualTo(store.image(image).id().toString());
      assertThat(r.getRepoTags()).containsExactly(image);
      assertThat(r.getRootFS().getLayers()).containsExactlyElementsOf(diffIds);
      assertThat(r.getConfig().getCmd()).containsExactly("--serve");
    }
  }

  @Test
  void pruneOfDanglingImagesTakesDockerJavasFilters() throws Exception {
    try (Empty second = Empty.open("prune")) {
      second.docker().loadImageCmd(new ByteArrayInputStream(save(List.of(image, other)))).exec();
      String otherId = second.store().image(other).id().toString();
      // the tag moves to the other image: the first is left with none, dangling
      second.docker().tagImageCmd(otherId, repository, "1").withForce(true).exec();
      assertThat(second.docker().listImagesCmd().withShowAll(true).exec()).hasSize(2);

      var pruned = second.docker().pruneCmd(PruneType.IMAGES).withDangling(true).exec();
      assertThat(pruned.getSpaceReclaimed()).isPositive();
      assertThat(second.docker().listImagesCmd().withShowAll(true).exec())
          .extracting(Image::getId)
          .containsExactly(otherId);
    }
  }

  @Test
  void pullBringsTheRegistrysImageIntoAnEmptyStore() throws Exception {
    try (Empty second = Empty.open("pull")) {
      List<PullResponseItem> items = new ArrayList<>();
      second
          .docker()
          .pullImageCmd(repository)
          .withTag("1")
          .exec(
              new PullImageResultCallback() {
                @Override
                public void onNext(PullResponseItem item) {
                  items.add(item);
                  super.onNext(item);
                }
              })
          .awaitCompletion();
      assertThat(items.getLast().getStatus()).contains("Downloaded newer image for " + image);
      InspectImageResponse r = second.docker().inspectImageCmd(image).exec();
      assertThat(r.getId()).isEqualTo(store.image(image).id().toString());
      assertThat(r.getRepoDigests()).hasSize(1);
    }
  }

  @Test
  void pushSendsATaggedImageToTheRegistry() throws Exception {
    String pushed = registry.host() + "/java/pushed";
    docker.tagImageCmd(image, pushed, "7").exec();
    List<PushResponseItem> items = new ArrayList<>();
    try {
      docker
          .pushImageCmd(pushed)
          .withTag("7")
          .exec(
              new ResultCallback.Adapter<PushResponseItem>() {
                @Override
                public void onNext(PushResponseItem item) {
                  items.add(item);
                }
              })
          .awaitCompletion();
    } finally {
      docker.removeImageCmd(pushed + ":7").exec(); // the other tests see the image's one tag
    }
    assertThat(items).noneMatch(PushResponseItem::isErrorIndicated);
    assertThat(items.getLast().getAux().getDigest()).startsWith("sha256:");

    try (Empty second = Empty.open("pushed")) {
      second.store().pull(Reference.parse(pushed + ":7"), PullOptions.defaults(), e -> {});
      assertThat(second.store().image(pushed + ":7").id()).isEqualTo(store.image(image).id());
    }
  }

  // What docker-java sends that the docker CLI does not, checked on the wire

  @Test
  void aNameWhoseSlashesAreEscapedIsTheImageOfThatName() throws Exception {
    String escaped = image.replace("/", "%2F");
    String answer = SocketClient.exchange(socket, "GET", "/v1.44/images/" + escaped + "/json");
    assertThat(answer).startsWith("HTTP/1.1 200").contains(store.image(image).id().toString());
    assertThat(SocketClient.exchange(socket, "GET", "/v1.44/images/java%2Fnosuch:1/json"))
        .startsWith("HTTP/1.1 404")
        .contains("{\"message\":\"No such image: java/nosuch:1\"}");
  }

  @Test
  void oneImageIsSavedFromItsOwnPath() throws Exception {
    String answer = SocketClient.exchange(socket, "GET", "/v1.44/images/" + image + "/get");
    assertThat(answer)
        .startsWith("HTTP/1.1 200")
        .contains("Content-Type: application/x-tar")
        .contains("manifest.json");
  }

  @Test
  void filtersAreReadInTheFormOfListsToo() {
    assertThat(ImageRoutes.filters("{\"dangling\":[\"true\"],\"label\":{\"a=b\":true}}"))
        .containsExactly("dangling=true", "label=a=b");
    assertThatThrownBy(() -> ImageRoutes.filters("{\"dangling\":[true]}"))
        .hasMessage("invalid filters: a value of dangling is not a string");
  }

  /** The images as docker-java saves them, one archive. */
  static byte[] save(List<String> names) throws IOException {
    var cmd = docker.saveImagesCmd();
    for (String n : names) {
      int colon = n.lastIndexOf(':');
      cmd.withImage(n.substring(0, colon), n.substring(colon + 1));
    }
    try (InputStream in = cmd.exec()) {
      return in.readAllBytes();
    }
  }

  /** The regular files of a tar archive by name. */
  static Map<String, byte[]> entries(byte[] tar) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.isFile()) {
          files.put(e.getName(), in.readAllBytes());
        }
      }
    }
    return files;
  }
}
