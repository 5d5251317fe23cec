package dev.cairn.tarexport;

import static dev.cairn.tarexport.DockerArchivesTest.CHILD;
import static dev.cairn.tarexport.DockerArchivesTest.PARENT;
import static dev.cairn.tarexport.DockerArchivesTest.config;
import static dev.cairn.tarexport.DockerArchivesTest.file;
import static dev.cairn.tarexport.DockerArchivesTest.legacyNode;
import static dev.cairn.tarexport.DockerArchivesTest.utf8;
import static dev.cairn.tarexport.SaveLoadTest.BASE;
import static dev.cairn.tarexport.SaveLoadTest.EXTRA;
import static dev.cairn.tarexport.SaveLoadTest.MID;
import static dev.cairn.tarexport.SaveLoadTest.legacyJson;
import static dev.cairn.testing.TarBuilder.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.Reference;
import dev.cairn.testing.TarBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** HOSTILE.md for archives: a clear INVALID error and the store exactly as it was. */
class HostileArchiveTest {
  @TempDir Path dir;

  static final List<Digest> DIFF_IDS =
      List.of(Digest.sha256(BASE), Digest.sha256(MID), Digest.sha256(BASE));

  /** A Docker 1.10 archive whose manifest.json comes first, so that layers register early. */
  static TarBuilder streamedFirst(String configText, String layers) {
    return streamedFirst(configText, layers, "");
  }

  /** The same, with {@code mark} added to the manifest.json entry. */
  static TarBuilder streamedFirst(String configText, String layers, String mark) {
    String cfgHex = Digest.sha256(utf8(configText)).hex();
    TarBuilder t = tar();
    file(
        t,
        "manifest.json",
        utf8(
            "[{\"Config\":\"%s.json\",\"RepoTags\":[\"victim:1\"],\"Layers\":[%s]%s}]"
                .formatted(cfgHex, layers, mark)));
    file(t, cfgHex + ".json", utf8(configText));
    legacyNode(t, PARENT, null, BASE);
    legacyNode(t, CHILD, PARENT, MID);
    return t;
  }

  static String layers(String... ids) {
    return String.join(",", Arrays.stream(ids).map(i -> "\"" + i + "/layer.tar\"").toList());
  }

