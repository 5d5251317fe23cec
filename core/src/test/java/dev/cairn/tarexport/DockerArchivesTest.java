package dev.cairn.tarexport;

import static dev.cairn.tarexport.SaveLoadTest.BASE;
import static dev.cairn.tarexport.SaveLoadTest.EXTRA;
import static dev.cairn.tarexport.SaveLoadTest.MID;
import static dev.cairn.tarexport.SaveLoadTest.TOP;
import static dev.cairn.tarexport.SaveLoadTest.legacyJson;
import static dev.cairn.testing.TarBuilder.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.ChainId;
import dev.cairn.image.Reference;
import dev.cairn.tar.TarEntry;
import dev.cairn.testing.ChainImage;
import dev.cairn.testing.DockerSave;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Trees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives as {@code docker save} wrote them in each era, built entry by entry. */
class DockerArchivesTest {
  @TempDir Path dir;

  static final String PARENT = "f".repeat(8) + "1".repeat(56);
  static final String CHILD = "0".repeat(8) + "2".repeat(56);
  static final String THIRD = "a".repeat(8) + "3".repeat(56);

  static TarBuilder file(TarBuilder t, String name, byte[] content) {
    return t.add(TarEntry.regular(name, content.length), content);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static TarBuilder legacyNode(TarBuilder t, String id, String parent, byte[] layer) {
    t.dir(id + "/");
    file(t, id + "/VERSION", utf8("1.0"));
    file(t, id + "/json", legacyJson(id, parent, "step " + id.charAt(0)));
    return file(t, id + "/layer.tar", layer);
  }

  static String config(List<Digest> diffIds) {
    StringBuilder ids = new StringBuilder();
    StringBuilder history = new StringBuilder();
    for (Digest d : diffIds) {
      ids.append(ids.isEmpty() ? "" : ",").append('"').append(d).append('"');
      history.append(history.isEmpty() ? "" : ",").append("{\"created_by\":\"x\"}");
    }
    return "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":"
        + "{\"type\":\"layers\",\"diff_ids\":["
        + ids
        + "]},\"history\":["
        + history
        + "]}";
  }

  /** Docker 1.9: legacy directories in name order (here the child before its parent), tags. */
  static byte[] docker19() {
    TarBuilder t = tar();
    legacyNode(t, CHILD, PARENT, MID);
    legacyNode(t, PARENT, null, BASE);
    return file(t, "repositories", utf8("{\"legacy\":{\"v1\":\"" + CHILD + "\"}}")).bytes();
  }

  @Test
  void docker19ArchiveKeepsItsIdsAndSpoolsWhatArrivesBeforeItsParent() throws IOException {
    try (Stores s = new Stores(dir)) {
      LoadResult r = s.load(docker19());
      assertThat(r.images())
          .singleElement()
          .satisfies(i -> assertThat(i.id().hex()).isEqualTo(CHILD));
      assertThat(s.chain(CHILD)).containsExactly(PARENT, CHILD);
      assertThat(s.tags.resolve(Reference.parse("legacy:v1"))).contains(CHILD);
      assertThat(s.layer(CHILD)).isEqualTo(MID);
      assertThat(s.graph.tempDirectory()).isEmptyDirectory();
    }
  }

  @Test
  void docker19ArchiveWithAGzippedLayerKeepsItsIds() throws IOException {
    TarBuilder t = tar();
    legacyNode(t, PARENT, null, BASE);
    legacyNode(t, CHILD, PARENT, gzip(MID));
    try (Stores s = new Stores(dir)) {
      LoadResult r = s.load(t.bytes());
      assertThat(r.images()).extracting(i -> i.id().hex()).containsExactly(CHILD);
      assertThat(s.chain(CHILD)).containsExactly(PARENT, CHILD);
      assertThat(s.graph.diffId(CHILD)).isEqualTo(Digest.sha256(MID));
    }
  }

  /**
   * Docker 1.10 to 24: legacy directories under v1 IDs, the config, manifest.json naming {@code
   * <id>/layer.tar}; a repeated layer is a symlink to the first copy; layers may be gzip'd.
   */
  static byte[] docker110(String configText) {
    String cfgHex = Digest.sha256(utf8(configText)).hex();
    TarBuilder t = tar();
    legacyNode(t, CHILD, PARENT, gzip(MID));
    file(t, cfgHex + ".json", utf8(configText));
    t.dir(THIRD + "/");
    file(t, THIRD + "/VERSION", utf8("1.0"));
    file(t, THIRD + "/json", legacyJson(THIRD, CHILD, "again"));
    t.symlink(THIRD + "/layer.tar", "../" + PARENT + "/layer.tar");
    legacyNode(t, PARENT, null, BASE);
    file(
        t,
        "manifest.json",
        utf8(
            "[{\"Config\":\"%s.json\",\"RepoTags\":[\"app:1.10\"],\"Layers\":[\"%s/layer.tar\",\"%s/layer.tar\",\"%s/layer.tar\"]}]"
                .formatted(cfgHex, PARENT, CHILD, THIRD)));
    return file(t, "repositories", utf8("{\"app\":{\"1.10\":\"" + THIRD + "\"}}")).bytes();
  }

  @Test
  void docker110ArchiveGetsTheIdsOfItsConfigWhateverItsLegacyDirectoriesSay() throws IOException {
    List<Digest> diffIds = List.of(Digest.sha256(BASE), Digest.sha256(MID), Digest.sha256(BASE));
    byte[] config = utf8(config(diffIds));
    String cfg = Digest.sha256(config).hex();
    List<Digest> chainIds = ChainId.of(diffIds);
    try (Stores s = new Stores(dir)) {
      LoadResult r = s.load(docker110(config(diffIds)));
      assertThat(r.images()).extracting(i -> i.id().hex()).containsExactly(cfg);
      assertThat(s.chain(cfg)).containsExactly(chainIds.get(0).hex(), chainIds.get(1).hex(), cfg);
      assertThat(s.graph.map().keySet()).doesNotContain(PARENT, CHILD, THIRD);
      assertThat(s.layer(cfg)).isEqualTo(BASE);
      assertThat(s.graph.diffId(chainIds.get(1).hex())).isEqualTo(Digest.sha256(MID));
      assertThat(s.tags.resolve(Reference.parse("app:1.10"))).contains(cfg);
    }
  }

  static DockerSave.Image chainImage(byte[] config, String tag) {
    return new DockerSave.Image(config, ChainImage.layers(), List.of(tag));
  }

  @Test
  void dockerSaveOfTheChainImageLoadsUnderTheIdDockerShows() throws IOException {
    byte[] config = ChainImage.config();
    Digest id = Digest.sha256(config); // docker's image ID: the digest of the config's bytes
    List<byte[]> layers = ChainImage.layers();
    List<Digest> chainIds = ChainId.of(layers.stream().map(Digest::sha256).toList());
    DockerSave save = DockerSave.of(List.of(chainImage(config, "chain:latest")));
    try (Stores s = new Stores(dir)) {
      LoadResult r = s.load(save.bytes());
      assertThat(r.images()).extracting(LoadResult.LoadedImage::id).containsExactly(id);
      List<String> expected = new ArrayList<>();
      chainIds.subList(0, 19).forEach(c -> expected.add(c.hex()));
      expected.add(id.hex());
      assertThat(s.chain(id.hex())).containsExactlyElementsOf(expected);
      assertThat(s.graph.map()).hasSize(20);
      assertThat(s.graph.rawJSON(id.hex())).isEqualTo(config);
      for (int i = 0; i < 20; i++) {
        assertThat(s.layer(expected.get(i))).as("layer %d", i + 1).isEqualTo(layers.get(i));
      }
      assertThat(s.graph.map().keySet())
          .as("docker's v1 IDs are no nodes")
          .doesNotContainAnyElementsOf(save.v1Ids(0));
      assertThat(s.tags.resolve(Reference.parse("chain:latest"))).contains(id.hex());
      assertThat(s.graph.tempDirectory()).isEmptyDirectory();
    }
  }

  @Test
  void twoImagesThatDockerSavesUnderOneLegacyTopLoadAsTwoImages() throws IOException {
    byte[] first = ChainImage.config(ChainImage.layers(), "one");
    byte[] second = ChainImage.config(ChainImage.layers(), "two");
    DockerSave save =
        DockerSave.of(List.of(chainImage(first, "chain:one"), chainImage(second, "chain:two")));
    // Their configs differ only in history, which no v1 JSON holds: docker gives both the same
    // legacy directories, and only the configs tell them apart.
    assertThat(save.v1Ids(1)).isEqualTo(save.v1Ids(0));
    try (Stores s = new Stores(dir)) {
      LoadResult r = s.load(save.bytes());
      assertThat(r.images())
          .extracting(LoadResult.LoadedImage::id)
          .containsExactly(Digest.sha256(first), Digest.sha256(second));
      assertThat(s.tags.resolve(Reference.parse("chain:one"))).contains(Digest.sha256(first).hex());
      assertThat(s.tags.resolve(Reference.parse("chain:two")))
          .contains(Digest.sha256(second).hex());
      assertThat(s.graph.map()).as("19 shared layers and two tops").hasSize(21);
    }
  }

  @Test
  void aDockerArchiveSharesLayersWithAPulledImageOfTheSameContent() throws IOException {
    List<byte[]> layers = List.of(BASE, MID, EXTRA);
    byte[] config = utf8(config(layers.stream().map(Digest::sha256).toList()));
    byte[] archive =
        DockerSave.of(List.of(new DockerSave.Image(config, layers, List.of("saved:1")))).bytes();
    try (Stores s = new Stores(dir)) {
      s.pulled(List.of(BASE, MID, TOP), "pulled:1");
      Set<String> pulled = Set.copyOf(s.graph.map().keySet());
      s.load(archive);
      String id = Digest.sha256(config).hex();
      List<String> chain = s.chain(id);
      assertThat(pulled).containsAll(chain.subList(0, 2));
      assertThat(s.graph.map().keySet()).containsExactlyInAnyOrderElementsOf(union(pulled, id));
    }
  }

  private static Set<String> union(Set<String> set, String more) {
    Set<String> all = new java.util.HashSet<>(set);
    all.add(more);
    return all;
  }

  /**
   * Docker 25 and later: an OCI layout ({@code blobs/sha256}, {@code index.json}, {@code
   * oci-layout}) beside manifest.json, whose layers are blobs; the legacy directories only link.
   */
  @Test
  void docker25ArchiveGetsTheIdsOfAPull() throws IOException {
    List<Digest> diffIds = List.of(Digest.sha256(BASE), Digest.sha256(EXTRA));
    byte[] config = utf8(config(diffIds));
    Digest cfg = Digest.sha256(config);
    byte[] gzBase = gzip(BASE);
    Digest gzBaseDigest = Digest.sha256(gzBase);
    TarBuilder t = tar();
    t.dir("blobs/").dir("blobs/sha256/");
    file(t, "blobs/sha256/" + gzBaseDigest.hex(), gzBase);
    file(t, "blobs/sha256/" + cfg.hex(), config);
    file(t, "blobs/sha256/" + diffIds.get(1).hex(), EXTRA);
    t.dir(PARENT + "/");
    file(t, PARENT + "/json", legacyJson(PARENT, null, "base"));
    t.symlink(PARENT + "/layer.tar", "../blobs/sha256/" + gzBaseDigest.hex());
    file(t, "index.json", utf8("{\"schemaVersion\":2,\"manifests\":[]}"));
    file(
        t,
        "manifest.json",
        utf8(
            "[{\"Config\":\"blobs/sha256/%s\",\"RepoTags\":[\"new:25\"],\"Layers\":[\"blobs/sha256/%s\",\"blobs/sha256/%s\"]}]"
                .formatted(cfg.hex(), gzBaseDigest.hex(), diffIds.get(1).hex())));
    file(t, "oci-layout", utf8("{\"imageLayoutVersion\":\"1.0.0\"}"));
    file(t, "repositories", utf8("{\"new\":{\"25\":\"" + PARENT + "\"}}"));
    try (Stores s = new Stores(dir)) {
      LoadResult r = s.load(t.bytes());
      assertThat(r.images()).extracting(i -> i.id()).containsExactly(cfg);
      assertThat(s.chain(cfg.hex()))
          .containsExactly(ChainId.of(diffIds).getFirst().hex(), cfg.hex());
      assertThat(s.graph.exists(PARENT))
          .as("legacy links of a blob layout are not nodes")
          .isFalse();
      assertThat(s.graph.rawJSON(cfg.hex())).isEqualTo(config);
      assertThat(s.tags.resolve(Reference.parse("new:25"))).contains(cfg.hex());
      assertThat(s.graph.tempDirectory()).isEmptyDirectory();
    }
  }

  static final String HEX = "0123456789abcdef".repeat(4);

  /**
   * After what {@code t} holds, one legacy layer and two manifest.json entries for it, named by
   * {@code firstTags} and {@code secondTags}; {@code manifestFirst} puts the metadata before the
   * layer, as cairn and skopeo write, else after it, as docker does.
   */
  static byte[] twoEntries(
      TarBuilder t, boolean manifestFirst, String firstTags, String secondTags) {
    String configText = config(List.of(Digest.sha256(BASE)));
    String cfgHex = Digest.sha256(utf8(configText)).hex();
    String entry = "{\"Config\":\"%s.json\",\"RepoTags\":[%s],\"Layers\":[\"%s/layer.tar\"]}";
    byte[] manifest =
        utf8(
            "["
                + entry.formatted(cfgHex, firstTags, PARENT)
                + ","
                + entry.formatted(cfgHex, secondTags, PARENT)
                + "]");
    if (manifestFirst) {
      file(t, "manifest.json", manifest);
      file(t, cfgHex + ".json", utf8(configText));
    }
    legacyNode(t, PARENT, null, BASE);
    if (!manifestFirst) {
      file(t, cfgHex + ".json", utf8(configText));
      file(t, "manifest.json", manifest);
    }
    return t.bytes();
  }

  /**
   * Every file and directory of the store, and the tag file's text. With {@code untouched}, also
   * directory times, the graph's change counter (kept in its lock file) and the lock file of node
   * makers, which a node that was staged and rolled back moves or creates although the graph's
   * content is as it was.
   */
  private static Map<String, String> everything(Stores s, boolean untouched) throws IOException {
    Map<String, String> all = new TreeMap<>(Trees.snapshot(s.root, untouched));
    if (!untouched) {
      all.remove("graph/.lock");
      all.remove(".pull-lock");
    }
    all.put("tag file bytes", Files.readString(s.root.resolve("repositories-vfs")));
    return all;
  }

  @Test
  void loadOfAnArchiveWhoseRepoTagsNameAnImageIdLeavesTheStoreAsItWas() throws IOException {
    try (Stores s = new Stores(dir)) {
      s.pulled(List.of(EXTRA), "keep:1");
      Map<String, String> before = everything(s, false);
      byte[] archive = twoEntries(tar(), false, "\"good:1\"", "\"" + HEX + ":1\"");
      assertThatThrownBy(() -> s.load(archive))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessageContaining("manifest.json entry 1: RepoTag \"" + HEX + ":1\"")
          .hasMessageContaining("cannot specify 64-byte hexadecimal strings");
      assertThat(everything(s, false)).isEqualTo(before);
      assertThat(s.tags.skipped()).isEmpty();
    }
  }

  @Test
  void loadOfALegacyArchiveWhoseRepositoriesNameAnImageIdLeavesTheStoreAsItWas()
      throws IOException {
    TarBuilder t = tar();
    legacyNode(t, PARENT, null, BASE);
    legacyNode(t, CHILD, PARENT, MID);
    file(
        t,
        "repositories",
        utf8("{\"legacy\":{\"v1\":\"" + CHILD + "\"},\"" + HEX + "\":{\"1\":\"" + CHILD + "\"}}"));
    try (Stores s = new Stores(dir)) {
      s.pulled(List.of(EXTRA), "keep:1");
      Map<String, String> before = everything(s, false);
      assertThatThrownBy(() -> s.load(t.bytes()))
          .hasMessageContaining("repositories: \"" + HEX + ":1\"")
          .hasMessageContaining("cannot specify 64-byte hexadecimal strings");
      assertThat(everything(s, false)).isEqualTo(before);
    }
  }

  @Test
  void aBadNameInAManifestThatComesFirstStopsTheLoadBeforeAnyLayerIsRead() throws IOException {
    try (Stores s = new Stores(dir)) {
      s.pulled(List.of(EXTRA), "keep:1");
      Map<String, String> before = everything(s, true);
      assertThatThrownBy(
              () -> s.load(twoEntries(tar(), true, "\"good:1\"", "\"sha256:" + HEX + "\"")))
          .hasMessageContaining("manifest.json entry 1: RepoTag \"sha256:" + HEX + "\"");
      // Directory times included: not even a staged node came and went.
      assertThat(everything(s, true)).isEqualTo(before);
    }
  }

  @Test
  void aBadNameInTheRepositoriesFileBesideAManifestIsIgnoredAsDockerIgnoresIt() throws IOException {
    TarBuilder t = tar();
    file(t, "repositories", utf8("{\"" + HEX + "\":{\"1\":\"" + PARENT + "\"}}"));
    byte[] both = twoEntries(t, false, "\"good:1\"", "\"good:2\"");
    try (Stores s = new Stores(dir)) {
      s.load(both);
      String config = Digest.sha256(utf8(config(List.of(Digest.sha256(BASE))))).hex();
      assertThat(s.tags.resolve(Reference.parse("good:2"))).contains(config);
      assertThat(s.tags.all()).hasSize(2);
    }
  }
}
