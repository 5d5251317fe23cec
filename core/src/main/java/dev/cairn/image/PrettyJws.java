package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonNull;
import dev.cairn.json.JsonValue.JsonNumber;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.JsonValue.Member;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * libtrust's "pretty" JSON web signature, as schema1 manifests carry it: the signed document with a
 * {@code signatures} member added before its closing brace. Each signature's protected header holds
 * {@code formatLength} and {@code formatTail}, which give back the signed payload: the first
 * formatLength bytes of the document followed by the base64url-decoded tail that was cut.
 */
final class PrettyJws {
  private PrettyJws() {}

  /** One signature block, decoded but not yet verified. */
  record Block(int index, String alg, String protectedHeader, byte[] signature, JsonObject header) {
    String label() {
      return "signatures[" + index + "]" + (alg.isEmpty() ? "" : " (" + alg + ")");
    }
  }

  /**
   * The payload and the signature blocks of a document; an unsigned document is its own payload.
   */
  record Parsed(byte[] payload, List<Block> blocks) {}

  private static final String[] SIGNATURE_FIELDS = {"header", "signature", "protected"};
  private static final String[] HEADER_FIELDS = {"jwk", "alg", "x5c"};
  private static final Map<String, Integer> SIGNATURE_INDEX = index(SIGNATURE_FIELDS);
  private static final Map<String, Integer> HEADER_INDEX = index(HEADER_FIELDS);

  static Parsed parse(byte[] body) {
    JsonObject root = Json.parseObject(body, "manifest");
    // Go decodes the document into a map first: the key is exact and the last duplicate wins.
    JsonValue signatures = root.get("signatures");
    if (signatures == null) {
      return new Parsed(body, List.of());
    }
    List<Block> blocks = new ArrayList<>();
    switch (signatures) {
      case JsonArray a -> {
        for (int i = 0; i < a.items().size(); i++) {
          blocks.add(block(i, a.items().get(i)));
        }
      }
      case JsonNull n -> {}
      default -> throw GoDecoder.typeError("signatures", "an array", signatures);
    }
    if (blocks.isEmpty()) {
      throw CairnException.invalid("signatures: the list is empty, so there is no payload");
    }
    int formatLength = -1;
    byte[] formatTail = null;
    for (Block b : blocks) {
      Format f;
      try {
        f = format(b.protectedHeader());
      } catch (CairnException e) {
        throw e.in(b.label() + ": protected header");
      }
      if (formatLength < 0) {
        formatLength = f.length();
        formatTail = f.tail();
      } else if (formatLength != f.length() || !Arrays.equals(formatTail, f.tail())) {
        throw CairnException.invalid(
            b.label()
                + ": formatLength/formatTail disagree with signatures[0], so the signatures"
                + " describe different payloads");
      }
    }
    if (formatLength > body.length) {
      throw CairnException.invalid(
          "signatures: formatLength "
              + formatLength
              + " is beyond the end of the "
              + body.length
              + "-byte manifest");
    }
    byte[] payload = Arrays.copyOf(body, formatLength + formatTail.length);
    System.arraycopy(formatTail, 0, payload, formatLength, formatTail.length);
    return new Parsed(payload, List.copyOf(blocks));
  }

  /** Verifies every block over the payload; each must hold, and each names its key. */
  static List<Schema1Manifest.Signature> verify(Parsed parsed) {
    String encodedPayload = JwsKeys.base64Url(parsed.payload());
    List<Schema1Manifest.Signature> out = new ArrayList<>(parsed.blocks().size());
    for (Block b : parsed.blocks()) {
      try {
        out.add(verify(b, encodedPayload));
      } catch (CairnException e) {
        throw e.in(b.label());
      }
    }
    return List.copyOf(out);
  }

