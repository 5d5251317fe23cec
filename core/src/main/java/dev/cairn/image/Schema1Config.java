package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonNull;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.Member;
import dev.cairn.json.RawObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The image config Docker 20.10 makes of a schema1 image when it pulls one (distribution/pull_v2.go
 * pullSchema1, image/v1/imagev1.go MakeConfigFromV1Config and HistoryFromConfig), byte for byte, so
 * that its digest is the ID docker gives the image. Every v1 image has a {@code history} entry,
 * base first; one marked {@code "throwaway": true} has {@code "empty_layer": true} there and no
 * layer in {@code rootfs} (docker does not even download its blob). The rest of the config is the
 * top v1Compatibility, read as for strong IDs but through Docker 20.10's own structs when it comes
 * from a daemon older than 1.8.3, less {@code id}, {@code parent}, {@code Size}, {@code parent_id},
 * {@code layer_id} and {@code throwaway}.
 */
public final class Schema1Config {
  private static final String[] THROWAWAY = {"throwaway"};
  private static final Map<String, Integer> THROWAWAY_INDEX = Map.of("throwaway", 0);

  private Schema1Config() {}

  /**
   * Whether docker leaves this v1 image out of rootfs: its {@code throwaway} is true, decoded with
   * Go's rules (keys match case-insensitively, the last one wins, null changes nothing).
   *
   * @throws CairnException INVALID when {@code throwaway} is not a boolean (docker's pull fails)
   */
  public static boolean throwaway(byte[] v1Compatibility) {
    return switch (Json.parse(v1Compatibility)) {
      case JsonObject o -> {
        boolean throwaway = false;
        for (Member m : o.members()) {
          if (GoDecoder.field(THROWAWAY, THROWAWAY_INDEX, m.key()) == 0) {
            throwaway = GoDecoder.bool("throwaway", m.value(), throwaway);
          }
        }
        yield throwaway;
      }
      case JsonNull n -> false;
      case JsonValue v -> throw GoDecoder.typeError("", "an object", v);
    };
  }

  /**
   * The config of the image whose v1 images are {@code v1Compatibility}, base first, as the
   * manifest has them (after adjacent repeats are dropped: {@link Schema1Manifest#images}).
   *
   * @param diffIds the DiffID of each image's layer, base first; those of throwaway images are not
   *     used and may be null
   * @throws CairnException INVALID when a v1Compatibility does not decode as docker's structs
   */
  public static byte[] of(List<byte[]> v1Compatibility, List<Digest> diffIds) {
    if (v1Compatibility.isEmpty() || v1Compatibility.size() != diffIds.size()) {
      throw new IllegalArgumentException(
          v1Compatibility.size() + " v1 images and " + diffIds.size() + " DiffIDs");
    }
    List<Digest> layers = new ArrayList<>();
    List<EngineImage> images = new ArrayList<>();
    List<Boolean> empty = new ArrayList<>();
    for (int i = 0; i < v1Compatibility.size(); i++) {
      try {
        empty.add(throwaway(v1Compatibility.get(i)));
        images.add(EngineDecoder.v1Image(v1Compatibility.get(i)));
      } catch (CairnException e) {
        throw e.in("v1 image " + i);
      }
      if (!empty.getLast()) {
        layers.add(Objects.requireNonNull(diffIds.get(i), "the DiffID of v1 image " + i));
      }
    }
    byte[] top = v1Compatibility.getLast();
    EngineImage topImage = images.getLast();
    if (ImageConfig.versionLess(topImage.dockerVersion(), ImageConfig.FALLBACK_BELOW)) {
      top = EngineEncoder.v1Image(topImage); // old daemons' JSON goes through docker's structs
    }
    RawObject config = RawObject.of(Json.parseObject(top, "v1Compatibility"));
    config.remove("id", "parent", "Size", "parent_id", "layer_id", "throwaway");
    config.put("rootfs", w -> rootfs(w, layers));
    config.put(
        "history",
        w -> {
          w.punct('[');
          for (int i = 0; i < images.size(); i++) {
            if (i > 0) {
              w.punct(',');
            }
            history(w, images.get(i), empty.get(i));
          }
          w.punct(']');
        });
    return config.encode();
  }

  /** image.RootFS: {@code diff_ids} left out when there is none. */
  private static void rootfs(GoJsonWriter w, List<Digest> layers) {
    w.punct('{').name("type").string("layers");
    if (!layers.isEmpty()) {
      w.punct(',').name("diff_ids").punct('[');
      for (int i = 0; i < layers.size(); i++) {
        if (i > 0) {
          w.punct(',');
        }
        w.string(layers.get(i).toString());
      }
      w.punct(']');
    }
    w.punct('}');
  }

  /** One image.History entry (HistoryFromConfig), in its field order, empty fields left out. */
  private static void history(GoJsonWriter w, EngineImage v1, boolean emptyLayer) {
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
    if (emptyLayer) {
      w.punct(',').name("empty_layer").bool(true);
    }
    w.punct('}');
  }
}
