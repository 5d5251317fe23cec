package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.RawObject;
import java.nio.charset.StandardCharsets;

/**
 * The content-addressable image configuration of a schema1 image and its strong ID
 * (ARCHITECTURE.md, Strong IDs), byte-exact with Docker 1.9: the v1Compatibility with {@code
 * layer_id} and {@code parent_id} set and {@code id}, {@code parent}, {@code Size} removed, keys
 * sorted, values as written.
 */
public final class ImageConfig {
  /** Images from daemons older than this were re-encoded by Docker before hashing. */
  static final String FALLBACK_BELOW = "1.8.3";

  private ImageConfig() {}

  /**
   * Builds the configuration bytes for one image.
   *
   * @param v1Compatibility the manifest's v1Compatibility, as bytes
   * @param layerDigest the image's layer digest (blobSum); must be sha256
   * @param parent the strong ID of the image below, or null for the base
   */
  public static byte[] of(byte[] v1Compatibility, Digest layerDigest, Digest parent) {
    requireSha256("layer digest", layerDigest);
    if (parent != null) {
      requireSha256("parent ID", parent);
    }
    // Raw values are re-emitted compacted, never re-serialised.
    RawObject config = RawObject.of(asDockerReads(v1Compatibility)).remove("id", "parent", "Size");
    config.putString("layer_id", layerDigest.toString());
    if (parent != null) {
      config.putString("parent_id", parent.toString()); // a base keeps any parent_id it has
    }
    return config.encode();
  }

  /**
   * A v1Compatibility as Docker reads it to derive a config from it (steps 1 and 2 of
   * ARCHITECTURE.md, Strong IDs; its conversion of a schema1 image to a config does the same):
   * decoded with Go's rules, then re-encoded from the decoded fields when it comes from a daemon
   * older than 1.8.3, else as written.
   */
  public static JsonObject asDockerReads(byte[] v1Compatibility) {
    // One parse serves both Go's struct decoding and the raw-value object.
    JsonValue parsed = Json.parse(v1Compatibility);
    V1Image image = GoDecoder.decodeV1Image(parsed);
    if (versionLess(image.dockerVersion(), FALLBACK_BELOW)) {
      return Json.parseObject(image.encode(), "v1Compatibility");
    }
    return (JsonObject) parsed; // a document that decoded with a docker_version is an object
  }

  /** The strong ID: {@code sha256} of {@link #of}. */
  public static Digest strongId(byte[] v1Compatibility, Digest layerDigest, Digest parent) {
    return Digest.sha256(of(v1Compatibility, layerDigest, parent));
  }

  /**
   * Docker's version compare: split on dots, compare components as integers; a component that is
   * not an integer counts as 0 (Go's strconv.Atoi, whose error the comparison ignored).
   */
  static boolean versionLess(String a, String b) {
    String[] x = a.split("\\.", -1);
    String[] y = b.split("\\.", -1);
    int n = Math.max(x.length, y.length);
    for (int i = 0; i < n; i++) {
      long p = i < x.length ? atoi(x[i]) : 0;
      long q = i < y.length ? atoi(y[i]) : 0;
      if (p != q) {
        return p < q;
      }
    }
    return false;
  }

  /**
   * Go's strconv.Atoi with its error ignored, which is what the comparison did: 0 for malformed
   * text; for text of 19 bytes or more, a value that overflows clamps to the int64 extreme (the
   * overflow is noticed digit by digit, before any later bad character).
   */
  static long atoi(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length == 0) {
      return 0;
    }
    boolean neg = b[0] == '-';
    int i = (b[0] == '-' || b[0] == '+') ? 1 : 0;
    if (i == b.length) {
      return 0;
    }
    // Accumulate as uint64, as ParseUint does.
    long n = 0;
    final long cutoff = Long.divideUnsigned(-1L, 10) + 1;
    for (; i < b.length; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return 0;
      }
      if (Long.compareUnsigned(n, cutoff) >= 0) {
        return neg ? Long.MIN_VALUE : Long.MAX_VALUE;
      }
      long n1 = n * 10 + d;
      if (Long.compareUnsigned(n1, n * 10) < 0) {
        return neg ? Long.MIN_VALUE : Long.MAX_VALUE;
      }
      n = n1;
    }
    if (!neg && Long.compareUnsigned(n, Long.MIN_VALUE) >= 0) {
      return Long.MAX_VALUE;
    }
    if (neg && Long.compareUnsigned(n, Long.MIN_VALUE) > 0) {
      return Long.MIN_VALUE;
    }
    return neg ? -n : n;
  }

  private static void requireSha256(String what, Digest d) {
    if (d == null) {
      throw CairnException.invalid(what + " is missing");
    }
    if (d.algorithm() != Digest.Algorithm.SHA256) {
      throw CairnException.invalid(what + " " + d + " is not a sha256 digest");
    }
  }
}
