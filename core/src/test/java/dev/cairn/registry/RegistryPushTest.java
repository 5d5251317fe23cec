package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blob and manifest upload against the real distribution registry. */
class RegistryPushTest {
  @TempDir static Path temp;
  static RegistryServer server;
  static Registry registry;

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
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

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A source that does not know its digest, so the upload computes it. */
  static BlobSource unknownDigest(byte[] b) {
    return () -> new java.io.ByteArrayInputStream(b);
  }

  @Test
  void anUploadedBlobIsFoundByHeadWithItsSizeAndReadsBack() throws IOException {
    byte[] b = bytes("a blob pushed by cairn\n");
    AtomicLong sent = new AtomicLong();
    UploadedBlob up =
        registry.uploadBlob(
            "push/a",
            unknownDigest(b),
            new UploadListener() {
              @Override
              public void sent(long n) {
                sent.addAndGet(n);
              }
            });

    assertThat(up).isEqualTo(new UploadedBlob(Digest.sha256(b), b.length));
    assertThat(sent.get()).isEqualTo(b.length);
    assertThat(registry.blobSize("push/a", up.digest())).isEqualTo(OptionalLong.of(b.length));
    try (InputStream in = registry.blob("push/a", up.digest(), b.length)) {
      assertThat(in.readAllBytes()).isEqualTo(b);
    }
  }

  @Test
  void headOfABlobTheRepositoryLacksIsEmpty() throws IOException {
    assertThat(registry.blobSize("push/none", Digest.sha256(bytes("never sent")))).isEmpty();
  }

  @Test
  void aSourceWhoseBytesDoNotMatchItsDigestIsRefused() {
    BlobSource lying =
        new BlobSource() {
          @Override
          public InputStream open() {
            return new java.io.ByteArrayInputStream(bytes("these bytes"));
          }

          @Override
          public java.util.Optional<Digest> digest() {
            return java.util.Optional.of(Digest.sha256(bytes("other bytes")));
          }
        };
    assertThatThrownBy(() -> registry.uploadBlob("push/lie", lying, UploadListener.NONE))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("not " + Digest.sha256(bytes("other bytes")));
  }

  @Test
  void aBlobHeldByAnotherRepositoryIsMountedWithoutUpload() throws IOException {
    byte[] b = bytes("shared between repositories\n");
    Digest d = registry.uploadBlob("push/src", BlobSource.of(b), UploadListener.NONE).digest();
    assertThat(registry.blobSize("push/dst", d)).isEmpty();

    assertThat(registry.mountBlob("push/dst", d, "push/src")).isTrue();

    assertThat(registry.blobSize("push/dst", d)).isEqualTo(OptionalLong.of(b.length));
  }

  @Test
  void aMountTheSourceCannotServeIsCancelledAndReportedFalse() throws IOException {
    Digest absent = Digest.sha256(bytes("nowhere"));
    assertThat(registry.mountBlob("push/dst2", absent, "push/src")).isFalse();
    assertThat(registry.blobSize("push/dst2", absent)).isEmpty();
  }

  @Test
  void aManifestIsPutOnceItsBlobsAreInAndItsDigestChecked() throws IOException {
    byte[] config =
        bytes(
            "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
    Digest c = registry.uploadBlob("push/m", BlobSource.of(config), UploadListener.NONE).digest();
    byte[] manifest =
        bytes(
            "{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.DOCKER_MANIFEST
                + "\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":"
                + config.length
                + ",\"digest\":\""
                + c
                + "\"},\"layers\":[]}");

    Digest d = registry.putManifest("push/m", "1", MediaTypes.DOCKER_MANIFEST, manifest);

    assertThat(d).isEqualTo(Digest.sha256(manifest));
    assertThat(registry.manifest("push/m", "1").digest()).isEqualTo(d);
  }

  @Test
  void aManifestNamingAMissingBlobIsRefusedInOneLine() {
    Digest missing = Digest.sha256(bytes("not uploaded"));
    byte[] manifest =
        bytes(
            "{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.DOCKER_MANIFEST
                + "\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":3,\"digest\":\""
                + missing
                + "\"},\"layers\":[]}");
    assertThatThrownBy(
            () -> registry.putManifest("push/m2", "1", MediaTypes.DOCKER_MANIFEST, manifest))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("putting manifest 1 of push/m2")
        .hasMessageContaining("blob unknown")
        .hasMessageNotContaining("\n");
  }
}
