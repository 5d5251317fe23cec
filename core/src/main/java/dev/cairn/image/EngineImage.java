package dev.cairn.image;

import dev.cairn.json.JsonValue.JsonObject;
import java.util.List;

/**
 * An image's JSON (a config blob, or a v1 image JSON) as Docker 20.10 decodes it into its image
 * struct, with Go's encoding/json rules: the fields that {@code docker inspect} and {@code docker
 * history} show. Absent fields hold Go's zero values.
 *
 * @param created when the image was made ({@link GoTime#ZERO} when absent)
 * @param containerConfig {@code container_config}, never null
 * @param config {@code config}, or null when absent or null
 * @param os {@code os} as written (docker shows the host's OS for an empty one)
 * @param osVersion {@code os.version}
 * @param history {@code history}, oldest step first
 * @param hasRootFs whether the JSON has {@code rootfs}: a config blob of docker 1.10 or later
 */
public record EngineImage(
    String comment,
    GoTime created,
    String container,
    EngineConfig containerConfig,
    String dockerVersion,
    String author,
    EngineConfig config,
    String architecture,
    String variant,
    String os,
    String osVersion,
    List<History> history,
    boolean hasRootFs) {

  public EngineImage {
    history = List.copyOf(history);
  }

  /**
   * One build step (image.History).
   *
   * @param created when ({@link GoTime#ZERO} when absent)
   */
  public record History(
      GoTime created, String author, String createdBy, String comment, boolean emptyLayer) {}

  /**
   * Decodes {@code json} as Go does into docker's image struct: keys match case-insensitively,
   * duplicates decode into what the earlier one left, unknown keys are ignored.
   *
   * @throws dev.cairn.CairnException INVALID for a value of the wrong JSON type, naming the field
   */
  public static EngineImage decode(byte[] json) {
    return EngineDecoder.image(json);
  }

  /**
   * Whether {@code json} decodes with {@code rootfs} ({@link #hasRootFs()}) without decoding the
   * rest: false where decoding would fail over that field.
   */
  public static boolean hasRootFs(JsonObject json) {
    return EngineDecoder.hasRootFs(json);
  }
}
