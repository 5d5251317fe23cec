package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rules of the OCI image spec and Docker's manifest formats at their edges: size limits,
 * descriptors (OCI image-spec, descriptor.md), annotations, index entries a platform pull passes
 * over, and which media type is which kind of document.
 */
class ManifestRulesTest {
  private static final String A = "sha256:" + "a".repeat(64);
  private static final String B = "sha256:" + "b".repeat(64);

  private static byte[] b(String s) {
    return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static String manifest(String layer) {
    return "{'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json',"
        + "'digest':'"
        + A
        + "','size':2},'layers':["
        + layer
        + "]}";
  }

  private static String layer(String extra) {
    return "{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'"
        + B
        + "','size':3"
        + extra
        + "}";
  }

  /** {@code json} padded with spaces after its value to exactly {@code size} bytes. */
  private static byte[] padded(String json, int size) {
    byte[] out = new byte[size];
    Arrays.fill(out, (byte) ' ');
    byte[] doc = b(json);
    System.arraycopy(doc, 0, out, 0, doc.length);
    return out;
  }

  @Test
  void documentsOfExactlyTheLimitAreRead() {
    byte[] m = padded(manifest(layer("")), ImageManifest.MAX_BYTES);
    assertThat(ImageManifest.parse(m, null).bytes()).isEqualTo(m);
    byte[] i =
        padded("{'schemaVersion':2,'manifests':[" + layer("") + "]}", ImageManifest.MAX_BYTES);
    assertThat(ImageIndex.parse(i, null).digest()).isEqualTo(Digest.sha256(i));
    byte[] c =
        padded("{'rootfs':{'type':'layers','diff_ids':['" + A + "']}}", ImageConfigFile.MAX_BYTES);
    assertThat(ImageConfigFile.parse(c).bytes()).isEqualTo(c);
  }

  @Test
  void documentsPastTheLimitAreRefused() {
    byte[] i = padded("{'schemaVersion':2,'manifests':[]}", ImageManifest.MAX_BYTES + 1);
    assertThatThrownBy(() -> ImageIndex.parse(i, null))
        .hasMessage("index is 4194305 bytes, more than the limit of 4194304");
    byte[] c = padded("{'rootfs':{'type':'layers','diff_ids':[]}}", ImageConfigFile.MAX_BYTES + 1);
    assertThatThrownBy(() -> ImageConfigFile.parse(c))
        .hasMessage("image config is 8388609 bytes, more than the limit of 8388608");
  }

  @Test
  void theBytesGivenOutAreACopy() {
    byte[] raw = b(manifest(layer("")));
    ImageManifest m = ImageManifest.parse(raw, null);
    m.bytes()[0] = 'x';
    assertThat(m.bytes()).isEqualTo(raw);
    assertThat(m.digest()).isEqualTo(Digest.sha256(raw));
    byte[] index = b("{'schemaVersion':2,'manifests':[]}");
    ImageIndex i = ImageIndex.parse(index, null);
    i.bytes()[0] = 'x';
    assertThat(i.bytes()).isEqualTo(index);
    byte[] config = b("{'rootfs':{'type':'layers'}}");
    ImageConfigFile c = ImageConfigFile.parse(config);
    c.bytes()[0] = 'x';
    assertThat(c.bytes()).isEqualTo(config);
  }

  @Test
  void aBlobOfSizeZeroIsDescribed() {
    ImageManifest m = ImageManifest.parse(b(manifest(layer("").replace("3", "0"))), null);
    assertThat(m.layers().getFirst().size()).isZero();
  }

  @Test
  void annotationsAreAStringMapWhoseLastDuplicateWins() {
    ImageManifest m =
        ImageManifest.parse(b(manifest(layer(",'annotations':{'k':'1','a':'2','k':'3'}"))), null);
    assertThat(m.layers().getFirst().annotations())
        .containsOnly(java.util.Map.entry("k", "3"), java.util.Map.entry("a", "2"));
    assertThat(ImageManifest.parse(b(manifest(layer(""))), null).layers().getFirst().annotations())
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "annotations that are a list | ,'annotations':[] "
            + "| manifest layer 0: annotations must be an object, not array",
        "an annotation that is a number | ,'annotations':{'k':1} "
            + "| manifest layer 0: annotations.k must be a string, not number",
        "urls that are a string | ,'urls':'u' | manifest layer 0: urls must be an array, not string"
      })
  void descriptorFieldsOfTheWrongTypeAreRefused(String name, String extra, String message) {
    assertThatThrownBy(() -> ImageManifest.parse(b(manifest(layer(extra))), null))
        .isInstanceOf(CairnException.class)
        .hasMessage(message);
  }

  private static String entry(String type, char digit, String platform) {
    return "{'mediaType':'"
        + type
        + "','digest':'sha256:"
        + String.valueOf(digit).repeat(64)
        + "','size':1"
        + (platform == null ? "" : ",'platform':" + platform)
        + "}";
  }

  @Test
  void aPlatformPullPassesOverEntriesWithoutPlatformOrNotAnImage() {
    ImageIndex i =
        ImageIndex.parse(
            b(
                "{'schemaVersion':2,'manifests':["
                    + entry(MediaType.OCI_MANIFEST, '1', null)
                    + ","
                    + entry(
                        MediaType.DOCKER_SCHEMA1_SIGNED,
                        '2',
                        "{'os':'linux','architecture':'s390x'}")
                    + ","
                    + entry(MediaType.OCI_MANIFEST, '3', "{'os':'linux','architecture':'arm64'}")
                    + "]}"),
            null);
    assertThatThrownBy(() -> i.select(Platform.parse("linux/s390x")))
        .isInstanceOf(CairnException.class)
        .hasMessage(
            "no image for platform linux/s390x in the index (it has linux/s390x, linux/arm64)");
    assertThat(i.select(Platform.parse("linux/arm64")).digest().hex()).isEqualTo("3".repeat(64));
  }

  @Test
  void anIndexWithoutPlatformsSaysNothingOfThem() {
    ImageIndex i =
        ImageIndex.parse(
            b("{'schemaVersion':2,'manifests':[" + entry(MediaType.OCI_MANIFEST, '1', null) + "]}"),
            null);
    assertThatThrownBy(() -> i.select(Platform.parse("linux/amd64")))
        .hasMessage("no image for platform linux/amd64 in the index");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "application/vnd.oci.image.index.v1+json, index",
    "application/vnd.docker.distribution.manifest.list.v2+json, index",
    "application/vnd.oci.image.manifest.v1+json, manifest",
    "application/vnd.docker.distribution.manifest.v2+json, manifest",
    "application/vnd.docker.distribution.manifest.v1+prettyjws, schema1",
    "application/vnd.docker.distribution.manifest.v1+json, schema1",
    "application/vnd.oci.image.config.v1+json, config",
    "application/vnd.docker.container.image.v1+json, config",
    "application/vnd.oci.image.layer.v1.tar+gzip, none",
    "application/json, none"
  })
  void eachMediaTypeIsOneKindOfDocument(String type, String kind) {
    assertThat(MediaType.isIndex(type)).isEqualTo(kind.equals("index"));
    assertThat(MediaType.isImageManifest(type)).isEqualTo(kind.equals("manifest"));
    assertThat(MediaType.isSchema1(type)).isEqualTo(kind.equals("schema1"));
    assertThat(MediaType.isConfig(type)).isEqualTo(kind.equals("config"));
  }
}
