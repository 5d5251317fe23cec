package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * An image config blob (Docker image JSON / OCI image config): what the image runs as and which
 * uncompressed layers make its filesystem. The bytes are kept as received; their digest is the
 * image ID.
 *
 * @param os the OS the image is for
 * @param architecture its architecture
 * @param variant the architecture variant, or the empty string
 * @param created when it was created, or null
 * @param diffIds {@code rootfs.diff_ids}: the DiffID of every layer, base first
 * @param history the build history, one entry per step, empty layers included
 * @param bytes the blob as received
 */
public record ImageConfigFile(
    String os,
    String architecture,
    String variant,
    GoTime created,
    List<Digest> diffIds,
    List<History> history,
    byte[] bytes) {

  /** Configs larger than this are refused before they are fetched. */
  public static final int MAX_BYTES = 8 << 20;

  /**
   * One build step.
   *
   * @param created when, or null
   * @param createdBy the command, or the empty string
   * @param author who, or the empty string
   * @param comment a note, or the empty string
   * @param emptyLayer true when the step left no layer
   */
  public record History(
      GoTime created, String createdBy, String author, String comment, boolean emptyLayer) {}

  private static final String[] FIELDS = {
    "os", "architecture", "variant", "created", "rootfs", "history"
  };
  private static final String[] ROOTFS_FIELDS = {"type", "diff_ids"};
  private static final String[] HISTORY_FIELDS = {
    "created", "created_by", "empty_layer", "author", "comment"
  };

  public ImageConfigFile {
    diffIds = List.copyOf(diffIds);
    history = List.copyOf(history);
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The config digest: sha256 of the bytes as received, the image ID. */
  public Digest digest() {
    return Digest.sha256(bytes);
  }

  /** Parses a config blob, requiring {@code rootfs} of type {@code layers} with valid DiffIDs. */
  public static ImageConfigFile parse(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      throw CairnException.invalid(
          "image config is " + bytes.length + " bytes, more than the limit of " + MAX_BYTES);
    }
    GoFields f = GoFields.of(Json.parse(bytes), "image config", FIELDS);
    GoTime created = time(f.value(3), "image config: created");
    if (f.value(4) == null) {
      throw CairnException.invalid("image config has no rootfs");
    }
    GoFields rootfs = GoFields.of(f.value(4), "image config rootfs", ROOTFS_FIELDS);
    String type = rootfs.string(0, "type");
    if (!"layers".equals(type)) {
      throw CairnException.invalid(
          "image config: rootfs type is "
              + CairnException.quote(String.valueOf(type))
              + ", not \"layers\"");
    }
    List<Digest> diffIds = new ArrayList<>();
    for (String s : rootfs.strings(1, "diff_ids")) {
      if (!Digest.isValid(s)) {
        throw CairnException.invalid(
            "image config: DiffID " + CairnException.quote(s) + " is not a valid digest");
      }
      diffIds.add(Digest.parse(s));
    }
    List<History> history = new ArrayList<>();
    List<JsonValue> entries = f.array(5, "history");
    for (int i = 0; i < entries.size(); i++) {
      GoFields h = GoFields.of(entries.get(i), "image config history " + i, HISTORY_FIELDS);
      String by = h.string(1, "created_by");
      history.add(
          new History(
              time(h.value(0), "image config history " + i + ": created"),
              by == null ? "" : by,
              nonNull(h.string(3, "author")),
              nonNull(h.string(4, "comment")),
              h.bool(2, "empty_layer")));
    }
    return new ImageConfigFile(
        nonNull(f.string(0, "os")),
        nonNull(f.string(1, "architecture")),
        nonNull(f.string(2, "variant")),
        created,
        diffIds,
        history,
        bytes);
  }

  /** The platform the config names, or null when it names no OS or architecture. */
  public Platform platform() {
    return os.isEmpty() || architecture.isEmpty() ? null : new Platform(os, architecture, variant);
  }

  /**
   * When layer {@code i} was made: the time of the {@code i}-th history step that left a layer,
   * else the image's creation time (null when neither is known).
   */
  public GoTime layerCreated(int i) {
    int seen = 0;
    for (History h : history) {
      if (h.emptyLayer()) {
        continue;
      }
      if (seen++ == i) {
        return h.created() != null ? h.created() : created;
      }
    }
    return created;
  }

  private static GoTime time(JsonValue v, String where) {
    if (v == null) {
      return null;
    }
    try {
      return GoTime.parseJson(v.source(), v.start(), v.end());
    } catch (CairnException e) {
      throw e.in(where);
    }
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
