package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.image.EngineImage;
import dev.cairn.image.Schema1Config;
import java.time.Instant;
import java.util.Map;

/**
 * What a listing shows of a node's JSON, kept in the graph index so that listing reads no node's
 * files: the time docker shows, whether docker leaves its layer out (a schema1 throwaway image),
 * and its config's labels.
 *
 * @param created the JSON's {@code created} as docker decodes it ({@code 0001-01-01} when absent)
 * @param throwaway the node's v1Compatibility (else its JSON) says {@code "throwaway": true}; never
 *     for an image config
 * @param labels the labels of its config, or null when it has none
 */
public record NodeFacts(Instant created, boolean throwaway, Map<String, String> labels) {

  public NodeFacts {
    labels =
        labels == null || labels.isEmpty()
            ? labels == null ? null : Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
  }

  /**
   * The facts of a node with this JSON and v1Compatibility (null when it has none); null when the
   * JSON does not decode as docker decodes an image, so that a listing reads it and fails as docker
   * would.
   */
  static NodeFacts of(byte[] json, byte[] v1Compatibility) {
    try {
      EngineImage img = EngineImage.decode(json);
      boolean throwaway =
          !img.hasRootFs()
              && Schema1Config.throwaway(v1Compatibility != null ? v1Compatibility : json);
      return new NodeFacts(
          img.created().toInstant(),
          throwaway,
          img.config() == null ? null : img.config().labels());
    } catch (CairnException e) {
      return null;
    }
  }
}
