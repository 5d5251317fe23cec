package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.Schema1Manifest;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Tells manifest kinds apart by their fields ({@code schemaVersion}, {@code mediaType}, {@code
 * manifests}, {@code layers}, {@code fsLayers}) and refuses a document whose declared type
 * disagrees with them; a schema1 manifest must verify as {@link Schema1Manifest} does, and its
 * digest is taken over the JWS payload.
 */
final class StructuralManifestVerifier implements ManifestVerifier {

  @Override
  public Verified verify(byte[] bytes, String contentType) {
    Object json = JsonText.parse(bytes);
    if (!(json instanceof Map<?, ?> doc)) {
      throw CairnException.invalid("manifest is not a JSON object");
    }
    BigDecimal version = JsonText.member(doc, "schemaVersion", BigDecimal.class);
    String declaredInside = JsonText.member(doc, "mediaType", String.class);
    // List.contains(null) throws: a registry that sends no Content-Type declares nothing.
    String declared =
        contentType != null && MediaTypes.MANIFEST_ACCEPT.contains(contentType)
            ? contentType
            : null;
    if (declared != null && declaredInside != null && !declared.equals(declaredInside)) {
      throw CairnException.invalid(
          "manifest served as " + declared + " says its mediaType is " + printable(declaredInside));
    }
    String type = declared != null ? declared : inferType(doc, version, declaredInside);
    boolean hasManifests = doc.containsKey("manifests");
    boolean hasLayers = doc.containsKey("layers") || doc.containsKey("config");
    if (MediaTypes.isSchema1(type)) {
      requireVersion(type, version, 1);
      if (!(doc.get("fsLayers") instanceof List<?>)) {
        throw CairnException.invalid(type + " manifest has no fsLayers list");
      }
      // Parsing checks every JWS signature and yields the digest over the signed payload.
      return new Verified(type, Schema1Manifest.parse(bytes).digest());
    }
    requireVersion(type, version, 2);
    if (MediaTypes.isIndex(type)) {
      if (hasLayers) {
        throw CairnException.invalid(type + " document has config or layers, as an image manifest");
      }
      if (!(doc.get("manifests") instanceof List<?>)) {
        throw CairnException.invalid(type + " document has no manifests list");
      }
    } else {
      if (hasManifests) {
        throw CairnException.invalid(type + " document has manifests, as an index");
      }
      if (!(doc.get("config") instanceof Map<?, ?>) || !(doc.get("layers") instanceof List<?>)) {
        throw CairnException.invalid(type + " document lacks a config object or a layers list");
      }
    }
    return new Verified(type, Digest.sha256(bytes));
  }

  private static String inferType(Map<?, ?> doc, BigDecimal version, String inside) {
    if (version != null && version.intValue() == 1) {
      return doc.containsKey("signatures")
          ? MediaTypes.DOCKER_SCHEMA1_SIGNED
          : MediaTypes.DOCKER_SCHEMA1;
    }
    if (inside != null) {
      if (!MediaTypes.MANIFEST_ACCEPT.contains(inside)) {
        throw CairnException.invalid("unknown manifest mediaType " + printable(inside));
      }
      return inside;
    }
    if (doc.containsKey("manifests")) {
      return MediaTypes.OCI_INDEX;
    }
    if (doc.containsKey("config")) {
      return MediaTypes.OCI_MANIFEST;
    }
    throw CairnException.invalid("document is no manifest kind cairn knows");
  }

  private static void requireVersion(String type, BigDecimal version, int wanted) {
    if (version == null || version.compareTo(BigDecimal.valueOf(wanted)) != 0) {
      throw CairnException.invalid(
          type + " manifest must have schemaVersion " + wanted + ", has " + version);
    }
  }

  private static String printable(String s) {
    return RegistryErrors.printable(s);
  }
}
