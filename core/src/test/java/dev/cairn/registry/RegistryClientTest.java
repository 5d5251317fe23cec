package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against the real distribution registry, with images pushed by skopeo. */
class RegistryClientTest {
  @TempDir static Path temp;
  static RegistryServer server;
  static Registry registry;
  static OciLayouts.Image amd64;
  static OciLayouts.Image arm64;
  static OciLayouts.Blob index;

  @BeforeAll
  static void pushImages() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    amd64 =
        layout.image(
            "amd64", List.of(Map.of("etc/base", "base layer\n"), Map.of("app/run", "echo hi\n")));
    arm64 = layout.image("arm64", List.of(Map.of("etc/base", "arm base\n")));
    index = layout.index(List.of(amd64, arm64), List.of("amd64", "arm64"));
    layout.tag("1", amd64.manifest());
    layout.tag("multi", index);
    Tools.push(layout.dir(), "1", server.host(), "test/oci");
    Tools.push(layout.dir(), "1", server.host(), "test/v2s2", "--format", "v2s2");
    Tools.push(layout.dir(), "1", server.host(), "test/v2s1", "--format", "v2s1");
    Tools.push(layout.dir(), "multi", server.host(), "test/multi", "--multi-arch", "all");
    registry = Registry.open(server.host(), RegistryOptions.defaults());
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void pingAnswersAnonymouslyWithTheRegistryApiVersion() throws Exception {
    int before = pings(server.requestsUntil(all -> true)).size();
    assertThat(registry.ping()).isEqualTo("registry/2.0");
    // One GET /v2/, answered 200: an open registry sends no challenge.
    List<RegistryServer.Request> after =
        pings(server.requestsUntil(all -> pings(all).size() > before));
    assertThat(after.subList(before, after.size()))
        .containsExactly(new RegistryServer.Request("GET", "/v2/", 200));
  }

  static List<RegistryServer.Request> pings(List<RegistryServer.Request> all) {
    return all.stream().filter(r -> r.target().equals("/v2/")).toList();
  }

  @Test
  void ociManifestByTagIsTheBytesPushed() throws IOException {
    FetchedManifest m = registry.manifest("test/oci", "1");
    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(m.bytes()).isEqualTo(amd64.manifest().bytes());
    assertThat(m.digest()).isEqualTo(amd64.manifest().digest());
  }

  @Test
  void manifestByDigestIsVerified() throws IOException {
    FetchedManifest m = registry.manifest("test/oci", amd64.manifest().digest().toString());
    assertThat(m.digest()).isEqualTo(amd64.manifest().digest());
  }

  @Test
  void schema2ManifestIsServedAsSchema2NotConverted() throws IOException {
    FetchedManifest m = registry.manifest("test/v2s2", "1");
    assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(m.digest()).isEqualTo(Digest.sha256(m.bytes()));
    assertThat(registry.manifest("test/v2s2", m.digest().toString()).bytes()).isEqualTo(m.bytes());
  }

  @Test
  void schema1DigestIsOverTheJwsPayload() throws Exception {
    FetchedManifest m = registry.manifest("test/v2s1", "1");
    assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_SCHEMA1_SIGNED);
    // The signed body is not what the digest covers: the registry's own digest of it is.
    assertThat(m.digest()).isNotEqualTo(Digest.sha256(m.bytes())).isEqualTo(announced(m));
    FetchedManifest again = registry.manifest("test/v2s1", m.digest().toString());
    assertThat(again.digest()).isEqualTo(m.digest());
  }

  /** The digest the registry announces for the manifest {@code m} was fetched as. */
  private static Digest announced(FetchedManifest m) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://" + server.host() + "/v2/test/v2s1/manifests/1"))
                  .header("Accept", m.mediaType())
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(r.statusCode()).isEqualTo(200);
      return Digest.parse(r.headers().firstValue("Docker-Content-Digest").orElseThrow());
    }
  }

  @Test
  void indexAndEachPlatformManifest() throws IOException {
    FetchedManifest m = registry.manifest("test/multi", "multi");
    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(m.bytes()).isEqualTo(index.bytes());
    for (OciLayouts.Image image : List.of(amd64, arm64)) {
      FetchedManifest child = registry.manifest("test/multi", image.manifest().digest().toString());
      assertThat(child.bytes()).isEqualTo(image.manifest().bytes());
    }
  }

  @Test
  void blobsAreStreamedAndVerified() throws IOException {
    List<OciLayouts.Blob> blobs = new ArrayList<>(amd64.layers());
    blobs.add(amd64.config());
    for (OciLayouts.Blob b : blobs) {
      try (InputStream in = registry.blob("test/oci", b.digest(), b.size())) {
        assertThat(in.readAllBytes()).isEqualTo(b.bytes());
      }
    }
  }

  @Test
  void blobOfTheWrongSizeFailsAtTheEnd() throws IOException {
    OciLayouts.Blob b = amd64.config();
    try (InputStream in = registry.blob("test/oci", b.digest(), b.size() + 1)) {
      // the missing byte never comes, however often it is asked for
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
          .hasMessageContaining("fetching blob " + b.digest() + " of test/oci")
          .hasMessageContaining("connection closed");
    }
    try (InputStream in = registry.blob("test/oci", b.digest(), b.size() - 1)) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
          .hasMessageContaining("fetching blob " + b.digest() + " of test/oci")
          .hasMessageContaining("more than the expected");
    }
  }

  @Test
  void unknownManifestTellsTheRegistryError() {
    assertThatThrownBy(() -> registry.manifest("test/oci", "nope"))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND))
        .hasMessage(
            "fetching manifest nope of test/oci from "
                + server.host()
                + ": MANIFEST_UNKNOWN: manifest unknown");
  }

  @Test
  void unknownRepositoryAndBlob() {
    assertThatThrownBy(() -> registry.tags("test/absent"))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND))
        .hasMessageContaining("listing tags of test/absent from " + server.host())
        .hasMessageContaining("NAME_UNKNOWN: repository name not known to registry");
    Digest missing = Digest.sha256(new byte[] {1});
    assertThatThrownBy(() -> registry.blob("test/oci", missing, 1))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND))
        .hasMessageContaining("fetching blob " + missing + " of test/oci")
        .hasMessageContaining("BLOB_UNKNOWN");
  }

  @Test
  void tagsArePaginatedThroughLinkHeaders() throws Exception {
    OciLayouts layout = new OciLayouts(temp.resolve("tags-layout"));
    OciLayouts.Image img = layout.image("amd64", List.of(Map.of("f", "x")));
    List<String> tags = List.of("a", "b", "c", "d", "e");
    for (String t : tags) {
      layout.tag(t, img.manifest());
    }
    for (String t : tags) {
      Tools.push(layout.dir(), t, server.host(), "test/tags");
    }
    // five tags in pages of two: only complete when the Link header is followed
    assertThat(registry.tags("test/tags", 2)).containsExactlyInAnyOrderElementsOf(tags);
    assertThat(registry.tags("test/tags")).containsExactlyInAnyOrderElementsOf(tags);
  }

  @Test
  void badNamesAreRefusedBeforeAnyRequest() {
    assertThatThrownBy(() -> registry.manifest("../x", "1")).hasMessageContaining("repository");
    assertThatThrownBy(() -> registry.manifest("test/oci", "a/b")).hasMessageContaining("tag");
  }
}
