package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonNull;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.Member;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Docker schema1 manifest (ARCHITECTURE.md, Strong IDs), parsed from its signed payload: the
 * fields as Docker's Go code decoded them, the payload bytes its digest is computed over, and the
 * verified signatures. {@link #images()} applies the validation and {@link #strongIds()} computes
 * the content-addressable IDs.
 *
 * @param fsLayers the blobSums, top image first, as the manifest lists them
 * @param history the v1Compatibility strings as UTF-8 bytes (what Go's {@code []byte(s)} gives)
 * @param payload the bytes the signatures cover and the digest is taken over
 */
public record Schema1Manifest(
    long schemaVersion,
    String name,
    String tag,
    String architecture,
    List<Digest> fsLayers,
    List<byte[]> history,
    byte[] payload,
    List<Signature> signatures) {

  /** A verified signature: its JWS algorithm, key, libtrust key ID, and x5c chain (or none). */
  public record Signature(
      String algorithm, PublicKey key, String keyId, List<X509Certificate> chain) {}

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final String[] FIELDS = {
    "schemaVersion", "name", "tag", "architecture", "fsLayers", "history"
  };
  private static final Map<String, Integer> FIELD_INDEX = new HashMap<>();

  static {
    for (int i = 0; i < FIELDS.length; i++) {
      FIELD_INDEX.put(FIELDS[i], i);
    }
  }

  public Schema1Manifest {
    fsLayers = List.copyOf(fsLayers);
    history = List.copyOf(history);
    signatures = List.copyOf(signatures);
  }

  /** Parses a manifest, signed or not, verifying every signature over the payload. */
  public static Schema1Manifest parse(byte[] body) {
    return parse(body, null);
  }

  /**
   * Parses a manifest pulled by digest: the payload's digest must equal {@code expected} before
   * anything else is believed; null skips that check.
   */
  public static Schema1Manifest parse(byte[] body, Digest expected) {
    PrettyJws.Parsed jws = PrettyJws.parse(body);
    if (expected != null) {
      verifyDigest(jws.payload(), expected);
    }
    List<Signature> signatures = PrettyJws.verify(jws);
    return decode(jws.payload(), signatures);
  }

  /** The manifest digest: sha256 of the payload, as registries and pulls by digest use it. */
  public Digest digest() {
    return Digest.sha256(payload);
  }

  /** Fails unless the payload hashes to {@code expected} (in its algorithm). */
  public void verifyDigest(Digest expected) {
    verifyDigest(payload, expected);
  }

  private static void verifyDigest(byte[] payload, Digest expected) {
    Digest actual = Digest.of(expected.algorithm(), payload, 0, payload.length);
    if (!actual.equals(expected)) {
      throw CairnException.invalid(
          "manifest digest mismatch: expected " + expected + ", got " + actual);
    }
  }

  /**
   * Validates the manifest as strong IDs require and lists its images base first; an image listed
   * several times in a row appears once (the entry nearest the base is kept, as Docker did).
   */
  public List<Schema1Image> images() {
    if (schemaVersion != 1) {
      throw CairnException.invalid("schemaVersion is " + schemaVersion + ", expected 1");
    }
    if (fsLayers.size() != history.size()) {
      throw CairnException.invalid(
          "fsLayers has "
              + fsLayers.size()
              + " entries but history has "
              + history.size()
              + "; they must pair up");
    }
    if (history.isEmpty()) {
      throw CairnException.invalid("the manifest has no layers (fsLayers and history are empty)");
    }
    int n = history.size();
    List<V1Image> decoded = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String where = "history[" + i + "].v1Compatibility";
      V1Image v1;
      try {
        v1 = V1Image.decode(history.get(i));
      } catch (CairnException e) {
        throw e.in(where);
      }
      if (!HEX64.matcher(v1.id()).matches()) {
        throw CairnException.invalid(
            where + ": id " + CairnException.quote(v1.id()) + " is not 64 lowercase hex");
      }
      decoded.add(v1);
    }
    V1Image base = decoded.get(n - 1);
    if (!base.parent().isEmpty()) {
      throw CairnException.invalid(
          label(n - 1, base)
              + ", the base image, has parent "
              + CairnException.quote(base.parent())
              + "; a base must have none");
    }
    // An ID may repeat only in a run of adjacent entries (one image listed twice).
    Map<String, Integer> firstSeen = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String id = decoded.get(i).id();
      Integer seen = firstSeen.putIfAbsent(id, i);
      if (seen != null && !decoded.get(i - 1).id().equals(id)) {
        throw CairnException.invalid(
            "image "
                + brief(id)
                + " appears at history["
                + seen
                + "] and again at history["
                + i
                + "], not adjacent");
      }
    }
    List<Schema1Image> images = new ArrayList<>(n);
    for (int i = n - 1; i >= 0; i--) {
      V1Image v1 = decoded.get(i);
      if (i < n - 1) {
        String below = decoded.get(i + 1).id();
        if (v1.id().equals(below)) {
          continue; // a repeat of the image below: keep the entry nearest the base
        }
        if (!v1.parent().equals(below)) {
          throw CairnException.invalid(
              label(i, v1)
                  + ": parent is "
                  + (v1.parent().isEmpty() ? "empty" : CairnException.quote(v1.parent()))
                  + " but the next image below, history["
                  + (i + 1)
                  + "], is "
                  + below);
        }
      }
      images.add(new Schema1Image(i, v1.id(), v1.parent(), history.get(i), fsLayers.get(i)));
    }
    return List.copyOf(images);
  }

  /** The strong ID of each of {@link #images()}, base first. */
  public List<Digest> strongIds() {
    List<Digest> ids = new ArrayList<>();
    Digest parent = null;
    for (Schema1Image image : images()) {
      try {
        parent = ImageConfig.strongId(image.v1Compatibility(), image.blobSum(), parent);
      } catch (CairnException e) {
        throw e.in(label(image.index(), image.id()));
      }
      ids.add(parent);
    }
    return List.copyOf(ids);
  }

  private static String label(int index, V1Image v1) {
    return label(index, v1.id());
  }

  private static String label(int index, String id) {
    return "history[" + index + "] (id " + brief(id) + ")";
  }

  /** A validated ID shortened for messages; anything else quoted in full (bounded). */
  private static String brief(String id) {
    return HEX64.matcher(id).matches() ? id.substring(0, 12) + "…" : CairnException.quote(id);
  }

  /** Decodes the manifest fields from the payload with Go's rules, as Docker's structs did. */
  private static Schema1Manifest decode(byte[] payload, List<Signature> signatures) {
    JsonValue root;
    try {
      root = Json.parse(payload);
    } catch (CairnException e) {
      throw e.in("manifest payload");
    }
    long schemaVersion = 0;
    String name = "";
    String tag = "";
    String architecture = "";
    GoDecoder.GoSlice fsLayers =
        new GoDecoder.GoSlice(GoDecoder.structWith("blobSum"), "an array of objects");
    GoDecoder.GoSlice history =
        new GoDecoder.GoSlice(GoDecoder.structWith("v1Compatibility"), "an array of objects");
    switch (root) {
      case JsonObject o -> {
        for (Member m : o.members()) {
          int f = GoDecoder.field(FIELDS, FIELD_INDEX, m.key());
          String path = f < 0 ? "" : FIELDS[f];
          JsonValue v = m.value();
          switch (f) {
            case 0 -> schemaVersion = GoDecoder.int64(path, v, schemaVersion);
            case 1 -> name = GoDecoder.string(path, v, name);
            case 2 -> tag = GoDecoder.string(path, v, tag);
            case 3 -> architecture = GoDecoder.string(path, v, architecture);
            case 4 -> fsLayers.decode(path, v);
            case 5 -> history.decode(path, v);
            default -> {}
          }
        }
      }
      case JsonNull n -> {}
      default -> throw GoDecoder.typeError("", "an object", root);
    }
    List<String> sums = fsLayers.toList() == null ? List.of() : fsLayers.toList();
    List<Digest> blobSums = new ArrayList<>(sums.size());
    for (int i = 0; i < sums.size(); i++) {
      try {
        blobSums.add(Digest.parse(sums.get(i)));
      } catch (CairnException e) {
        throw e.in("fsLayers[" + i + "].blobSum");
      }
    }
    List<byte[]> v1 = new ArrayList<>();
    if (history.toList() != null) {
      for (String s : history.toList()) {
        v1.add(s.getBytes(StandardCharsets.UTF_8));
      }
    }
    return new Schema1Manifest(
        schemaVersion, name, tag, architecture, blobSums, v1, payload, signatures);
  }
}
