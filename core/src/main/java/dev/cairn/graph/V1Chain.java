package dev.cairn.graph;

import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.RawObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * v1Compatibility made for nodes that have none (a node loaded or pulled without a schema1
 * manifest), as a schema1 push would need them: the node JSON with {@code id} stripped of a {@code
 * sha256:} prefix (the node ID when the JSON has none) and {@code parent} set to the parent's
 * generated {@code id}, written as Go writes a map.
 */
final class V1Chain {
  private V1Chain() {}

  /**
   * Makes sure the node and each of its ancestors has a v1Compatibility, generating the missing
   * ones from the base up. Returns the node's own.
   */
  static byte[] generate(Graph graph, String idOrPrefix) throws IOException {
    List<Node> chain = new ArrayList<>();
    for (Node n = graph.get(idOrPrefix);
        n != null;
        n = n.parent() == null ? null : graph.get(n.parent())) {
      chain.add(n);
    }
    String parentV1Id = null;
    byte[] v1 = null;
    for (Node n : chain.reversed()) {
      v1 = graph.v1Compatibility(n.id()).orElse(null);
      if (v1 == null) {
        v1 = make(graph, n, parentV1Id);
        graph.setV1Compatibility(n.id(), v1);
      }
      JsonValue idValue = Json.parseObject(v1, "v1Compatibility of image " + n.id()).get("id");
      parentV1Id = idValue instanceof JsonString s ? s.value() : n.id();
    }
    return v1;
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
