package dev.cairn.image;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real registry's schema1 manifest: Docker Distribution (schema1 compatibility on) receives a
 * one-layer image from skopeo and serves it signed; cairn must verify the registry's signature and
 * compute the digest the registry announces.
 */
class Schema1RegistryTest {
  private static final String PRETTYJWS =
      "application/vnd.docker.distribution.manifest.v1+prettyjws";

  @Test
  void verifiesARegistrySignedManifestAndItsDigest(@TempDir Path dir) throws Exception {
    Path registry = Tools.require("docker-registry", "docker-registry");
    Path skopeo = Tools.require("skopeo", "skopeo");
    Path layout = ociLayout(dir.resolve("oci"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "version: 0.1",
            "log:",
            "  level: warn",
            "storage:",
            "  filesystem:",
            "    rootdirectory: " + dir.resolve("store"),
            "http:",
            "  addr: 127.0.0.1:" + port,
            "compatibility:",
            "  schema1:",
            "    enabled: true",
            ""));
    Path log = dir.resolve("registry.log");
    Process server =
        new ProcessBuilder(registry.toString(), "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port + "/v2/";
      awaitUp(http, base, server, log);
      run(
          skopeo.toString(),
          "--insecure-policy",
          "copy",
          "--quiet",
          "--format",
          "v2s1",
          "--dest-tls-verify=false",
          "oci:" + layout + ":t1",
          "docker://127.0.0.1:" + port + "/test/schema1:t1");

      HttpResponse<byte[]> byTag = get(http, base + "test/schema1/manifests/t1");
      assertThat(byTag.statusCode()).as("manifest by tag").isEqualTo(200);
      Digest announced =
          Digest.parse(byTag.headers().firstValue("Docker-Content-Digest").orElseThrow());

      Schema1Manifest m = Schema1Manifest.parse(byTag.body());

      assertThat(m.signatures()).as("the registry's one libtrust signature").hasSize(1);
      assertThat(m.digest()).isEqualTo(announced);
      assertThat(m.name()).isEqualTo("test/schema1");
      assertThat(m.tag()).isEqualTo("t1");
      assertThat(m.images()).hasSize(1);
      // The strong ID as the Go reference implementation computes it from the same bytes.
      GoOracle.Run go = GoOracle.run(byTag.body(), "chain");
      assertThat(go.exit()).as(go.err()).isZero();
      assertThat(m.strongIds())
          .extracting(Digest::hex)
          .containsExactly(go.out().lines().findFirst().orElseThrow().split(" ")[0]);

      // Pulled by digest, the answer must hash to the digest asked for.
      HttpResponse<byte[]> byDigest = get(http, base + "test/schema1/manifests/" + announced);
      assertThat(byDigest.statusCode()).as("manifest by digest").isEqualTo(200);
      assertThat(Schema1Manifest.parse(byDigest.body(), announced).payload())
          .isEqualTo(m.payload());
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static HttpResponse<byte[]> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).header("Accept", PRETTYJWS).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Polls the registry's base endpoint until it answers; the bound only guards a broken start. */
  private static void awaitUp(HttpClient http, String base, Process server, Path log)
      throws Exception {
    for (int i = 0; i < 300; i++) {
      if (!server.isAlive()) {
        throw new IOException("docker-registry exited:\n" + Files.readString(log));
      }
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (ConnectException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IOException("docker-registry did not start:\n" + Files.readString(log));
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + out);
    }
  }

  /** An OCI image layout holding one image (tag t1) with one gzipped layer of one file. */
  private static Path ociLayout(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("blobs/sha256"));
    byte[] tar = tarOfOneFile("hello.txt", "hello\n".getBytes(UTF_8));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar);
    }
    Digest layer = blob(dir, gz.toByteArray());
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2020-01-01T00:00:00Z\","
                + "\"config\":{\"Cmd\":[\"/hello\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + Digest.sha256(tar)
                + "\"]},\"history\":[{\"created\":\"2020-01-01T00:00:00Z\",\"created_by\":\"test\"}]}")
            .getBytes(UTF_8);
    Digest configDigest = blob(dir, config);
    byte[] manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + configDigest
                + "\",\"size\":"
                + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
                + layer
                + "\",\"size\":"
                + gz.size()
                + "}]}")
            .getBytes(UTF_8);
    Digest manifestDigest = blob(dir, manifest);
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(
        dir.resolve("index.json"),
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
            + manifestDigest
            + "\",\"size\":"
            + manifest.length
            + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"t1\"}}]}");
    return dir;
  }

  private static Digest blob(Path layout, byte[] data) throws IOException {
    Digest d = Digest.sha256(data);
    Files.write(layout.resolve("blobs/sha256/" + d.hex()), data);
    return d;
  }

  /** A ustar archive of one regular file, then the two zero blocks that end it. */
  private static byte[] tarOfOneFile(String name, byte[] content) {
    byte[] header = new byte[512];
    put(header, 0, name);
    put(header, 100, "0000644");
    put(header, 108, "0000000");
    put(header, 116, "0000000");
    put(header, 124, String.format("%011o", content.length));
    put(header, 136, "00000000000");
    Arrays.fill(header, 148, 156, (byte) ' ');
    header[156] = '0';
    put(header, 257, "ustar");
    put(header, 263, "00");
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
    int padded = (content.length + 511) / 512 * 512;
    byte[] tar = new byte[512 + padded + 1024];
    System.arraycopy(header, 0, tar, 0, 512);
    System.arraycopy(content, 0, tar, 512, content.length);
    return tar;
  }

  private static void put(byte[] header, int offset, String text) {
    byte[] b = text.getBytes(UTF_8);
    System.arraycopy(b, 0, header, offset, b.length);
  }
}
