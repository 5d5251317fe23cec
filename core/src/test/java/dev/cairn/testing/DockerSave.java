package dev.cairn.testing;

import dev.cairn.digest.Digest;
import dev.cairn.image.ChainId;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.RawObject;
import dev.cairn.tar.TarEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An archive laid out exactly as {@code docker save} writes it from Docker 1.10 to 24: for each
 * layer a legacy directory {@code <v1 ID>/} ({@code VERSION}, {@code json}, {@code layer.tar}, a
 * layer whose DiffID was written before being a symlink to that first copy), the config as {@code
 * <config hex>.json}, {@code manifest.json} naming {@code <v1 ID>/layer.tar} and {@code
 * repositories}; docker writes them into a directory and tars it, so the entries come in name
 * order, which puts layers before the manifest and often a layer before the one below it.
 *
 * <p>The v1 IDs are derived as docker derives them (its {@code v1.CreateID}): the SHA-256 of the
 * layer's v1 JSON without {@code id}, with {@code layer_id} set to the layer's ChainID and {@code
 * parent} to the v1 ID below, keys sorted. A layer below the top has a v1 JSON with only the epoch
 * as its creation time; the top's carries the image's fields. So images that differ only in fields
 * a v1 JSON does not hold (history, for one) share every v1 ID, as they do in docker's archives.
 */
public final class DockerSave {
  /** One image to save: its config, its layers (uncompressed tars, base first), its tags. */
  public record Image(byte[] config, List<byte[]> layers, List<String> tags) {}

  /** Go's encoding of an empty container config (container.Config of Docker 20.10). */
  private static final String EMPTY_CONTAINER_CONFIG =
      "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
          + "\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,"
          + "\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,"
          + "\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null}";

  /** The fields of an image config that its top layer's v1 JSON repeats, in Go's field order. */
  private static final List<String> V1_FIELDS =
      List.of(
          "comment",
          "created",
          "container",
          "container_config",
          "docker_version",
          "author",
          "config",
          "architecture",
          "variant",
          "os");

  private final Map<String, byte[]> files = new TreeMap<>();
  private final Map<String, String> symlinks = new HashMap<>();
  private final Map<Integer, List<String>> v1Ids = new LinkedHashMap<>();

  private DockerSave() {}

  /** The archive docker writes for {@code images}, saved in one command. */
  public static DockerSave of(List<Image> images) {
    DockerSave save = new DockerSave();
    StringBuilder manifest = new StringBuilder("[");
    Map<String, Map<String, String>> repositories = new TreeMap<>();
    Map<Digest, String> diffIdPaths = new HashMap<>();
    for (int k = 0; k < images.size(); k++) {
      Image img = images.get(k);
      List<Digest> diffIds = ImageConfigFile.parse(img.config()).diffIds();
      List<Digest> chain = ChainId.of(diffIds);
      List<String> ids = new ArrayList<>();
      String parent = null;
      for (int i = 0; i < diffIds.size(); i++) {
        byte[] v1 = i == diffIds.size() - 1 ? topV1(img.config()) : epochV1();
        String id = createId(v1, chain.get(i), parent);
        String dir = id + "/";
        if (!save.files.containsKey(dir + "VERSION")) {
          save.files.put(dir + "VERSION", utf8("1.0"));
          save.files.put(dir + "json", withIds(v1, id, parent));
          String first = diffIdPaths.putIfAbsent(diffIds.get(i), dir + "layer.tar");
          if (first == null) {
            save.files.put(dir + "layer.tar", img.layers().get(i));
          } else {
            save.symlinks.put(dir + "layer.tar", "../" + first);
          }
        }
        ids.add(id);
        parent = id;
      }
      save.v1Ids.put(k, List.copyOf(ids));
      String configHex = Digest.sha256(img.config()).hex();
      save.files.put(configHex + ".json", img.config());
      manifest.append(k > 0 ? "," : "").append("{\"Config\":\"").append(configHex);
      manifest.append(".json\",\"RepoTags\":");
      if (img.tags().isEmpty()) {
        manifest.append("null");
      } else {
        manifest.append('[');
        for (int t = 0; t < img.tags().size(); t++) {
          String tag = img.tags().get(t);
          manifest.append(t > 0 ? "," : "").append('"').append(tag).append('"');
          int colon = tag.lastIndexOf(':');
          repositories
              .computeIfAbsent(tag.substring(0, colon), r -> new TreeMap<>())
              .put(tag.substring(colon + 1), parent);
        }
        manifest.append(']');
      }
      manifest.append(",\"Layers\":[");
      for (int i = 0; i < ids.size(); i++) {
        manifest.append(i > 0 ? "," : "").append('"').append(ids.get(i)).append("/layer.tar\"");
      }
      manifest.append("]}");
    }
    save.files.put("manifest.json", utf8(manifest.append("]\n").toString()));
    if (!repositories.isEmpty()) {
      StringBuilder r = new StringBuilder("{");
      repositories.forEach(
          (repo, tags) -> {
            r.append(r.length() > 1 ? "," : "").append('"').append(repo).append("\":{");
            int n = 0;
            for (Map.Entry<String, String> t : tags.entrySet()) {
              r.append(n++ > 0 ? "," : "");
              r.append('"').append(t.getKey()).append("\":\"").append(t.getValue()).append('"');
            }
            r.append('}');
          });
      save.files.put("repositories", utf8(r.append("}\n").toString()));
    }
    return save;
  }

