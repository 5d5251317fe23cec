package dev.cairn.tarexport;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.ImageConfig;
import dev.cairn.image.Schema1Config;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.RawObject;
import java.util.Arrays;

/**
 * The nodes of an archive's legacy {@code <id>/} directories, as a load keeps them under their own
 * IDs ({@link LoadPlan}), and what tells a throwaway v1 image (ARCHITECTURE.md, Archives).
 */
final class LegacyNodes {
  private LegacyNodes() {}

  /**
   * The node of legacy directory {@code dir} from its {@code json}. cairn's save writes a schema1
   * node's config (what its strong ID hashes, ARCHITECTURE.md, Strong IDs) with {@code id} and
   * {@code parent} added: without them it hashes to the ID again, and the node keeps the json a
   * pull gave it. Not its layer digest, although the config names it ({@code layer_id}): nothing in
   * an archive shows that the layer is that blob, and a pull reuses a node with a layer digest on
   * the strength of its config alone. Any other JSON is kept as the archive has it. The node's
   * v1Compatibility, when the archive has one, must give that config back.
   */
  static LoadPlan.Planned node(
      String dir, byte[] json, byte[] v1Compatibility, Digest diffId, String source) {
    String what = "image " + CairnException.quote(dir);
    if (!ArchiveNames.isId(dir)) {
      throw CairnException.invalid(
          "image ID " + CairnException.quote(dir) + " is not 64 lowercase hex digits");
    }
    JsonObject obj;
    try {
      obj = Json.parseObject(json, "json");
    } catch (CairnException e) {
      throw e.in(what);
    }
    String id = V1Forms.string(obj.get("id"));
    if (id != null && !id.equals(dir)) {
      throw CairnException.invalid(
          what + ": its json has id " + CairnException.quote(id) + ", not its directory's");
    }
    String parent = V1Forms.string(obj.get("parent"));
    if (parent == null || parent.isEmpty()) {
      parent = null;
    } else if (!ArchiveNames.isId(parent)) {
      throw CairnException.invalid(
          what + ": parent ID " + CairnException.quote(parent) + " is not 64 lowercase hex digits");
    }
    byte[] config = RawObject.of(obj).remove("id", "parent").encode();
    boolean strong = Digest.sha256(config).hex().equals(dir);
    if (strong && v1Compatibility != null) {
      try {
        checkV1Compatibility(config, v1Compatibility);
      } catch (CairnException e) {
        throw e.in(what + ": its " + LoadPlan.V1_COMPATIBILITY);
      }
    }
    return new LoadPlan.Planned(
        dir, parent, strong ? config : json, diffId, source, v1Compatibility);
  }

  /**
   * That {@code v1} with the config's layer and parent digests gives the config (its strong ID).
   */
  private static void checkV1Compatibility(byte[] config, byte[] v1) {
    JsonObject obj = Json.parseObject(config, "json");
    String layer = V1Forms.string(obj.get("layer_id"));
    String parent = V1Forms.string(obj.get("parent_id"));
    if (layer == null || !Digest.isValid(layer) || parent != null && !Digest.isValid(parent)) {
      throw CairnException.invalid("the json names no valid layer_id and parent_id");
    }
    byte[] made =
        ImageConfig.of(v1, Digest.parse(layer), parent == null ? null : Digest.parse(parent));
    if (!Arrays.equals(made, config)) {
      throw CairnException.invalid("it does not give the image's json (another image's?)");
    }
  }

  /**
   * Whether a node's v1 form ({@code v1}: its v1Compatibility, else its json) is a throwaway v1
   * image, which docker's config lists no layer for.
   */
  static boolean throwaway(byte[] v1, String what) {
    try {
      return Schema1Config.throwaway(v1);
    } catch (CairnException e) {
      throw e.in(what);
    }
  }
}
