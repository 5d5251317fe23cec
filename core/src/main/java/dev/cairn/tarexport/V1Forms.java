package dev.cairn.tarexport;

import dev.cairn.digest.Digest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.RawObject;

/**
 * The JSON documents {@code save} derives from what the graph stores (ARCHITECTURE.md, Archives).
 */
final class V1Forms {
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

  static String string(JsonValue v) {
    return v instanceof JsonString s ? s.value() : null;
  }

  private static boolean sameParent(JsonObject obj, String parent) {
    String p = string(obj.get("parent"));
    return parent == null ? p == null || p.isEmpty() : parent.equals(p);
  }
}
