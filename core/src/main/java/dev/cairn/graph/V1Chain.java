package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.RawObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The v1Compatibility of each node of a v1 chain, as Docker 1.9 put them into the schema1 manifest
 * it pushed (its GenerateV1CompatibilityChain): the one the node keeps from the manifest it was
 * pulled with, else one made of the node JSON with {@code id} stripped of a {@code sha256:} prefix
 * (the node ID when the JSON has none) and {@code parent} set to the parent's v1 ID, written as Go
 * writes a map. Docker stored what it made; nothing is written here, so a push changes no node.
 */
public final class V1Chain {
  private V1Chain() {}

  /**
   * The v1Compatibility of each node of {@code chain} (base first, each the parent of the next),
   * base first. A kept one whose {@code parent} is not the v1 ID below it (its node is shared with
   * an image pulled from a manifest whose v1 IDs were others) gets that parent, so the chain holds
   * together; a strong ID leaves {@code parent} out, so the node's does not change.
   */
  public static List<byte[]> of(Graph graph, List<Node> chain) throws IOException {
    List<byte[]> out = new ArrayList<>(chain.size());
    String parentV1Id = null;
    for (Node n : chain) {
      String what = "v1Compatibility of image " + n.id();
      byte[] v1 = graph.v1Compatibility(n.id()).orElse(null);
      if (v1 == null) {
        v1 = make(graph, n, parentV1Id);
      }
      JsonObject obj = Json.parseObject(v1, what);
      String parent = obj.get("parent") instanceof JsonString s ? s.value() : null;
      if (parentV1Id == null ? parent != null : !parentV1Id.equals(parent)) {
        RawObject fixed = RawObject.of(obj).remove("parent");
        v1 = (parentV1Id == null ? fixed : fixed.putString("parent", parentV1Id)).encode();
      }
      if (!(obj.get("id") instanceof JsonString id) || id.value().isEmpty()) {
        throw CairnException.invalid(what + ": it has no id");
      }
      parentV1Id = id.value();
      out.add(v1);
    }
    return out;
  }

  private static byte[] make(Graph graph, Node n, String parentV1Id) throws IOException {
    JsonObject obj = Json.parseObject(graph.rawJSON(n.id()), "json of image " + n.id());
    JsonValue idValue = obj.get("id");
    String v1Id =
        idValue instanceof JsonString s && !s.value().isEmpty()
            ? NodeFiles.stripSha256(s.value())
            : n.id();
    RawObject v1 = RawObject.of(obj).remove("parent").putString("id", v1Id);
    if (parentV1Id != null) {
      v1.putString("parent", parentV1Id);
    }
    return v1.encode();
  }
}
