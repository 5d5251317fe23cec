package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Rules of the distribution API a client keeps without a server: which manifest kind a document is
 * (the OCI image spec and Docker's manifest formats: mediaType, schemaVersion and the fields that
 * tell kinds apart), which status is which failure, which URLs the HTTP client can be sent to, and
 * how often a request is tried.
 */
class RegistryRulesTest {
  private static final String OCI_CONFIG =
      "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','size':1,'digest':'sha256:"
          + "a".repeat(64)
          + "'}";

  private static byte[] b(String s) {
    return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "an OCI manifest without mediaType | {'schemaVersion':2,CONFIG,'layers':[]} "
            + "| application/octet-stream | application/vnd.oci.image.manifest.v1+json",
        "an OCI index without mediaType | {'schemaVersion':2,'manifests':[]} "
            + "| | application/vnd.oci.image.index.v1+json",
        "a Docker manifest says what it is | {'schemaVersion':2,"
            + "'mediaType':'application/vnd.docker.distribution.manifest.v2+json',CONFIG,'layers':[]} "
            + "| | application/vnd.docker.distribution.manifest.v2+json",
        "the declared type when both agree | {'schemaVersion':2,"
            + "'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[]} "
            + "| application/vnd.oci.image.index.v1+json | application/vnd.oci.image.index.v1+json"
      })
  void aManifestsKindComesFromItsTypeOrItsFields(
      String name, String json, String contentType, String type) {
    byte[] doc = b(json.replace("CONFIG", OCI_CONFIG));
    assertThat(ManifestVerifier.structural().verify(doc, contentType))
        .isEqualTo(new ManifestVerifier.Verified(type, Digest.sha256(doc)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "not an object | [] | | manifest is not a JSON object",
        "an unknown mediaType | {'schemaVersion':2,'mediaType':'text/plain'} "
            + "| | unknown manifest mediaType text/plain",
        "no kind at all | {'schemaVersion':2} | | document is no manifest kind cairn knows",
        "an index with layers | {'schemaVersion':2,'manifests':[],'layers':[]} | "
            + "| application/vnd.oci.image.index.v1+json document has config or layers,"
            + " as an image manifest",
        "an index with a config | {'schemaVersion':2,'manifests':[],CONFIG} | "
            + "| application/vnd.oci.image.index.v1+json document has config or layers,"
            + " as an image manifest",
        "an index whose manifests is no list | {'schemaVersion':2,'manifests':{}} | "
            + "| application/vnd.oci.image.index.v1+json document has no manifests list",
        "a manifest with manifests | {'schemaVersion':2,CONFIG,'layers':[],'manifests':[]} "
            + "| application/vnd.oci.image.manifest.v1+json "
            + "| application/vnd.oci.image.manifest.v1+json document has manifests, as an index",
        "a manifest whose layers is no list | {'schemaVersion':2,CONFIG,'layers':{}} | "
            + "| application/vnd.oci.image.manifest.v1+json document lacks a config object or a"
            + " layers list",
        "a manifest whose config is no object | {'schemaVersion':2,'config':[],'layers':[]} | "
            + "| application/vnd.oci.image.manifest.v1+json document lacks a config object or a"
            + " layers list",
        "schemaVersion 3 | {'schemaVersion':3,CONFIG,'layers':[]} | "
            + "| application/vnd.oci.image.manifest.v1+json manifest must have schemaVersion 2,"
            + " has 3",
        "no schemaVersion | {CONFIG,'layers':[]} | "
            + "| application/vnd.oci.image.manifest.v1+json manifest must have schemaVersion 2,"
            + " has null",
        "schema1 without fsLayers | {'schemaVersion':1} | "
            + "| application/vnd.docker.distribution.manifest.v1+json manifest has no fsLayers list",
        "signed schema1 without fsLayers | {'schemaVersion':1,'signatures':[]} | "
            + "| application/vnd.docker.distribution.manifest.v1+prettyjws manifest has no"
            + " fsLayers list",
        "a type inside that is not the one served | {'schemaVersion':2,"
            + "'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[]} "
            + "| application/vnd.oci.image.manifest.v1+json "
            + "| manifest served as application/vnd.oci.image.manifest.v1+json says its mediaType"
            + " is application/vnd.oci.image.index.v1+json"
      })
  void aManifestThatIsNotWhatItSaysIsRefused(
      String name, String json, String contentType, String message) {
    byte[] doc = b(json.replace("CONFIG", OCI_CONFIG));
    assertThatThrownBy(() -> ManifestVerifier.structural().verify(doc, contentType))
        .isInstanceOf(CairnException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "401, UNAUTHORIZED",
    "403, UNAUTHORIZED",
    "404, NOT_FOUND",
    "408, UNAVAILABLE",
    "429, UNAVAILABLE",
    "400, INVALID",
    "499, INVALID",
    "500, UNAVAILABLE",
    "503, UNAVAILABLE"
  })
  void aStatusIsOneKindOfFailure(int status, CairnException.Kind kind) {
    assertThat(RegistryErrors.kindOf(status)).isEqualTo(kind);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "code and message | {'errors':[{'code':'MANIFEST_UNKNOWN','message':'manifest unknown'}]} "
            + "| MANIFEST_UNKNOWN: manifest unknown",
        "a message alone | {'errors':[{'message':'no'},{'detail':{}}]} | ERROR: no",
        "two errors | {'errors':[{'code':'A'},{'code':'B','message':'b'}]} | A; B: b",
        "no errors | {'errors':[{}]} | HTTP 404 Not Found",
        "no JSON | <html> | HTTP 404 Not Found"
      })
  void anErrorBodyIsDescribedByItsErrors(String name, String body, String description) {
    assertThat(RegistryErrors.describe(404, b(body))).isEqualTo(description);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "ftp://h/x | not an http or https URL",
        "https:/x | the URL names no host",
        "https://under_score/x | neither an IPv4 address nor a host name whose last label starts"
            + " with a letter",
        "https://h:0/x | port 0 is out of range (1 to 65535)",
        "https://h:65536/x | port 65536 is out of range (1 to 65535)",
        "https://h:65535/x | ",
        "https://h:1/x | "
      })
  void onlyUrlsTheClientCanSendToPass(String uri, String problem) {
    assertThat(HttpTargets.problem(URI.create(uri))).isEqualTo(problem);
  }

  @Test
  void hostNamesKeepToDnsLimits() {
    String label63 = "a".repeat(63);
    String host253 = String.join(".", label63, label63, label63, "a".repeat(61));
    assertThat(host253).hasSize(253);
    assertThat(HttpTargets.problem(URI.create("https://" + host253 + "/"))).isNull();
    assertThat(HttpTargets.problem(URI.create("https://" + host253 + "a/")))
        .isEqualTo("host name is longer than 253 characters");
    assertThat(HttpTargets.problem(URI.create("https://" + label63 + "a.example/")))
        .isEqualTo("host name label is longer than 63 characters");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no attempt at all | 0 | 0 | 0 | 0 | maxAttempts must be at least 1, got 0",
        "a negative first wait | 1 | -1 | 0 | 0 | backoffs must satisfy 0 <= initial <= max",
        "a longest wait below the first | 1 | 2 | 1 | 0 | backoffs must satisfy 0 <= initial <= max",
        "a negative time limit | 1 | 0 | 0 | -1 | maxElapsed must not be negative"
      })
  void aPolicyThatCannotBeIsRefused(
      String name, int attempts, long initial, long max, long elapsed, String message) {
    assertThatThrownBy(
            () ->
                new RetryPolicy(
                    attempts,
                    Duration.ofMillis(initial),
                    Duration.ofMillis(max),
                    Duration.ofMillis(elapsed)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void theWaitDoublesUpToItsLimit() {
    RetryPolicy p = new RetryPolicy(1, Duration.ofMillis(5), Duration.ofMillis(5));
    assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(5));
    RetryPolicy d = RetryPolicy.defaults();
    assertThat(d.backoff(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(d.backoff(2)).isEqualTo(Duration.ofMillis(400));
    assertThat(d.backoff(6)).isEqualTo(Duration.ofSeconds(6).plusMillis(400));
    assertThat(d.backoff(7)).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.backoff(100)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void anotherAttemptBeginsOnlyWithinTheAttemptsAndTheTime() {
    RetryPolicy p = new RetryPolicy(3, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(10));
    long now = System.nanoTime();
    assertThat(p.allowsAnother(1, now, Duration.ZERO)).isTrue();
    assertThat(p.allowsAnother(2, now, Duration.ZERO)).isTrue();
    assertThat(p.allowsAnother(3, now, Duration.ZERO)).isFalse();
    assertThat(p.allowsAnother(1, now - Duration.ofMinutes(11).toNanos(), Duration.ZERO)).isFalse();
    assertThat(p.allowsAnother(1, now, Duration.ofMinutes(11))).isFalse();
    assertThat(RetryPolicy.none().allowsAnother(1, now, Duration.ZERO)).isFalse();
    assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "application/vnd.oci.image.manifest.v1+json, true",
    "application/vnd.docker.distribution.manifest.v2+json, true",
    "application/vnd.oci.image.index.v1+json, false",
    "application/vnd.docker.distribution.manifest.v1+json, false"
  })
  void anImageManifestIsOneOfTwoTypes(String type, boolean manifest) {
    assertThat(MediaTypes.isManifest(type)).isEqualTo(manifest);
  }
}
