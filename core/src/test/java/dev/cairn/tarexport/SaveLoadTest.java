package dev.cairn.tarexport;

import static dev.cairn.testing.TarBuilder.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.graph.NodeSpec;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.Reference;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import dev.cairn.testing.Seeds;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaveLoadTest {
  @TempDir Path dir;

  static final byte[] BASE = tar().dir("etc/").file("etc/os-release", "ID=test\n").bytes();
  static final byte[] MID = tar().dir("usr/").file("usr/app", "app v1").bytes();
  static final byte[] TOP = tar().file("etc/motd", "hello").whiteout("usr", "old").bytes();
  static final byte[] EXTRA = tar().file("srv/data", "x".repeat(3000)).bytes();

  /** Entries of an archive, name to content, in archive order (links as "-> target"). */
  static Map<String, byte[]> entries(byte[] archive) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    TarReader r = new TarReader(new ByteArrayInputStream(archive));
    for (TarEntry e; (e = r.next()) != null; ) {
      out.put(
          e.name(),
          e.type() == TarEntry.Type.SYMLINK
              ? ("-> " + e.linkname()).getBytes(StandardCharsets.UTF_8)
              : r.payload().readAllBytes());
    }
    return out;
  }

  static String id(Random random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return java.util.HexFormat.of().formatHex(b);
  }

  /** A Docker 1.9 style node: random ID, v1 JSON. */
  static byte[] legacyJson(String id, String parent, String cmd) {
    return ("{\"id\":\"%s\"%s,\"created\":\"2015-11-20T10:00:00.123Z\",\"container_config\":"
            + "{\"Cmd\":[\"/bin/sh\",\"-c\",\"%s\"]},\"docker_version\":\"1.9.1\","
            + "\"architecture\":\"amd64\",\"os\":\"linux\",\"Size\":0}")
        .formatted(id, parent == null ? "" : ",\"parent\":\"" + parent + "\"", cmd)
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void roundTripKeepsIdsTagsDiffIdsAndLayerBytes() throws Exception {
    Random random = Seeds.random(SaveLoadTest.class);
    String legacyBase = id(random);
    String legacyTop = id(random);
    byte[] archive;
    ImageConfigFile app1;
    ImageConfigFile app2;
    Map<String, byte[]> layersBefore = new LinkedHashMap<>();
    Map<String, String> parents = new LinkedHashMap<>();
    try (Stores a = new Stores(dir.resolve("a"))) {
      app1 = a.pulled(List.of(BASE, MID, TOP), "app:1");
      app2 = a.pulled(List.of(BASE, MID, TOP, EXTRA), "example.com/team/app:2");
      a.graph.register(
          NodeSpec.of(legacyBase, null, legacyJson(legacyBase, null, "add base")),
          new ByteArrayInputStream(BASE));
      a.graph.register(
          NodeSpec.of(legacyTop, legacyBase, legacyJson(legacyTop, legacyBase, "add more")),
          new ByteArrayInputStream(EXTRA));
      a.tags.tag(Reference.parse("old:1.9"), legacyTop, false);
      for (var n : a.graph.map().values()) {
        layersBefore.put(n.id(), a.layer(n.id()));
        parents.put(n.id(), n.parent());
      }
      archive = a.save("app:1", "example.com/team/app:2", "old:1.9");
    }

    Map<String, byte[]> entries = entries(archive);
    assertThat(entries.keySet().iterator().next()).isEqualTo("manifest.json");
    // Shared nodes once: 4 nodes of app:2 (3 shared with app:1) and 2 legacy nodes.
    assertThat(entries.keySet().stream().filter(n -> n.endsWith("/layer.tar"))).hasSize(7);

    try (Stores b = new Stores(dir.resolve("b"))) {
      // cairn writes what places each layer before it, so every layer registers as it streams in.
      LoadResult result = b.loadWhileStreaming(archive, 7);
      assertThat(result.images())
          .extracting(i -> i.id().hex())
          .containsExactly(app1.digest().hex(), app2.digest().hex(), legacyTop);
      assertThat(result.images().get(1).tags())
          .containsExactly(Reference.parse("example.com/team/app:2"));
      assertThat(b.tags.resolve(Reference.parse("app:1"))).contains(app1.digest().hex());
      assertThat(b.tags.resolve(Reference.parse("old:1.9"))).contains(legacyTop);
      assertThat(b.graph.map().keySet()).isEqualTo(layersBefore.keySet());
      for (var e : layersBefore.entrySet()) {
        assertThat(b.graph.get(e.getKey()).parent()).isEqualTo(parents.get(e.getKey()));
        assertThat(b.layer(e.getKey())).as("layer of %s", e.getKey()).isEqualTo(e.getValue());
        assertThat(b.graph.diffId(e.getKey())).isEqualTo(Digest.sha256(e.getValue()));
      }
      // The top node of a schema2 image keeps its config byte for byte: its ID stays verifiable.
      assertThat(b.graph.rawJSON(app1.digest().hex())).isEqualTo(app1.bytes());
      assertThat(b.graph.tempDirectory()).isEmptyDirectory();
    }
  }

  @Test
  void aRoundTripKeepsTheProbedIdsOfASchema2Image() throws IOException {
    try (Stores a = new Stores(dir.resolve("a"))) {
      String chain0 = Digest.sha256(BASE).hex();
      a.graph.register(
          NodeSpec.of(chain0, null, legacyJson(chain0, null, "another layer under that ID")),
          new ByteArrayInputStream(EXTRA));
      ImageConfigFile app = a.pulled(List.of(BASE, MID), "app:1");
      List<String> ids = a.chain(app.digest().hex());
      assertThat(ids.getFirst()).as("probed past the node in the way").isNotEqualTo(chain0);
      byte[] archive = a.save("app:1");
      try (Stores b = new Stores(dir.resolve("b"))) {
        b.load(archive);
        assertThat(b.chain(app.digest().hex())).isEqualTo(ids);
        assertThat(b.graph.rawJSON(app.digest().hex())).isEqualTo(app.bytes());
      }
    }
  }

  @Test
  void archiveLayoutIsWhatDockerWrites() throws IOException {
    try (Stores a = new Stores(dir)) {
      ImageConfigFile cfg = a.pulled(List.of(BASE, MID), "app:1");
      List<String> chain = a.chain(cfg.digest().hex());
      Map<String, byte[]> e = entries(a.save("app:1"));
      String top = chain.get(1);
      assertThat(e.keySet())
          .containsExactly(
              "manifest.json",
              "repositories",
              top + ".json",
              chain.get(0) + "/",
              chain.get(0) + "/VERSION",
              chain.get(0) + "/json",
              chain.get(0) + "/layer.tar",
              top + "/",
              top + "/VERSION",
              top + "/json",
              top + "/layer.tar");
      assertThat(text(e.get("manifest.json")))
          .isEqualTo(
              "[{\"Config\":\"%s.json\",\"RepoTags\":[\"app:1\"],\"Layers\":[\"%s/layer.tar\",\"%s/layer.tar\"]}]"
                  .formatted(top, chain.get(0), top));
      assertThat(text(e.get("repositories"))).isEqualTo("{\"app\":{\"1\":\"" + top + "\"}}");
      assertThat(text(e.get(top + "/VERSION"))).isEqualTo("1.0");
      assertThat(e.get(top + ".json")).isEqualTo(cfg.bytes());
      JsonValue.JsonObject topJson = Json.parseObject(e.get(top + "/json"), "json");
      assertThat(V1Forms.string(topJson.get("id"))).isEqualTo(top);
      assertThat(V1Forms.string(topJson.get("parent"))).isEqualTo(chain.get(0));
      assertThat(topJson.get("rootfs")).isNull();
      assertThat(topJson.get("history")).isNull();
      // The top layer's legacy json carries the image's run config.
      JsonValue.JsonObject run = (JsonValue.JsonObject) topJson.get("config");
      for (String[] member : new String[][] {{"Env", "PATH=/bin"}, {"Cmd", "sh"}}) {
        assertThat(((JsonValue.JsonArray) run.get(member[0])).items())
            .as(member[0])
            .map(v -> ((JsonValue.JsonString) v).value())
            .containsExactly(member[1]);
      }
      assertThat(e.get(chain.get(0) + "/layer.tar")).isEqualTo(BASE);
      assertThat(e.get(top + "/layer.tar")).isEqualTo(MID);
    }
  }

  @Test
  void savingByIdWritesNoTag() throws IOException {
    byte[] archive;
    String top;
    try (Stores a = new Stores(dir.resolve("a"))) {
      top = a.pulled(List.of(BASE), "app:1").digest().hex();
      archive = a.save(top.substring(0, 12));
    }
    Map<String, byte[]> e = entries(archive);
    assertThat(e).doesNotContainKey("repositories");
    assertThat(text(e.get("manifest.json"))).contains("\"RepoTags\":null");
    try (Stores b = new Stores(dir.resolve("b"))) {
      LoadResult r = b.load(archive);
      assertThat(r.images()).singleElement().satisfies(i -> assertThat(i.tags()).isEmpty());
      assertThat(r.images().getFirst().id().hex()).isEqualTo(top);
      assertThat(b.tags.all()).isEmpty();
    }
  }

  @Test
  void schema1ImagesGetAConfigFromTheirTopV1Compatibility() throws IOException {
    Random random = new Random(Seeds.of(SaveLoadTest.class) + 1);
    String base = id(random);
    String top = id(random);
    try (Stores a = new Stores(dir)) {
      a.graph.register(
          NodeSpec.of(base, null, legacyJson(base, null, "add base")),
          new ByteArrayInputStream(BASE));
      a.graph.register(
          NodeSpec.of(top, base, legacyJson(top, base, "echo hi")), new ByteArrayInputStream(MID));
      Map<String, byte[]> e = entries(a.save("sha256:" + top));
      String manifest = text(e.get("manifest.json"));
      String configName = manifest.substring(12, manifest.indexOf('"', 12));
      ImageConfigFile config = ImageConfigFile.parse(e.get(configName));
      assertThat(config.diffIds()).containsExactly(Digest.sha256(BASE), Digest.sha256(MID));
      assertThat(config.history())
          .extracting(ImageConfigFile.History::createdBy)
          .containsExactly("/bin/sh -c add base", "/bin/sh -c echo hi");
      JsonValue.JsonObject obj = Json.parseObject(e.get(configName), "config");
      for (String gone : List.of("id", "parent", "Size", "parent_id", "layer_id", "throwaway")) {
        assertThat(obj.get(gone)).as(gone).isNull();
      }
      assertThat(V1Forms.string(obj.get("docker_version"))).isEqualTo("1.9.1");
      // The legacy nodes are written under their IDs with their JSON as stored.
      assertThat(e.get(top + "/json")).isEqualTo(legacyJson(top, base, "echo hi"));
    }
  }

  @Test
  void loadingWhatExistsSkipsItAndAMovedTagSaysWhoLostIt() throws IOException {
    byte[] archive;
    String app;
    try (Stores a = new Stores(dir.resolve("a"))) {
      app = a.pulled(List.of(BASE, MID), "app:1").digest().hex();
      archive = a.save("app:1");
    }
    try (Stores b = new Stores(dir.resolve("b"))) {
      String other = b.pulled(List.of(EXTRA), "app:1").digest().hex();
      LoadResult first = b.load(archive);
      assertThat(first.moved())
          .containsExactly(
              new LoadResult.MovedTag(
                  Reference.parse("app:1"), Digest.sha256Hex(other), Digest.sha256Hex(app)));
      var before = b.snapshot();
      LoadResult second = b.load(archive);
      assertThat(second.moved()).isEmpty();
      assertThat(second.images()).extracting(i -> i.id().hex()).containsExactly(app);
      assertThat(b.snapshot()).isEqualTo(before);
    }
  }

  @Test
  void unknownNamesAreNotFound() throws IOException {
    try (Stores a = new Stores(dir)) {
      a.pulled(List.of(BASE), "app:1");
      assertThatThrownBy(() -> a.save("app:2"))
          .isInstanceOf(CairnException.class)
          .hasMessageContaining("no such image")
          .extracting(t -> ((CairnException) t).kind())
          .isEqualTo(CairnException.Kind.NOT_FOUND);
      assertThatThrownBy(() -> a.save("ffffffffffff"))
          .isInstanceOf(CairnException.class)
          .hasMessageContaining("no such image");
    }
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** The archive's bytes, stopping at {@code gate} until {@code open} (a load caught mid-layer). */
  private static final class Gated extends java.io.InputStream {
    final java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
    private final byte[] bytes;
    private final int gate;
    private int pos;

    Gated(byte[] bytes, int gate) {
      this.bytes = bytes;
      this.gate = gate;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos == gate) {
        reached.countDown();
        try {
          open.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException();
        }
      }
      if (pos >= bytes.length) {
        return -1;
      }
      int n = Math.min(len, (pos < gate ? gate : bytes.length) - pos);
      System.arraycopy(bytes, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  @Test
  void twoConcurrentLoadsOfOneArchiveBothSucceed() throws Exception {
    byte[] big = tar().file("data", "x".repeat(256 * 1024)).bytes();
    byte[] archive;
    String app;
    String base;
    try (Stores a = new Stores(dir.resolve("a"))) {
      app = a.pulled(List.of(big, MID), "app:1").digest().hex();
      base = a.chain(app).getFirst();
      archive = a.save("app:1");
    }
    // Stop the first load inside the base layer, while it makes that node.
    int header = new String(archive, StandardCharsets.ISO_8859_1).indexOf(base + "/layer.tar\0");
    assertThat(header).isPositive();
    Gated gated = new Gated(archive, header + 512 + 64 * 1024);
    try (Stores b = new Stores(dir.resolve("b"))) {
      java.util.concurrent.ExecutorService threads =
          java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        java.util.concurrent.Future<LoadResult> first =
            threads.submit(() -> new Loader(b.graph, b.tags).load(gated));
        assertThat(gated.reached.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.atomic.AtomicReference<Thread> secondThread =
            new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.Future<LoadResult> second =
            threads.submit(
                () -> {
                  secondThread.set(Thread.currentThread());
                  return new Loader(b.graph, b.tags).load(new ByteArrayInputStream(archive));
                });
        // The second load reaches the node the first one is making, and waits for it.
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (!second.isDone()
            && (secondThread.get() == null || secondThread.get().getState() != Thread.State.WAITING)
            && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        gated.open.countDown();
        for (LoadResult r :
            List.of(
                first.get(60, java.util.concurrent.TimeUnit.SECONDS),
                second.get(60, java.util.concurrent.TimeUnit.SECONDS))) {
          assertThat(r.images()).extracting(i -> i.id().hex()).containsExactly(app);
        }
      } finally {
        gated.open.countDown();
        threads.shutdownNow();
      }
      assertThat(b.tags.resolve(Reference.parse("app:1"))).contains(app);
      assertThat(b.graph.map()).hasSize(2);
      assertThat(b.layer(base)).isEqualTo(big);
      assertThat(b.graph.tempDirectory()).isEmptyDirectory();
    }
  }
}
