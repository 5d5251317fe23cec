package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A fetched manifest is a value: equal by its bytes, media type and digest, never by identity. */
class FetchedManifestTest {
  static final String OCI = MediaTypes.OCI_MANIFEST;
  static final byte[] BYTES = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  static final Digest DIGEST = Digest.sha256(BYTES);

  @Test
  void twoFetchesOfTheSameBytesAreEqualAndHashAlike() {
    var a = new FetchedManifest(BYTES, OCI, DIGEST);
    var b = new FetchedManifest(BYTES.clone(), OCI, DIGEST);
    assertThat(a).isEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(b.hashCode()).isEqualTo(DIGEST.hashCode());
  }

  @Test
  void manifestsDifferingInAnyPartAreNotEqual() {
    var a = new FetchedManifest(BYTES, OCI, DIGEST);
    byte[] other = "{\"schemaVersion\":1}".getBytes(StandardCharsets.UTF_8);
    assertThat(a).isNotEqualTo(new FetchedManifest(other, OCI, DIGEST));
    assertThat(a).isNotEqualTo(new FetchedManifest(BYTES, MediaTypes.DOCKER_MANIFEST, DIGEST));
    assertThat(a).isNotEqualTo(new FetchedManifest(BYTES, OCI, Digest.sha256(other)));
    assertThat(a).isNotEqualTo(BYTES);
  }

  @Test
  void itsTextNamesTheMediaTypeTheDigestAndTheSizeButNotTheBytes() {
    assertThat(new FetchedManifest(BYTES, OCI, DIGEST))
        .hasToString("FetchedManifest[" + OCI + ", " + DIGEST + ", 19 bytes]");
  }
}
