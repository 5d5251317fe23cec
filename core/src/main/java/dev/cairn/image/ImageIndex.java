package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Docker manifest list or OCI image index: manifests for several platforms.
 *
 * @param mediaType {@link MediaType#DOCKER_LIST} or {@link MediaType#OCI_INDEX}
 * @param manifests the entries in document order
 * @param bytes the document as received
 */
public record ImageIndex(String mediaType, List<Descriptor> manifests, byte[] bytes) {

  /** How many indexes may lead to an image manifest (an index naming an index...). */
  public static final int MAX_DEPTH = 4;

  private static final String[] FIELDS = {
    "schemaVersion", "mediaType", "config", "layers", "manifests"
  };

  public ImageIndex {
    manifests = List.copyOf(manifests);
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  public Digest digest() {
    return Digest.sha256(bytes);
  }

  /** Parses an index served as {@code declaredType} (null when none was sent). */
  public static ImageIndex parse(byte[] bytes, String declaredType) {
    if (bytes.length > ImageManifest.MAX_BYTES) {
      throw CairnException.invalid(
          "index is " + bytes.length + " bytes, more than the limit of " + ImageManifest.MAX_BYTES);
    }
    GoFields f = GoFields.of(Json.parse(bytes), "index", FIELDS);
    String type = ImageManifest.typeOf(f, declaredType, "index");
    if (!MediaType.isIndex(type)) {
      throw CairnException.invalid(
          "document has media type " + CairnException.quote(type) + ", not an index");
    }
    if (f.value(2) != null || f.value(3) != null) {
      throw CairnException.invalid(type + " document has config or layers, as an image manifest");
    }
    if (f.value(4) == null) {
      throw CairnException.invalid(type + " document has no manifests list");
    }
    List<JsonValue> items = f.array(4, "manifests");
    List<Descriptor> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(Descriptor.parse(items.get(i), "index entry " + i));
    }
    return new ImageIndex(type, out, bytes);
  }

  /**
   * The entry to pull for {@code platform}: the best match by {@link Platform#score}, the first
   * among equals. Entries that are neither image manifests nor indexes are passed over.
   *
   * @throws CairnException NOT_FOUND naming the platforms the index has
   */
  public Descriptor select(Platform platform) {
    Descriptor best = null;
    int bestScore = -1;
    for (Descriptor d : manifests) {
      if (d.platform() == null
          || !(MediaType.isImageManifest(d.mediaType()) || MediaType.isIndex(d.mediaType()))) {
        continue;
      }
      int s = platform.score(d.platform());
      if (s > bestScore) {
        best = d;
        bestScore = s;
      }
    }
    if (best == null) {
      String have =
          manifests.stream()
              .filter(d -> d.platform() != null)
              .map(d -> d.platform().toString())
              .distinct()
              .collect(Collectors.joining(", "));
      throw CairnException.notFound(
          "no image for platform "
              + platform
              + " in the index"
              + (have.isEmpty() ? "" : " (it has " + have + ")"));
    }
    return best;
  }
}
