package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.CairnException;
import dev.cairn.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** The image documents a registry or an archive hands over: parsed and understood, or refused. */
class ImageFuzzTest {
  private static final String[] TYPES = {
    "",
    MediaType.DOCKER_MANIFEST,
    MediaType.OCI_MANIFEST,
    MediaType.DOCKER_LIST,
    MediaType.OCI_INDEX,
    MediaType.DOCKER_SCHEMA1_SIGNED,
    "application/json"
  };

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void aV1ImageDecodedFromAnyJsonEncodesToAFixedPoint(byte[] json) throws Exception {
    Fuzz.rejectsCleanly(
        () -> {
          byte[] once = V1Image.decode(json).encode();
          assertThat(V1Image.decode(once).encode()).isEqualTo(once);
        });
  }

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void anImageConfigIsParsedWithItsPlatformAndHistoryOrRefused(byte[] json) throws Exception {
    Fuzz.rejectsCleanly(
        () -> {
          ImageConfigFile c = ImageConfigFile.parse(json);
          assertThat(c.bytes()).isEqualTo(json);
          c.platform();
          for (int i = 0; i < c.diffIds().size(); i++) {
            c.layerCreated(i);
          }
        });
  }

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void aSchema1ManifestIsVerifiedAndItsImagesDerivedOrRefused(byte[] body) throws Exception {
    Fuzz.rejectsCleanly(
        () -> {
          Schema1Manifest m = Schema1Manifest.parse(body);
          assertThat(m.strongIds()).hasSameSizeAs(m.images());
        });
  }

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void aManifestOrIndexIsParsedOrRefused(FuzzedDataProvider data) throws Exception {
    String type = data.pickValue(TYPES);
    boolean index = data.consumeBoolean();
    byte[] body = data.consumeRemainingAsBytes();
    Fuzz.rejectsCleanly(
        Set.of(CairnException.Kind.INVALID, CairnException.Kind.NOT_FOUND),
        () -> {
          if (index) {
            ImageIndex i = ImageIndex.parse(body, type);
            assertThat(i.bytes()).isEqualTo(body);
            i.select(new Platform("linux", "amd64", null));
          } else {
            ImageManifest m = ImageManifest.parse(body, type);
            assertThat(m.bytes()).isEqualTo(body);
          }
        });
  }

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void aReferenceParsesBackFromEachOfItsForms(byte[] utf8) throws Exception {
    String text = new String(utf8, StandardCharsets.UTF_8);
    Fuzz.rejectsCleanly(
        () -> {
          Reference r = Reference.parse(text);
          assertThat(Reference.parse(r.toString())).isEqualTo(r);
          Reference familiar = Reference.parse(r.familiar());
          if (!familiar.equals(r)) {
            // As docker prints it: a Docker Hub repository whose first component looks like a
            // host has a short form that names that host.
            assertThat(r.domain()).isEqualTo(Reference.DEFAULT_DOMAIN);
            assertThat(r.path().split("/")[0]).matches(".*[.:].*|localhost");
          }
        });
  }
}
