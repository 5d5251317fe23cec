package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.json.GoJsonWriter;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The keys and algorithms of libtrust's JSON web signatures: JWK public keys (EC on P-256, P-384,
 * P-521; RSA), x5c certificate chains, and verification with ES256/ES384/ES512 (raw r||s) or
 * RS256/RS384/RS512 (PKCS#1 v1.5).
 */
final class JwsKeys {
  private JwsKeys() {}

  /** A JWS algorithm: its JDK signature name, and the EC curve it is bound to (null for RSA). */
  enum Algorithm {
    ES256("SHA256withECDSAinP1363Format", Curve.P256),
    ES384("SHA384withECDSAinP1363Format", Curve.P384),
    ES512("SHA512withECDSAinP1363Format", Curve.P521),
    RS256("SHA256withRSA", null),
    RS384("SHA384withRSA", null),
    RS512("SHA512withRSA", null);

    final String jdkName;
    final Curve curve;

    Algorithm(String jdkName, Curve curve) {
      this.jdkName = jdkName;
      this.curve = curve;
    }

    static Algorithm named(String alg) {
      for (Algorithm a : values()) {
        if (a.name().equals(alg)) {
          return a;
        }
      }
      throw CairnException.invalid(
          "unsupported algorithm "
              + CairnException.quote(alg)
              + " (ES256, ES384, ES512, RS256, ...)");
    }
  }

  /** The curves libtrust accepts, by JWK name. */
  enum Curve {
    P256("P-256", "secp256r1", 256),
    P384("P-384", "secp384r1", 384),
    P521("P-521", "secp521r1", 521);

    final String jwkName;
    final int bits;
    final ECParameterSpec spec;

    Curve(String jwkName, String jdkName, int bits) {
      this.jwkName = jwkName;
      this.bits = bits;
      try {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec(jdkName));
        this.spec = p.getParameterSpec(ECParameterSpec.class);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(jdkName + " is part of every JDK", e);
      }
    }

    int octets() {
      return (bits + 7) / 8;
    }

    Algorithm algorithm() {
      return switch (this) {
        case P256 -> Algorithm.ES256;
        case P384 -> Algorithm.ES384;
        case P521 -> Algorithm.ES512;
      };
    }

    static Curve of(ECParameterSpec params) {
      for (Curve c : values()) {
        if (c.spec.getOrder().equals(params.getOrder())
            && c.spec.getCurve().equals(params.getCurve())) {
          return c;
        }
      }
      throw CairnException.invalid("EC key on an unsupported curve (P-256, P-384 or P-521)");
    }
  }

  /** A public key from a JWK object, whose members are given with exact key names (as Go maps). */
  static PublicKey fromJwk(Map<String, String> jwk) {
    String kty = member(jwk, "kty");
    PublicKey key =
        switch (kty) {
          case "EC" -> {
            Curve curve = null;
            String crv = member(jwk, "crv");
            for (Curve c : Curve.values()) {
              if (c.jwkName.equals(crv)) {
                curve = c;
              }
            }
            if (curve == null) {
              throw CairnException.invalid(
                  "jwk: unsupported curve " + CairnException.quote(crv) + " (P-256, P-384, P-521)");
            }
            BigInteger x = coordinate(jwk, "x", curve);
            BigInteger y = coordinate(jwk, "y", curve);
            yield ecKey(curve, x, y);
          }
          case "RSA" -> {
            BigInteger n = new BigInteger(1, base64Url("jwk n", member(jwk, "n")));
            byte[] e = base64Url("jwk e", member(jwk, "e"));
            if (e.length == 0 || e.length > 4) {
              throw CairnException.invalid("jwk e: exponent of " + e.length + " bytes");
            }
            try {
              yield KeyFactory.getInstance("RSA")
                  .generatePublic(new RSAPublicKeySpec(n, new BigInteger(1, e)));
            } catch (GeneralSecurityException ex) {
              throw CairnException.invalid("jwk: not a usable RSA key: " + ex.getMessage());
            }
          }
          default ->
              throw CairnException.invalid(
                  "jwk: unsupported key type " + CairnException.quote(kty) + " (EC or RSA)");
        };
    // libtrust rejects a kid that is present but names another key.
    String kid = jwk.get("kid");
    if (jwk.containsKey("kid") && (kid == null || !kid.equals(keyId(key)))) {
      throw CairnException.invalid(
          "jwk: kid "
              + (kid == null ? "is not a string" : CairnException.quote(kid))
              + " does not match the key, whose ID is "
              + keyId(key));
    }
    return key;
  }

  private static String member(Map<String, String> jwk, String name) {
    String value = jwk.get(name);
    if (value == null) {
      throw CairnException.invalid("jwk: " + name + " is missing or not a string");
    }
    return value;
  }

  private static BigInteger coordinate(Map<String, String> jwk, String name, Curve curve) {
    byte[] b = base64Url("jwk " + name, member(jwk, name));
    if (b.length != curve.octets()) {
      throw CairnException.invalid(
          "jwk " + name + ": " + b.length + " bytes, expected " + curve.octets());
    }
    return new BigInteger(1, b);
  }

  private static ECPublicKey ecKey(Curve curve, BigInteger x, BigInteger y) {
    if (!onCurve(curve.spec, x, y)) {
      throw CairnException.invalid("jwk: the point is not on curve " + curve.jwkName);
    }
    try {
      return (ECPublicKey)
          KeyFactory.getInstance("EC")
              .generatePublic(new ECPublicKeySpec(new ECPoint(x, y), curve.spec));
    } catch (GeneralSecurityException e) {
      throw CairnException.invalid("jwk: not a usable EC key: " + e.getMessage());
    }
  }

  /** y² = x³ + ax + b (mod p), with both coordinates in the field. */
  private static boolean onCurve(ECParameterSpec spec, BigInteger x, BigInteger y) {
    BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
    if (x.signum() < 0 || x.compareTo(p) >= 0 || y.signum() < 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger rhs =
        x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
    return y.multiply(y).mod(p).equals(rhs);
  }

  /**
   * The x5c chain, leaf first: each certificate must be signed by the next one. There is no trust
   * store, so the chain proves nothing about who signed; it only has to hang together.
   */
  static List<X509Certificate> fromX5c(List<String> x5c) {
    List<X509Certificate> chain = new ArrayList<>(x5c.size());
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (int i = 0; i < x5c.size(); i++) {
        byte[] der;
        try {
          der = Base64.getDecoder().decode(stripNewlines(x5c.get(i)));
        } catch (IllegalArgumentException e) {
          throw CairnException.invalid("x5c[" + i + "]: invalid base64: " + e.getMessage());
        }
        try {
          chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
        } catch (GeneralSecurityException e) {
          throw CairnException.invalid("x5c[" + i + "]: not an X.509 certificate");
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X.509 is part of every JDK", e);
    }
    for (int i = 0; i + 1 < chain.size(); i++) {
      try {
        chain.get(i).verify(chain.get(i + 1).getPublicKey());
      } catch (GeneralSecurityException e) {
        throw CairnException.invalid(
            "x5c[" + i + "] is not signed by x5c[" + (i + 1) + "], the next in the chain");
      }
    }
    PublicKey leaf = chain.getFirst().getPublicKey();
    if (leaf instanceof ECPublicKey ec) {
      Curve curve = Curve.of(ec.getParams());
      if (!onCurve(curve.spec, ec.getW().getAffineX(), ec.getW().getAffineY())) {
        throw CairnException.invalid("x5c[0]: the point is not on curve " + curve.jwkName);
      }
    } else if (!(leaf instanceof RSAPublicKey)) {
      throw CairnException.invalid("x5c[0]: key type " + leaf.getAlgorithm() + " (EC or RSA)");
    }
    return List.copyOf(chain);
  }

  /** Verifies {@code signature} over {@code input} as libtrust does; fails naming why. */
  static void verify(PublicKey key, Algorithm alg, byte[] input, byte[] signature) {
    int expectedLength;
    if (key instanceof ECPublicKey ec) {
      Curve curve = Curve.of(ec.getParams());
      if (alg != curve.algorithm()) {
        throw CairnException.invalid(
            "an EC key on curve " + curve.jwkName + " cannot verify algorithm " + alg);
      }
      expectedLength = 2 * curve.octets();
    } else if (key instanceof RSAPublicKey rsa) {
      if (alg.curve != null) {
        throw CairnException.invalid("an RSA key cannot verify algorithm " + alg);
      }
      expectedLength = (rsa.getModulus().bitLength() + 7) / 8;
    } else {
      throw CairnException.invalid("unsupported key type " + key.getAlgorithm());
    }
    if (signature.length != expectedLength) {
      throw CairnException.invalid(
          "signature is " + signature.length + " bytes, expected " + expectedLength);
    }
    boolean ok;
    try {
      Signature s = Signature.getInstance(alg.jdkName);
      s.initVerify(key);
      s.update(input);
      ok = s.verify(signature);
    } catch (java.security.SignatureException | java.security.InvalidKeyException e) {
      ok = false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(alg.jdkName + " is part of every JDK", e);
    }
    if (!ok) {
      throw CairnException.invalid("does not verify over the payload");
    }
  }

  /**
   * libtrust's key ID: SHA-256 of the key's DER SubjectPublicKeyInfo (Go's MarshalPKIXPublicKey,
   * the JDK's getEncoded), the first 240 bits in base32, in twelve groups of four.
   */
  static String keyId(PublicKey key) {
    byte[] sum;
    try {
      sum = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder b = new StringBuilder(59);
    // 30 bytes are exactly 48 five-bit groups.
    for (int bit = 0; bit < 240; bit += 5) {
      int word = ((sum[bit / 8] & 0xff) << 8) | (sum[bit / 8 + 1] & 0xff);
      if (bit > 0 && bit % 20 == 0) {
        b.append(':');
      }
      b.append(alphabet.charAt((word >> (11 - bit % 8)) & 31));
    }
    return b.toString();
  }

  /**
   * The JWK of a public key as libtrust marshals one (a Go map, so its members sorted): EC
   * coordinates at the curve's full width, RSA numbers without leading zero bytes.
   */
  static String jwk(PublicKey key) {
    GoJsonWriter w = new GoJsonWriter();
    switch (key) {
      case ECPublicKey ec -> {
        int bits = ec.getParams().getCurve().getField().getFieldSize();
        int octets = (bits + 7) / 8;
        w.punct('{').name("crv").string("P-" + bits).punct(',');
        w.name("kid").string(keyId(key)).punct(',');
        w.name("kty").string("EC").punct(',');
        w.name("x").string(base64Url(octets(ec.getW().getAffineX(), octets))).punct(',');
        w.name("y").string(base64Url(octets(ec.getW().getAffineY(), octets))).punct('}');
      }
      case RSAPublicKey rsa -> {
        w.punct('{').name("e").string(base64Url(unsigned(rsa.getPublicExponent()))).punct(',');
        w.name("kid").string(keyId(key)).punct(',');
        w.name("kty").string("RSA").punct(',');
        w.name("n").string(base64Url(unsigned(rsa.getModulus()))).punct('}');
      }
      default -> throw new IllegalArgumentException("not an EC or RSA key: " + key.getAlgorithm());
    }
    return new String(w.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** {@code n} big-endian in exactly {@code octets} bytes (JWK's fixed-width EC numbers). */
  static byte[] octets(BigInteger n, int octets) {
    byte[] m = unsigned(n);
    byte[] out = new byte[octets];
    System.arraycopy(m, 0, out, octets - m.length, m.length);
    return out;
  }

  private static byte[] unsigned(BigInteger n) {
    byte[] b = n.toByteArray();
    return b[0] == 0 && b.length > 1 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
  }

  /**
   * libtrust's base64url: padding optional; Go's decoder also skips CR and LF. {@code what} names
   * the field in errors.
   */
  static byte[] base64Url(String what, String text) {
    try {
      return Base64.getUrlDecoder().decode(stripNewlines(text));
    } catch (IllegalArgumentException e) {
      throw CairnException.invalid(what + ": invalid base64url: " + e.getMessage());
    }
  }

  /** Base64url without padding, as libtrust writes it. */
  static String base64Url(byte[] data) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(data);
  }

  private static String stripNewlines(String s) {
    return s.indexOf('\r') < 0 && s.indexOf('\n') < 0 ? s : s.replace("\r", "").replace("\n", "");
  }
}
