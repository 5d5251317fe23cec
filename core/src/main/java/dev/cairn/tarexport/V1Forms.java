package dev.cairn.tarexport;

import dev.cairn.digest.Digest;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.RawObject;
import java.util.ArrayList;
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
   * The image config of a schema1 image (ARCHITECTURE.md, Archives): its top v1Compatibility
   * without the legacy keys, plus {@code rootfs} with the chain's DiffIDs and a {@code history}
   * entry per node made from each node's v1Compatibility, base first.
   */
  static byte[] configFromV1(
      byte[] topV1, List<Digest> diffIds, List<byte[]> chainV1, String what) {
    RawObject config = RawObject.of(Json.parseObject(topV1, what));
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
            history(w, Json.parseObject(chainV1.get(i), what + ": layer " + i));
          }
          w.punct(']');
        });
    return config.encode();
  }

  /** One history entry in the field order of Docker's image.History, empty fields omitted. */
  private static void history(GoJsonWriter w, JsonObject v1) {
    w.punct('{');
    JsonValue created = v1.get("created");
    w.name("created");
    if (created instanceof JsonString) {
      w.raw(created);
    } else {
      w.string("0001-01-01T00:00:00Z");
    }
    String author = string(v1.get("author"));
    if (author != null && !author.isEmpty()) {
      w.punct(',').name("author").string(author);
    }
    String createdBy = "";
    if (v1.get("container_config") instanceof JsonObject cc) {
      createdBy = command(cc.get("Cmd"));
    }
    if (!createdBy.isEmpty()) {
      w.punct(',').name("created_by").string(createdBy);
    }
    String comment = string(v1.get("comment"));
    if (comment != null && !comment.isEmpty()) {
      w.punct(',').name("comment").string(comment);
    }
    w.punct('}');
  }

  /** {@code Cmd} joined by spaces, as Docker derives {@code created_by}; a lone string is one. */
  private static String command(JsonValue cmd) {
    if (cmd instanceof JsonString s) {
      return s.value();
    }
    if (cmd instanceof JsonArray a) {
      List<String> parts = new ArrayList<>();
      for (JsonValue v : a.items()) {
        if (v instanceof JsonString s) {
          parts.add(s.value());
        }
      }
      return String.join(" ", parts);
    }
    return "";
  }

  static String string(JsonValue v) {
    return v instanceof JsonString s ? s.value() : null;
  }

  private static boolean sameParent(JsonObject obj, String parent) {
    String p = string(obj.get("parent"));
    return parent == null ? p == null || p.isEmpty() : parent.equals(p);
  }
}
