package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Tells manifest kinds apart by their fields ({@code schemaVersion}, {@code mediaType}, {@code
 * manifests}, {@code layers}, {@code fsLayers}) and refuses a document whose declared type
 * disagrees with them; a schema1 digest is taken over the JWS payload (libtrust: the body cut at
 * {@code formatLength} plus the decoded {@code formatTail}).
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
    String declared = MediaTypes.MANIFEST_ACCEPT.contains(contentType) ? contentType : null;
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
      return new Verified(type, Digest.sha256(schema1Payload(bytes, doc)));
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

  /** The signed payload; every signature must agree on it. Unsigned: the bytes themselves. */
  static byte[] schema1Payload(byte[] bytes, Map<?, ?> doc) {
    Object sigs = doc.get("signatures");
    if (sigs == null) {
      return bytes;
    }
    if (!(sigs instanceof List<?> list) || list.isEmpty()) {
      throw CairnException.invalid("schema1 manifest: signatures is not a non-empty list");
    }
    byte[] payload = null;
    for (Object sig : list) {
      String protectedHeader = JsonText.member(sig, "protected", String.class);
      if (protectedHeader == null) {
        throw CairnException.invalid("schema1 manifest: a signature has no protected header");
      }
      Object header;
      try {
        header = JsonText.parse(Base64.getUrlDecoder().decode(protectedHeader));
      } catch (IllegalArgumentException e) {
        throw CairnException.invalid("schema1 manifest: protected header is not base64url");
      }
      BigDecimal formatLength = JsonText.member(header, "formatLength", BigDecimal.class);
      String formatTail = JsonText.member(header, "formatTail", String.class);
      if (formatLength == null || formatTail == null) {
        throw CairnException.invalid(
            "schema1 manifest: protected header lacks formatLength or formatTail");
      }
      int length;
      try {
        length = formatLength.intValueExact();
      } catch (ArithmeticException e) {
        length = -1;
      }
      if (length < 0 || length > bytes.length) {
        throw CairnException.invalid(
            "schema1 manifest: formatLength " + formatLength + " outside the document");
      }
      ByteArrayOutputStream p = new ByteArrayOutputStream();
      p.write(bytes, 0, length);
      try {
        p.writeBytes(Base64.getUrlDecoder().decode(formatTail));
      } catch (IllegalArgumentException e) {
        throw CairnException.invalid("schema1 manifest: formatTail is not base64url");
      }
      byte[] candidate = p.toByteArray();
      if (payload != null && !java.util.Arrays.equals(payload, candidate)) {
        throw CairnException.invalid("schema1 manifest: signatures disagree on the payload");
      }
      payload = candidate;
    }
    return payload;
  }

  private static String printable(String s) {
    return RegistryErrors.printable(s);
  }
}
