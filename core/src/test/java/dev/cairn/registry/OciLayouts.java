package dev.cairn.registry;

import dev.cairn.digest.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tiny OCI image layouts (the {@code oci:} transport of skopeo) for tests: gzip'd tar
 * layers, a config with matching diff_ids and history, manifests, and an index.json naming each
 * image by tag. Everything it wrote is returned, so tests compare fetched bytes with the truth.
 */
public final class OciLayouts {
  /** A blob and its descriptor fields. */
  public record Blob(String mediaType, Digest digest, byte[] bytes) {
    public long size() {
      return bytes.length;
    }

    String descriptorJson(String extra) {
      return "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d%s}"
          .formatted(mediaType, digest, bytes.length, extra);
    }
  }

  /** One image: its manifest, config and layers, base first. */
  public record Image(Blob manifest, Blob config, List<Blob> layers) {}

  private final Path dir;
  private final Map<String, String> refs = new LinkedHashMap<>();

  public OciLayouts(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir.resolve("blobs/sha256"));
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
  }

  public Path dir() {
    return dir;
  }

  /** An image for {@code linux/arch} with one layer per map of files (name to content). */
  public Image image(String arch, List<Map<String, String>> layerFiles) throws IOException {
    return image(arch, layerFiles, Map.of());
  }

  /**
   * Like {@link #image(String, List)}, but the config claims the given DiffIDs (by layer index)
   * instead of the layers' own: an image whose layers do not match it.
   */
  public Image image(
      String arch, List<Map<String, String>> layerFiles, Map<Integer, Digest> claimed)
      throws IOException {
    return imageOfTars(arch, layerFiles.stream().map(OciLayouts::tar).toList(), claimed);
  }

  /** An image for {@code linux/arch} with the given layer tars, gzipped. */
  public Image imageOfTars(String arch, List<byte[]> tars) throws IOException {
    return imageOfTars(arch, tars, Map.of());
  }

  /**
   * An image whose build steps are {@code steps}, base first: a map of files is a step that made a
   * layer, a null one a step that made none ({@code empty_layer} in the config's history, as for an
   * ENV step), which a conversion to schema1 turns into the empty layer.
   */
  public Image imageWithEmptySteps(String arch, List<Map<String, String>> steps)
      throws IOException {
    List<byte[]> tars = new ArrayList<>();
    List<Boolean> empty = new ArrayList<>();
    for (Map<String, String> step : steps) {
      empty.add(step == null);
      if (step != null) {
        tars.add(tar(step));
      }
    }
    return imageOfTars(arch, tars, Map.of(), empty);
  }

  /**
   * An image with the given layer tars (gzipped) and config: {@code config} is a format string
   * whose one {@code %s} becomes the layers' DiffIDs, quoted and comma-separated.
   */
  public Image imageWithConfig(List<byte[]> tars, String config) throws IOException {
    String ids = diffIds(tars);
    return imageOfTars(tars, config.formatted(ids.substring(1, ids.length() - 1)));
  }

  private Image imageOfTars(String arch, List<byte[]> tars, Map<Integer, Digest> claimed)
      throws IOException {
    return imageOfTars(arch, tars, claimed, tars.stream().map(t -> false).toList());
  }

  private Image imageOfTars(
      String arch, List<byte[]> tars, Map<Integer, Digest> claimed, List<Boolean> emptySteps)
      throws IOException {
    List<Digest> diffIds = new ArrayList<>();
    for (byte[] tar : tars) {
      diffIds.add(claimed.getOrDefault(diffIds.size(), Digest.sha256(tar)));
    }
    String history =
        emptySteps.stream()
            .map(
                empty ->
                    empty
                        ? "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"test step\","
                            + "\"empty_layer\":true}"
                        : "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"test layer\"}")
            .collect(Collectors.joining(","));
    String config =
        ("{\"architecture\":\"%s\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\","
                + "\"config\":{\"Env\":[\"PATH=/bin\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]},\"history\":[%s]}")
            .formatted(arch, quoted(diffIds), history);
    return imageOfTars(tars, config);
  }

  /**
   * An image of the given layer tars (gzipped) whose config is {@code config} as written, for tests
   * that need fields of their own; {@link #diffIds(List)} gives the list its rootfs needs.
   */
  public Image imageOfTars(List<byte[]> tars, String config) throws IOException {
    List<Blob> layers = new ArrayList<>();
    for (byte[] tar : tars) {
      layers.add(blob("application/vnd.oci.image.layer.v1.tar+gzip", gzip(tar)));
    }
    Blob configBlob =
        blob("application/vnd.oci.image.config.v1+json", config.getBytes(StandardCharsets.UTF_8));
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":%s,\"layers\":[%s]}"
            .formatted(
                MediaTypes.OCI_MANIFEST,
                configBlob.descriptorJson(""),
                layers.stream().map(l -> l.descriptorJson("")).collect(Collectors.joining(",")));
    Blob manifestBlob = blob(MediaTypes.OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));
    return new Image(manifestBlob, configBlob, layers);
  }

  /** The JSON array of the tars' DiffIDs, for a config's {@code rootfs.diff_ids}. */
  public static String diffIds(List<byte[]> tars) {
    return "[" + quoted(tars.stream().map(Digest::sha256).toList()) + "]";
  }

  private static String quoted(List<Digest> digests) {
    return digests.stream().map(d -> "\"" + d + "\"").collect(Collectors.joining(","));
  }

  /** An OCI index over images, each with its platform. */
  public Blob index(List<Image> images, List<String> archs) throws IOException {
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      entries.add(
          images
              .get(i)
              .manifest()
              .descriptorJson(
                  ",\"platform\":{\"architecture\":\"%s\",\"os\":\"linux\"}"
                      .formatted(archs.get(i))));
    }
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[%s]}"
            .formatted(MediaTypes.OCI_INDEX, String.join(",", entries));
    return blob(MediaTypes.OCI_INDEX, index.getBytes(StandardCharsets.UTF_8));
  }

  /** Names {@code target} (a manifest or index blob) by {@code tag} in index.json. */
  public void tag(String tag, Blob target) throws IOException {
    refs.put(
        tag,
        target.descriptorJson(
            ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"%s\"}".formatted(tag)));
    Files.writeString(
        dir.resolve("index.json"),
        "{\"schemaVersion\":2,\"manifests\":[" + String.join(",", refs.values()) + "]}");
  }

  private Blob blob(String mediaType, byte[] bytes) throws IOException {
    Digest d = Digest.sha256(bytes);
    Files.write(dir.resolve("blobs/sha256").resolve(d.hex()), bytes);
    return new Blob(mediaType, d, bytes);
  }

  /** A ustar archive of regular files, mode 0644, owned by root, mtime 0. */
  public static byte[] tar(Map<String, String> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (var e : files.entrySet()) {
      byte[] data = e.getValue().getBytes(StandardCharsets.UTF_8);
      byte[] h = new byte[512];
      put(h, 0, e.getKey());
      put(h, 100, "0000644");
      put(h, 108, "0000000");
      put(h, 116, "0000000");
      put(h, 124, "%011o".formatted(data.length));
      put(h, 136, "00000000000");
      h[156] = '0';
      put(h, 257, "ustar");
      put(h, 263, "00");
      for (int i = 148; i < 156; i++) {
        h[i] = ' ';
      }
      int sum = 0;
      for (byte b : h) {
        sum += b & 0xff;
      }
      put(h, 148, "%06o".formatted(sum));
      h[154] = 0;
      out.writeBytes(h);
      out.writeBytes(data);
      out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, at, b.length);
  }

  public static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