  private static Schema1Manifest.Signature verify(Block b, String encodedPayload) {
    JsonValue jwk = null;
    List<String> x5c = List.of();
    for (Member m : b.header().members()) {
      switch (GoDecoder.field(HEADER_FIELDS, HEADER_INDEX, m.key())) {
        case 0 -> jwk = m.value();
        case 2 -> {
          GoDecoder.GoSlice chain = new GoDecoder.GoSlice();
          chain.decode("header.x5c", m.value());
          x5c = chain.toList() == null ? List.of() : chain.toList();
        }
        default -> {}
      }
    }
    if (b.alg().isEmpty()) {
      throw CairnException.invalid("header.alg is missing");
    }
    JwsKeys.Algorithm alg = JwsKeys.Algorithm.named(b.alg());
    PublicKey key;
    List<X509Certificate> chain = List.of();
    // As libtrust: a certificate chain, when present, names the key; else the JWK.
    if (!x5c.isEmpty()) {
      try {
        chain = JwsKeys.fromX5c(x5c);
      } catch (CairnException e) {
        throw e.in("header");
      }
      key = chain.getFirst().getPublicKey();
    } else if (jwk != null) {
      if (!(jwk instanceof JsonObject o)) {
        throw GoDecoder.typeError("header.jwk", "an object", jwk);
      }
      Map<String, String> members = new HashMap<>();
      for (Member m : o.members()) {
        members.put(m.key(), m.value() instanceof JsonString s ? s.value() : null);
      }
      try {
        key = JwsKeys.fromJwk(members);
      } catch (CairnException e) {
        throw e.in("header");
      }
    } else {
      throw CairnException.invalid("no key: header has neither jwk nor x5c");
    }
    byte[] input = (b.protectedHeader() + "." + encodedPayload).getBytes(StandardCharsets.UTF_8);
    JwsKeys.verify(key, alg, input, b.signature());
    return new Schema1Manifest.Signature(b.alg(), key, JwsKeys.keyId(key), chain);
  }

  private static Block block(int i, JsonValue v) {
    String label = "signatures[" + i + "]";
    if (!(v instanceof JsonObject o)) {
      throw GoDecoder.typeError(label, "an object", v);
    }
    JsonObject header = null;
    String signature = "";
    String protectedHeader = "";
    for (Member m : o.members()) {
      switch (GoDecoder.field(SIGNATURE_FIELDS, SIGNATURE_INDEX, m.key())) {
        case 0 -> {
          switch (m.value()) {
            case JsonObject h -> header = h;
            case JsonNull n -> header = null;
            default -> throw GoDecoder.typeError(label + ".header", "an object", m.value());
          }
        }
        case 1 -> signature = GoDecoder.string(label + ".signature", m.value(), signature);
        case 2 ->
            protectedHeader = GoDecoder.string(label + ".protected", m.value(), protectedHeader);
        default -> {}
      }
    }
    if (header == null) {
      throw CairnException.invalid(label + ": header is missing");
    }
    String alg = "";
    for (Member m : header.members()) {
      if (GoDecoder.field(HEADER_FIELDS, HEADER_INDEX, m.key()) == 1) {
        alg = GoDecoder.string(label + ".header.alg", m.value(), alg);
      }
    }
    byte[] sig = JwsKeys.base64Url(label + ".signature", signature);
    return new Block(i, alg, protectedHeader, sig, header);
  }

  /**
   * Where a signed document is cut: the payload's first {@code length} bytes stay, {@code tail}
   * goes.
   */
  record Format(int length, byte[] tail) {
    /**
     * The cut libtrust's NewJSONSignature makes in a JSON object: just after its last member, so
     * the signatures can follow; what is cut (usually {@code "\n}"}) is the tail.
     */
    static Format of(byte[] document) {
      int close = lastNonSpace(document, document.length);
      if (close < 0 || document[close] != '}') {
        throw new IllegalArgumentException("the document to sign is not a JSON object");
      }
      int cut = lastNonSpace(document, close) + 1;
      return new Format(cut, Arrays.copyOfRange(document, cut, document.length));
    }
  }

  private static int lastNonSpace(byte[] b, int end) {
    int i = end - 1;
    while (i >= 0 && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
      i--;
    }
    return i;
  }

  /** formatLength and formatTail from a protected header, read as libtrust reads them. */
  private static Format format(String protectedHeader) {
    byte[] json = JwsKeys.base64Url("base64url", protectedHeader);
    // libtrust decodes into map[string]interface{}: exact keys, last duplicate wins.
    JsonObject header = Json.parseObject(json, "JSON");
    if (!(header.get("formatLength") instanceof JsonNumber n)) {
      throw CairnException.invalid("formatLength is missing or not a number");
    }
    // A float64 converted to int, as libtrust does; a fraction is truncated.
    double length = Double.parseDouble(n.text());
    if (!(length > -1 && length < Integer.MAX_VALUE)) {
      throw CairnException.invalid("formatLength " + n.text() + " is out of range");
    }
    if (!(header.get("formatTail") instanceof JsonString tail)) {
      throw CairnException.invalid("formatTail is missing or not a string");
    }
    return new Format((int) length, JwsKeys.base64Url("formatTail", tail.value()));
  }

  private static Map<String, Integer> index(String[] names) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], i);
    }
    return m;
  }
}
