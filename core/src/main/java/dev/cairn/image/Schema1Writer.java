package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.RawObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A schema1 manifest made from an image config, as Docker 1.10 to 18.x pushed one when a registry
 * wanted schema1: one {@code fsLayers}/{@code history} pair per history step (a step that left no
 * layer names the gzipped empty tar), v1 IDs derived from the blob digests down the chain, the top
 * step's {@code v1Compatibility} being the config itself less {@code rootfs} and {@code history}.
 * The payload is laid out as Go's MarshalIndent does with three spaces; {@link TrustKey} signs it.
 */
public final class Schema1Writer {
  private Schema1Writer() {}

  /** The gzipped empty tar (1,024 zero bytes) every registry knows, for steps without a layer. */
  private static final byte[] GZIPPED_EMPTY_TAR = {
    31, -117, 8, 0, 0, 9, 110, -120, 0, -1, 98, 24, 5, -93, 96, 20, -116, 88, 0, 8, 0, 0, -1, -1,
    46, -81, -75, -17, 0, 4, 0, 0
  };

  public static final Digest EMPTY_LAYER = Digest.sha256(GZIPPED_EMPTY_TAR);

  public static byte[] emptyLayer() {
    return GZIPPED_EMPTY_TAR.clone();
  }

  /** One step: the blob its {@code fsLayers} entry names and its {@code v1Compatibility}. */
  public record Entry(Digest blobSum, String v1Compatibility) {}

  /**
   * The steps of the image whose config is {@code config} and whose layers went to the registry as
   * {@code layers} (base first, one per {@code rootfs.diff_ids} entry), base first.
   *
   * @throws CairnException INVALID when the config has no history, or its steps with layers do not
   *     match the layers
   */
  public static List<Entry> fromConfig(byte[] config, List<Digest> layers) {
    ImageConfigFile c = ImageConfigFile.parse(config);
    List<ImageConfigFile.History> steps = c.history();
    if (steps.isEmpty()) {
      throw CairnException.invalid("the image has no history, of which a schema1 manifest is made");
    }
    if (c.diffIds().size() != layers.size()) {
      throw CairnException.invalid(
          "the image config lists "
              + c.diffIds().size()
              + " layers, not the "
              + layers.size()
              + " pushed");
    }
    List<Entry> out = new ArrayList<>(steps.size());
    String parent = "";
    int layer = 0;
    for (int i = 0; i < steps.size(); i++) {
      ImageConfigFile.History h = steps.get(i);
      Digest blob;
      if (h.emptyLayer()) {
        blob = EMPTY_LAYER;
      } else if (layer < layers.size()) {
        blob = layers.get(layer++);
      } else {
        throw CairnException.invalid(
            "the image's history has more steps with a layer than its config has layers");
      }
      boolean top = i == steps.size() - 1;
      if (top) {
        String id =
            Digest.sha256(
                    concat(
                        (blob.hex() + " " + parent + " ").getBytes(StandardCharsets.UTF_8), config))
                .hex();
        RawObject v1 = RawObject.of((JsonObject) Json.parse(config)).remove("rootfs", "history");
        v1.putString("id", id);
        if (!parent.isEmpty()) {
          v1.putString("parent", parent);
        }
        if (h.emptyLayer()) {
          v1.put("throwaway", w -> w.bool(true));
        }
        out.add(new Entry(blob, new String(v1.encode(), StandardCharsets.UTF_8)));
      } else {
        String id =
            Digest.sha256((blob.hex() + " " + parent).getBytes(StandardCharsets.UTF_8)).hex();
        out.add(new Entry(blob, step(id, parent, h)));
        parent = id;
      }
    }
    return out;
  }

  /** The v1Compatibility of a step below the top: its fields in Docker's struct order. */
  private static String step(String id, String parent, ImageConfigFile.History h) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("id").string(id);
    if (!parent.isEmpty()) {
      w.punct(',').name("parent").string(parent);
    }
    if (!h.comment().isEmpty()) {
      w.punct(',').name("comment").string(h.comment());
    }
    GoTime created = h.created() != null ? h.created() : GoTime.ZERO;
    w.punct(',').name("created").string(created.format());
    w.punct(',').name("container_config").punct('{').name("Cmd").punct('[');
    w.string(h.createdBy()).punct(']').punct('}');
    if (!h.author().isEmpty()) {
      w.punct(',').name("author").string(h.author());
    }
    if (h.emptyLayer()) {
      w.punct(',').name("throwaway").bool(true);
    }
    w.punct('}');
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  /**
   * The manifest's payload, before it is signed: {@code schemaVersion}, {@code name}, {@code tag},
   * {@code architecture}, then the steps top first.
   *
   * @param entries the steps, base first, as {@link #fromConfig} gives them
   */
  public static byte[] payload(String name, String tag, String architecture, List<Entry> entries) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("schemaVersion").number(1).punct(',');
    w.name("name").string(name).punct(',');
    w.name("tag").string(tag).punct(',');
    w.name("architecture").string(architecture).punct(',');
    w.name("fsLayers").punct('[');
    for (int i = entries.size() - 1; i >= 0; i--) {
      w.punct('{').name("blobSum").string(entries.get(i).blobSum().toString()).punct('}');
      if (i > 0) {
        w.punct(',');
      }
    }
    w.punct(']').punct(',').name("history").punct('[');
    for (int i = entries.size() - 1; i >= 0; i--) {
      w.punct('{').name("v1Compatibility").string(entries.get(i).v1Compatibility()).punct('}');
      if (i > 0) {
        w.punct(',');
      }
    }
    w.punct(']').punct('}');
    return GoJsonWriter.indent(w.toByteArray(), "   ");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