  /** The v1 IDs docker gave image {@code k}'s layers, base first. */
  public List<String> v1Ids(int k) {
    return v1Ids.get(k);
  }

  /** The archive: every entry in name order, each legacy directory before what it holds. */
  public byte[] bytes() {
    TreeMap<String, Object> entries = new TreeMap<>();
    files.forEach(entries::put);
    symlinks.forEach(entries::put);
    TarBuilder t = TarBuilder.tar();
    String lastDir = null;
    Instant mtime = Instant.ofEpochSecond(1_700_000_000);
    for (Map.Entry<String, Object> e : entries.entrySet()) {
      String name = e.getKey();
      int slash = name.indexOf('/');
      if (slash > 0 && !name.substring(0, slash).equals(lastDir)) {
        lastDir = name.substring(0, slash);
        t.add(TarEntry.directory(lastDir + "/").withMode(0755).withMtime(mtime));
      }
      if (e.getValue() instanceof byte[] content) {
        t.add(TarEntry.regular(name, content.length).withMode(0644).withMtime(mtime), content);
      } else {
        t.add(TarEntry.symlink(name, (String) e.getValue()).withMtime(mtime));
      }
    }
    return t.bytes();
  }

  private static byte[] epochV1() {
    return utf8(
        "{\"created\":\"1970-01-01T00:00:00Z\",\"container_config\":"
            + EMPTY_CONTAINER_CONFIG
            + "}");
  }

  /** The top layer's v1 JSON: the image's own fields, as its config gives them. */
  private static byte[] topV1(byte[] config) {
    JsonValue.JsonObject obj = Json.parseObject(config, "config");
    StringBuilder b = new StringBuilder("{");
    for (String field : V1_FIELDS) {
      JsonValue v = obj.get(field);
      String text =
          v == null
              ? (field.equals("container_config") ? EMPTY_CONTAINER_CONFIG : null)
              : new String(v.source(), v.start(), v.end() - v.start(), StandardCharsets.UTF_8);
      if (text != null) {
        b.append(b.length() > 1 ? "," : "").append('"').append(field).append("\":").append(text);
      }
    }
    return utf8(b.append('}').toString());
  }

  /** docker's v1.CreateID. */
  private static String createId(byte[] v1, Digest chainId, String parent) {
    RawObject o =
        RawObject.of(Json.parseObject(v1, "v1")).putString("layer_id", chainId.toString());
    if (parent != null) {
      o.putString("parent", "sha256:" + parent);
    }
    return Digest.sha256(o.encode()).hex();
  }

  /** The v1 JSON as written into the directory: {@code id} and {@code parent} first. */
  private static byte[] withIds(byte[] v1, String id, String parent) {
    String rest = new String(v1, StandardCharsets.UTF_8).substring(1);
    return utf8(
        "{\"id\":\""
            + id
            + "\""
            + (parent == null ? "" : ",\"parent\":\"" + parent + "\"")
            + ","
            + rest);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
