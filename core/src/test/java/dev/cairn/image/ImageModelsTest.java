package dev.cairn.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageModelsTest {
  private static final String A = "sha256:" + "a".repeat(64);
  private static final String B = "sha256:" + "b".repeat(64);

  private static byte[] b(String s) {
    return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static String manifest(String mediaTypeMember, String extra) {
    return "{'schemaVersion':2,"
        + mediaTypeMember
        + "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'"
        + A
        + "','size':12},'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'"
        + B
        + "','size':34}]"
        + extra
        + "}";
  }

  @Test
  void manifestKeepsBytesAndDescriptors() {
    byte[] raw = b(manifest("'mediaType':'application/vnd.oci.image.manifest.v1+json',", ""));
    ImageManifest m = ImageManifest.parse(raw, MediaType.OCI_MANIFEST);
    assertEquals(MediaType.OCI_MANIFEST, m.mediaType());
    assertEquals(Digest.parse(A), m.config().digest());
    assertEquals(12, m.config().size());
    assertEquals(List.of(Digest.parse(B)), m.layers().stream().map(Descriptor::digest).toList());
    assertEquals(Digest.sha256(raw), m.digest());
  }

  @Test
  void ociManifestWithoutMediaTypeIsInferred() {
    assertEquals(
        MediaType.OCI_MANIFEST, ImageManifest.parse(b(manifest("", "")), null).mediaType());
  }

  static Stream<Arguments> badManifests() {
    return Stream.of(
        Arguments.of(
            "declared type disagrees with the one inside",
            manifest("'mediaType':'application/vnd.docker.distribution.manifest.v2+json',", ""),
            MediaType.OCI_MANIFEST,
            "says its mediaType"),
        Arguments.of(
            "manifest that also lists manifests",
            manifest("", ",'manifests':[]"),
            MediaType.OCI_MANIFEST,
            "as an index"),
        Arguments.of(
            "schemaVersion 1",
            manifest("", "").replace("'schemaVersion':2", "'schemaVersion':1"),
            null,
            "schemaVersion 2"),
        Arguments.of(
            "an artifact's config",
            manifest("", "").replace("image.config.v1+json", "artifact.v1+json"),
            null,
            "not a container image"),
        Arguments.of(
            "an unknown layer type",
            manifest("", "").replace("layer.v1.tar+gzip", "layer.v1.tar+lz4"),
            null,
            "not a layer cairn can unpack"),
        Arguments.of(
            "a foreign layer",
            manifest("", "").replace("layer.v1.tar+gzip", "layer.nondistributable.v1.tar+gzip"),
            null,
            "foreign"),
        Arguments.of(
            "no layers",
            "{'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'"
                + A
                + "','size':1},'layers':[]}",
            null,
            "no layers"),
        Arguments.of(
            "a bad digest", manifest("", "").replace(B, "sha256:xyz"), null, "not a valid digest"),
        Arguments.of("a negative size", manifest("", "").replace("34", "-1"), null, "negative"),
        Arguments.of(
            "size of the wrong type", manifest("", "").replace("34", "'34'"), null, "number"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badManifests")
  void badManifestIsRefused(String name, String json, String declared, String message) {
    CairnException e =
        assertThrows(CairnException.class, () -> ImageManifest.parse(b(json), declared));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void oversizedManifestIsRefusedBeforeParsing() {
    byte[] big = new byte[ImageManifest.MAX_BYTES + 1];
    CairnException e = assertThrows(CairnException.class, () -> ImageManifest.parse(big, null));
    assertTrue(e.getMessage().contains("limit"), e.getMessage());
  }

  @Test
  void fieldNamesMatchCaseInsensitivelyAsInGo() {
    ImageManifest m =
        ImageManifest.parse(b(manifest("", "").replace("'layers'", "'Layers'")), null);
    assertEquals(1, m.layers().size());
  }

  private static String entry(String type, String digest, String platform) {
    return "{'mediaType':'"
        + type
        + "','digest':'"
        + digest
        + "','size':1,'platform':"
        + platform
        + "}";
  }

  private static ImageIndex index(String... entries) {
    return ImageIndex.parse(
        b("{'schemaVersion':2,'manifests':[" + String.join(",", entries) + "]}"), null);
  }

  private static String hex(char c) {
    return "sha256:" + String.valueOf(c).repeat(64);
  }

  @Test
  void indexSelectsThePlatform() {
    ImageIndex i =
        index(
            entry(
                MediaType.OCI_MANIFEST,
                hex('1'),
                "{'os':'linux','architecture':'arm64','variant':'v8'}"),
            entry(MediaType.OCI_MANIFEST, hex('2'), "{'os':'linux','architecture':'amd64'}"),
            entry(MediaType.OCI_MANIFEST, hex('3'), "{'os':'unknown','architecture':'unknown'}"));
    assertEquals(MediaType.OCI_INDEX, i.mediaType());
    assertEquals(hex('1'), i.select(Platform.parse("linux/arm64")).digest().toString());
    assertEquals(hex('1'), i.select(Platform.parse("linux/aarch64/v8")).digest().toString());
    assertEquals(hex('2'), i.select(Platform.parse("linux/amd64")).digest().toString());
    CairnException e =
        assertThrows(CairnException.class, () -> i.select(Platform.parse("linux/s390x")));
    assertEquals(CairnException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("linux/arm64, linux/amd64"), e.getMessage());
  }

  @Test
  void indexPrefersTheNewestVariantTheHostRuns() {
    ImageIndex i =
        index(
            entry(MediaType.OCI_MANIFEST, hex('1'), "{'os':'linux','architecture':'amd64'}"),
            entry(
                MediaType.OCI_MANIFEST,
                hex('2'),
                "{'os':'linux','architecture':'amd64','variant':'v3'}"),
            entry(
                MediaType.OCI_MANIFEST,
                hex('3'),
                "{'os':'linux','architecture':'arm','variant':'v6'}"),
            entry(MediaType.OCI_MANIFEST, hex('4'), "{'os':'linux','architecture':'arm'}"));
    assertEquals(hex('1'), i.select(Platform.parse("linux/amd64")).digest().toString());
    assertEquals(hex('2'), i.select(Platform.parse("linux/amd64/v3")).digest().toString());
    assertEquals(hex('2'), i.select(Platform.parse("linux/amd64/v4")).digest().toString());
    assertEquals(hex('4'), i.select(Platform.parse("linux/arm")).digest().toString());
    assertEquals(hex('4'), i.select(Platform.parse("linux/armhf")).digest().toString());
    assertEquals(hex('3'), i.select(Platform.parse("linux/arm/v6")).digest().toString());
  }

  @Test
  void indexRefusesImageFields() {
    CairnException e =
        assertThrows(
            CairnException.class,
            () ->
                ImageIndex.parse(
                    b("{'schemaVersion':2,'manifests':[],'layers':[]}"), MediaType.OCI_INDEX));
    assertTrue(e.getMessage().contains("as an image manifest"), e.getMessage());
    CairnException wrongType =
        assertThrows(
            CairnException.class,
            () -> ImageIndex.parse(b(manifest("", "")), MediaType.OCI_MANIFEST));
    assertTrue(wrongType.getMessage().contains("not an index"), wrongType.getMessage());
  }

  static Stream<Arguments> platforms() {
    return Stream.of(
        Arguments.of("linux/amd64", "linux/amd64"),
        Arguments.of("linux/x86_64", "linux/amd64"),
        Arguments.of("linux/amd64/v1", "linux/amd64"),
        Arguments.of("linux/arm64/v8", "linux/arm64"),
        Arguments.of("linux/aarch64", "linux/arm64"),
        Arguments.of("linux/arm", "linux/arm/v7"),
        Arguments.of("linux/arm/7", "linux/arm/v7"),
        Arguments.of("linux/armel", "linux/arm/v6"),
        Arguments.of("Linux/I386", "linux/386"));
  }

  @ParameterizedTest(name = "{0} is {1}")
  @MethodSource("platforms")
  void platformsNormalise(String text, String normal) {
    assertEquals(normal, Platform.parse(text).toString());
  }

  @Test
  void badPlatformsAreRefused() {
    for (String bad : List.of("linux", "linux/", "/amd64", "a/b/c/d", "linux/amd 64")) {
      assertThrows(CairnException.class, () -> Platform.parse(bad), bad);
    }
  }

  @Test
  void hostPlatformIsNormalised() {
    Platform host = Platform.host();
    assertFalse(host.architecture().equals("x86_64") || host.architecture().equals("aarch64"));
  }

  @Test
  void configGivesDiffIdsAndLayerTimes() {
    String json =
        "{'architecture':'amd64','os':'linux','created':'2024-05-06T07:08:09.5Z',"
            + "'rootfs':{'type':'layers','diff_ids':['"
            + A
            + "','"
            + B
            + "']},'history':[{'created':'2024-01-01T00:00:00Z','created_by':'ADD a'},"
            + "{'created':'2024-02-01T00:00:00Z','empty_layer':true},"
            + "{'created':'2024-03-01T00:00:00+02:00','created_by':'RUN b'}]}";
    ImageConfigFile c = ImageConfigFile.parse(b(json));
    assertEquals(List.of(Digest.parse(A), Digest.parse(B)), c.diffIds());
    assertEquals("linux/amd64", c.platform().toString());
    assertEquals("2024-01-01T00:00:00Z", c.layerCreated(0).format());
    assertEquals("2024-03-01T00:00:00+02:00", c.layerCreated(1).format());
    assertEquals("2024-05-06T07:08:09.5Z", c.layerCreated(2).format());
    assertEquals(Digest.sha256(b(json)), c.digest());
  }

  @Test
  void configWithoutLayersRootfsIsRefused() {
    assertThrows(CairnException.class, () -> ImageConfigFile.parse(b("{'os':'linux'}")));
    assertThrows(
        CairnException.class,
        () -> ImageConfigFile.parse(b("{'rootfs':{'type':'other','diff_ids':[]}}")));
    assertThrows(
        CairnException.class,
        () -> ImageConfigFile.parse(b("{'rootfs':{'type':'layers','diff_ids':['nope']}}")));
    assertThrows(
        CairnException.class,
        () -> ImageConfigFile.parse(b("{'created':'yesterday','rootfs':{'type':'layers'}}")));
  }

  @Test
  void chainIdsFollowTheSpecFormula() {
    // Vector computed with sha256sum over the strings, independently of this code.
    Digest a = Digest.sha256("a".getBytes(StandardCharsets.US_ASCII));
    Digest b = Digest.sha256("b".getBytes(StandardCharsets.US_ASCII));
    Digest c = Digest.sha256("c".getBytes(StandardCharsets.US_ASCII));
    List<Digest> chain = ChainId.of(List.of(a, b, c));
    assertEquals(a, chain.get(0));
    assertEquals(
        "sha256:51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676",
        chain.get(1).toString());
    assertEquals(
        "sha256:2fce7f8ce91bcf0a1428b36e1024639fdbd9469eea762dba98aa749631885106",
        chain.get(2).toString());
  }
}
