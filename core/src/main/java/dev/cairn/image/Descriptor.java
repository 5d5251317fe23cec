package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.JsonValue;
import java.util.List;
import java.util.Map;

/**
 * A content descriptor (OCI image spec): what a manifest or index says about a blob or manifest it
 * points to.
 *
 * @param mediaType the target's media type
 * @param digest the target's digest
 * @param size the target's size in bytes
 * @param platform the platform an index entry is for, or null
 * @param urls where a foreign layer may be fetched from; usually empty
 * @param annotations free-form metadata
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    Platform platform,
    List<String> urls,
    Map<String, String> annotations) {

  private static final String[] FIELDS = {
    "mediaType", "digest", "size", "platform", "urls", "annotations"
  };
  private static final String[] PLATFORM_FIELDS = {"os", "architecture", "variant"};

  public Descriptor {
    urls = List.copyOf(urls);
    annotations = Map.copyOf(annotations);
  }

  static Descriptor parse(JsonValue v, String where) {
    GoFields f = GoFields.of(v, where, FIELDS);
    String mediaType = f.required(0, "mediaType");
    Digest digest = f.digest(1, "digest");
    long size = f.int64(2, "size", -1);
    if (size < 0) {
      throw CairnException.invalid(where + ": size is missing or negative");
    }
    Platform platform = null;
    JsonValue p = f.value(3);
    if (p != null) {
      GoFields pf = GoFields.of(p, where + ".platform", PLATFORM_FIELDS);
      String os = pf.string(0, "os");
      String arch = pf.string(1, "architecture");
      if (os != null && !os.isEmpty() && arch != null && !arch.isEmpty()) {
        platform = new Platform(os, arch, pf.string(2, "variant"));
      }
    }
    return new Descriptor(
        mediaType, digest, size, platform, f.strings(4, "urls"), f.stringMap(5, "annotations"));
  }
}
