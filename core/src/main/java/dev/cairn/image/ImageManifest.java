package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * A Docker schema2 or OCI image manifest: the config blob and the layers, base first. The bytes are
 * kept as received, and the digest is taken over them.
 *
 * @param mediaType {@link MediaType#DOCKER_MANIFEST} or {@link MediaType#OCI_MANIFEST}
 * @param config the config blob
 * @param layers the layer blobs, base first
 * @param bytes the manifest as received
 */
public record ImageManifest(
    String mediaType, Descriptor config, List<Descriptor> layers, byte[] bytes) {

  /** Manifests larger than this are refused before they are parsed. */
  public static final int MAX_BYTES = 4 << 20;

  private static final String[] FIELDS = {
    "schemaVersion", "mediaType", "config", "layers", "manifests"
  };

  public ImageManifest {
    layers = List.copyOf(layers);
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The manifest digest: sha256 of the bytes as received. */
  public Digest digest() {
    return Digest.sha256(bytes);
  }

  /**
   * Parses an image manifest served as {@code declaredType} (null when the registry sent none): the
   * content must agree with the type, the config must be an image config and every layer a layer
   * cairn can unpack.
   */
  public static ImageManifest parse(byte[] bytes, String declaredType) {
    if (bytes.length > MAX_BYTES) {
      throw CairnException.invalid(
          "manifest is " + bytes.length + " bytes, more than the limit of " + MAX_BYTES);
    }
    GoFields f = GoFields.of(Json.parse(bytes), "manifest", FIELDS);
    String type = typeOf(f, declaredType, "image manifest");
    if (!MediaType.isImageManifest(type)) {
      throw CairnException.invalid(
          "manifest has media type " + CairnException.quote(type) + ", not an image manifest");
    }
    if (f.value(4) != null) {
      throw CairnException.invalid(type + " document has manifests, as an index");
    }
    if (f.value(2) == null) {
      throw CairnException.invalid(type + " document has no config");
    }
    Descriptor config = Descriptor.parse(f.value(2), "manifest config");
    if (!MediaType.isConfig(config.mediaType())) {
      throw CairnException.invalid(
          "manifest config has media type "
              + CairnException.quote(config.mediaType())
              + ": not a container image (an artifact of another kind?)");
    }
    List<JsonValue> items = f.array(3, "layers");
    if (items.isEmpty()) {
      throw CairnException.invalid(type + " document lists no layers");
    }
    List<Descriptor> layers = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Descriptor d = Descriptor.parse(items.get(i), "manifest layer " + i);
      if (MediaType.FOREIGN_LAYERS.contains(d.mediaType())) {
        throw CairnException.invalid(
            "manifest layer "
                + i
                + " is a foreign (non-distributable) layer, which cairn does not fetch");
      }
      if (!MediaType.LAYERS.contains(d.mediaType())) {
        throw CairnException.invalid(
            "manifest layer "
                + i
                + " has media type "
                + CairnException.quote(d.mediaType())
                + ", not a layer cairn can unpack");
      }
      layers.add(d);
    }
    return new ImageManifest(type, config, layers, bytes);
  }

  /**
   * The document's media type: the declared one and the one inside must agree; schemaVersion must
   * be 2. Without either, {@code fallback} decides (OCI documents may omit mediaType).
   */
  static String typeOf(GoFields f, String declaredType, String what) {
    long version = f.int64(0, "schemaVersion", 0);
    if (version != 2) {
      throw CairnException.invalid(what + " must have schemaVersion 2, has " + version);
    }
    String inside = f.string(1, "mediaType");
    if (inside != null && inside.isEmpty()) {
      inside = null;
    }
    if (declaredType != null && inside != null && !declaredType.equals(inside)) {
      throw CairnException.invalid(
          "document served as "
              + declaredType
              + " says its mediaType is "
              + CairnException.quote(inside));
    }
    String type = declaredType != null ? declaredType : inside;
    if (type == null) {
      // OCI documents may leave mediaType out; their fields tell which they are.
      type = f.value(4) != null ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST;
    }
    return type;
  }
}
