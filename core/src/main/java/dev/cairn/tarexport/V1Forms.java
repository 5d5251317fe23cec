package dev.cairn.tarexport;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.ImageConfig;
import dev.cairn.image.V1Image;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.RawObject;
import java.util.List;
import java.util.Set;

/**
 * The JSON documents {@code save} derives from what the graph stores (ARCHITECTURE.md, Archives).
 */
final class V1Forms {
  /** Keys of a v1Compatibility that have no place in an image config. */
  private static final Set<String> NOT_CONFIG =
      Set.of("id", "parent", "Size", "parent_id", "layer_id", "throwaway");

  private V1Forms() {}

  /**
   * Whether {@code json}, a node's stored JSON, is an image config as received: the top node of a
   * ARCHITECTURE.md, ChainID nodes image. It hashes to the node's ID and holds {@code rootfs}; the
   * JSON of a schema1 node hashes to its ID too (its strong ID, ARCHITECTURE.md, Strong IDs), but
   * is a v1 form, with no {@code rootfs}.
   */
  static boolean isConfig(String id, byte[] json) {
    return Digest.sha256(json).hex().equals(id)
        && Json.parseObject(json, "json of image " + id).get("rootfs") != null;
  }

  /**
   * A node's {@code <id>/json}: the v1 form with {@code id} and {@code parent}. JSON that already
   * says exactly that is kept byte for byte; otherwise (a raw config, a schema1 node's config) its
   * members are written as Go writes a map, {@code rootfs} and {@code history} of a raw config
   * dropped.
   */
  static byte[] nodeJson(byte[] stored, String id, String parent, boolean rawConfig, String what) {
    JsonObject obj = Json.parseObject(stored, what);
    if (!rawConfig && id.equals(string(obj.get("id"))) && sameParent(obj, parent)) {
      return stored;
    }
    RawObject v1 = RawObject.of(obj).remove("parent").putString("id", id);
    if (rawConfig) {
      v1.remove("rootfs", "history");
    }
    if (parent != null) {
      v1.putString("parent", parent);
    }
    return v1.encode();
  }

  /**
   * The image config of a schema1 image (ARCHITECTURE.md, Archives), made as Docker makes one when
   * it pulls such an image: its top v1Compatibility as Docker reads it ({@link
   * ImageConfig#asDockerReads}) without the legacy keys, plus {@code rootfs} with the chain's
   * DiffIDs and a {@code history} entry per node made from each node's v1Compatibility, base first.
   * A node loaded from an archive has its strong config instead of its v1Compatibility; both give
   * the same config.
   */
  static byte[] configFromV1(
      byte[] topV1, List<Digest> diffIds, List<byte[]> chainV1, String what) {
    RawObject config;
    try {
      config = RawObject.of(ImageConfig.asDockerReads(topV1));
    } catch (CairnException e) {
      throw e.in(what);
    }
    NOT_CONFIG.forEach(config::remove);
    config.put(
        "rootfs",
        w -> {
          w.punct('{').name("type").string("layers").punct(',').name("diff_ids").punct('[');
          for (int i = 0; i < diffIds.size(); i++) {
            if (i > 0) {
              w.punct(',');
            }
            w.string(diffIds.get(i).toString());
          }
          w.punct(']').punct('}');
        });
    config.put(
        "history",
        w -> {
          w.punct('[');
          for (int i = 0; i < chainV1.size(); i++) {
            if (i > 0) {
              w.punct(',');
            }
            V1Image v1;
            try {
              v1 = V1Image.decode(chainV1.get(i));
            } catch (CairnException e) {
              throw e.in(what + ": layer " + i);
            }
            history(w, v1);
          }
          w.punct(']');
        });
    return config.encode();
  }

  /**
   * One history entry as Docker derives it from a v1 image (its HistoryFromConfig), in the field
   * order of its image.History, empty fields omitted.
   */
  private static void history(GoJsonWriter w, V1Image v1) {
    w.punct('{').name("created").string(v1.created().format());
    if (!v1.author().isEmpty()) {
      w.punct(',').name("author").string(v1.author());
    }
    List<String> cmd = v1.containerConfig().cmd();
    String createdBy = cmd == null ? "" : String.join(" ", cmd);
    if (!createdBy.isEmpty()) {
      w.punct(',').name("created_by").string(createdBy);
    }
    if (!v1.comment().isEmpty()) {
      w.punct(',').name("comment").string(v1.comment());
    }
    w.punct('}');
  }

  static String string(JsonValue v) {
    return v instanceof JsonString s ? s.value() : null;
  }

  private static boolean sameParent(JsonObject obj, String parent) {
    String p = string(obj.get("parent"));
    return parent == null ? p == null || p.isEmpty() : parent.equals(p);
  }
}