  static Arguments hostile(String name, String message, Supplier<byte[]> archive) {
    return Arguments.of(name, message, archive);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        hostile(
            "an entry above the root",
            "leaves the archive root",
            () -> file(tar(), "../manifest.json", utf8("[]")).bytes()),
        hostile(
            "an entry deeper above the root",
            "leaves the archive root",
            () -> file(tar(), "a/../../x", utf8("x")).bytes()),
        hostile(
            "an absolute entry",
            "absolute name",
            () -> file(tar(), "/etc/passwd", utf8("x")).bytes()),
        hostile(
            "a symlinked manifest.json",
            "manifest.json is a link",
            () ->
                file(tar(), "real.json", utf8("[]")).symlink("manifest.json", "real.json").bytes()),
        hostile(
            "a hardlinked manifest.json",
            "manifest.json is a link",
            () ->
                file(tar(), "real.json", utf8("[]"))
                    .hardlink("manifest.json", "real.json")
                    .bytes()),
        hostile(
            "a layer linked outside the archive",
            "points outside the archive",
            () ->
                legacyNode(tar(), PARENT, null, BASE)
                    .symlink(CHILD + "/layer.tar", "../../etc/shadow")
                    .bytes()),
        hostile(
            "a layer linked to an absolute path",
            "absolute target",
            () -> tar().symlink(CHILD + "/layer.tar", "/etc/shadow").bytes()),
        hostile("a link cycle", "cycle", HostileArchiveTest::cycle),
        hostile(
            "an ID that is not 64 hex",
            "is not 64 lowercase hex digits",
            () -> {
              TarBuilder t = tar();
              file(t, "abc/json", utf8("{\"id\":\"abc\"}"));
              return file(t, "abc/layer.tar", BASE).bytes();
            }),
        hostile(
            "a parent ID that is not 64 hex",
            "is not 64 lowercase hex digits",
            () -> {
              TarBuilder t = tar();
              file(t, PARENT + "/json", utf8("{\"id\":\"" + PARENT + "\",\"parent\":\"../x\"}"));
              return file(t, PARENT + "/layer.tar", BASE).bytes();
            }),
        hostile(
            "an id that is not its directory",
            "not its directory's",
            () -> {
              TarBuilder t = tar();
              file(t, PARENT + "/json", legacyJson(CHILD, null, "x"));
              return file(t, PARENT + "/layer.tar", BASE).bytes();
            }),
        hostile(
            "a parent missing from archive and store",
            "neither in the archive nor stored",
            () -> legacyNode(tar(), CHILD, PARENT, MID).bytes()),
        hostile(
            "diff_ids that disagree with layers registered while streaming",
            "not the expected",
            () -> {
              String cfg = config(List.of(Digest.sha256(BASE), Digest.sha256(EXTRA)));
              return streamedFirst(cfg, layers(PARENT, CHILD)).bytes();
            }),
        hostile(
            "a blob layout whose diff_ids disagree with a layer",
            "not the expected",
            () -> {
              // The second layer is EXTRA; the config claims MID.
              byte[] config = utf8(config(List.of(Digest.sha256(BASE), Digest.sha256(MID))));
              String cfg = Digest.sha256(config).hex();
              String base = Digest.sha256(BASE).hex();
              String extra = Digest.sha256(EXTRA).hex();
              TarBuilder t = tar();
              file(
                  t,
                  "manifest.json",
                  utf8(
                      ("[{\"Config\":\"blobs/sha256/%s\",\"RepoTags\":[\"victim:1\"],"
                              + "\"Layers\":[\"blobs/sha256/%s\",\"blobs/sha256/%s\"]}]")
                          .formatted(cfg, base, extra)));
              file(t, "blobs/sha256/" + cfg, config);
              file(t, "blobs/sha256/" + base, BASE);
              return file(t, "blobs/sha256/" + extra, EXTRA).bytes();
            }),
        hostile(
            "fewer diff_ids than layers",
            "DiffIDs",
            () -> streamedFirst(config(DIFF_IDS.subList(0, 1)), layers(PARENT, CHILD)).bytes()),
        hostile(
            "a manifest whose legacy IDs kept skip a parent",
            "but the layer below it is",
            () ->
                streamedFirst(
                        config(DIFF_IDS.subList(1, 2)),
                        layers(CHILD),
                        ",\"" + LoadPlan.LEGACY_IDS + "\":true")
                    .bytes()),
        hostile(
            "a config missing from the archive",
            "is not in the archive",
            () ->
                file(
                        legacyNode(tar(), PARENT, null, BASE),
                        "manifest.json",
                        utf8("[{\"Config\":\"nope.json\",\"Layers\":[" + layers(PARENT) + "]}]"))
                    .bytes()),
        hostile(
            "a layer missing from the archive",
            "is not in the archive",
            () -> {
              String cfg = config(List.of(Digest.sha256(BASE)));
              String hex = Digest.sha256(utf8(cfg)).hex();
              return file(
                      file(tar(), hex + ".json", utf8(cfg)),
                      "manifest.json",
                      utf8("[{\"Config\":\"%s.json\",\"Layers\":[\"gone.tar\"]}]".formatted(hex)))
                  .bytes();
            }),
        hostile(
            "manifest.json twice",
            "appears twice",
            () ->
                file(file(tar(), "manifest.json", utf8("[]")), "manifest.json", utf8("[]"))
                    .bytes()),
        hostile(
            "a truncated archive",
            "unexpected end of stream",
            () -> {
              byte[] full =
                  streamedFirst(config(DIFF_IDS.subList(0, 2)), layers(PARENT, CHILD)).bytes();
              return Arrays.copyOf(full, full.length - 1536 - 200);
            }),
        hostile(
            "an archive cut at an entry boundary",
            "without its end-of-archive marker",
            () -> {
              byte[] full =
                  streamedFirst(config(DIFF_IDS.subList(0, 2)), layers(PARENT, CHILD)).bytes();
              return Arrays.copyOf(full, full.length - 1024);
            }),
        hostile(
            "an oversized manifest.json",
            "more than the limit",
            () ->
                tar()
                    .add(
                        dev.cairn.tar.TarEntry.regular("manifest.json", Loader.MAX_MANIFEST + 1),
                        new byte[Loader.MAX_MANIFEST + 1])
                    .bytes()),
        hostile(
            "a RepoTag that is not a reference",
            "RepoTag",
            () -> {
              String cfg = config(DIFF_IDS.subList(0, 1));
              String hex = Digest.sha256(utf8(cfg)).hex();
              return file(
                      legacyNode(file(tar(), hex + ".json", utf8(cfg)), PARENT, null, BASE),
                      "manifest.json",
                      utf8(
                          "[{\"Config\":\"%s.json\",\"RepoTags\":[\"UPPER:x\"],\"Layers\":[%s]}]"
                              .formatted(hex, layers(PARENT))))
                  .bytes();
            }),
        hostile("an empty archive", "holds no images", () -> tar().bytes()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusedWithTheStoreUnchanged(String name, String message, Supplier<byte[]> archive)
      throws IOException {
    byte[] bytes = archive.get();
    try (Stores s = new Stores(dir)) {
      String kept = s.pulled(List.of(EXTRA), "keep:1").digest().hex();
      s.tags.tag(Reference.parse("victim:1"), kept, false);
      Stores.Snapshot before = s.snapshot();
      byte[] input = bytes;
      assertThatThrownBy(() -> s.load(input))
          .isInstanceOf(CairnException.class)
          .hasMessageContaining(message)
          .extracting(t -> ((CairnException) t).kind())
          .isEqualTo(CairnException.Kind.INVALID);
      assertThat(s.snapshot()).isEqualTo(before);
    }
  }

  /** A manifest whose only layer is a link that leads back to itself through a second link. */
  private static byte[] cycle() {
    String cfg = config(List.of(Digest.sha256(BASE)));
    String hex = Digest.sha256(utf8(cfg)).hex();
    return file(
            file(tar(), hex + ".json", utf8(cfg))
                .symlink("a.tar", "b/c.tar")
                .symlink("b/c.tar", "../a.tar"),
            "manifest.json",
            utf8("[{\"Config\":\"%s.json\",\"Layers\":[\"a.tar\"]}]".formatted(hex)))
        .bytes();
  }
}
