package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * libtrust's JSON web signatures at their edges: base64url as Go decodes it, JWK keys (RFC 7517,
 * 7518: EC points on their curve, RSA exponents), and the formatLength/formatTail that give back
 * the signed payload.
 */
class JwsRulesTest {

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  // Go's base64 decoders skip CR and LF wherever they are.
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {"\\nQUJD", "\\rQUJD", "QU\\r\\nJD", "QUJD\\n"})
  void lineBreaksInBase64AreSkipped(String escaped) {
    String text = escaped.replace("\\n", "\n").replace("\\r", "\r");
    assertThat(JwsKeys.base64Url("x", text)).isEqualTo("ABC".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void anRsaExponentIsOneToFourBytes() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    RSAPublicKey rsa = (RSAPublicKey) g.generateKeyPair().getPublic();
    String n = b64(JwsKeys.octets(rsa.getModulus(), 256));
    RSAPublicKey padded =
        (RSAPublicKey)
            JwsKeys.fromJwk(Map.of("kty", "RSA", "n", n, "e", b64(new byte[] {0, 1, 0, 1})));
    assertThat(padded.getPublicExponent()).isEqualTo(BigInteger.valueOf(65537));
    assertThatThrownBy(
            () ->
                JwsKeys.fromJwk(Map.of("kty", "RSA", "n", n, "e", b64(new byte[] {0, 0, 1, 0, 1}))))
        .isInstanceOf(CairnException.class)
        .hasMessage("jwk e: exponent of 5 bytes");
  }

  /** P-256's parameters as the JDK defines them, and the point (0, √b) on the curve. */
  private static Map<String, String> p256(BigInteger x, BigInteger y) {
    return Map.of(
        "kty",
        "EC",
        "crv",
        "P-256",
        "x",
        b64(JwsKeys.octets(x, 32)),
        "y",
        b64(JwsKeys.octets(y, 32)));
  }

  @Test
  void anEcPointMustBeOnItsCurveWithCoordinatesBelowThePrime() throws Exception {
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
    BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
    BigInteger b = spec.getCurve().getB();
    // p ≡ 3 (mod 4), so b^((p+1)/4) is a square root of b when there is one (there is, for P-256).
    BigInteger root = b.modPow(p.add(BigInteger.ONE).shiftRight(2), p);
    assertThat(root.multiply(root).mod(p)).isEqualTo(b);

    ECPublicKey onCurve = (ECPublicKey) JwsKeys.fromJwk(p256(BigInteger.ZERO, root));
    assertThat(onCurve.getW().getAffineX()).isZero();
    for (BigInteger[] bad :
        List.of(
            new BigInteger[] {p, root}, // x = p names the same point, unreduced
            new BigInteger[] {BigInteger.ONE, BigInteger.ONE})) {
      assertThatThrownBy(() -> JwsKeys.fromJwk(p256(bad[0], bad[1])))
          .isInstanceOf(CairnException.class)
          .hasMessage("jwk: the point is not on curve P-256");
    }
  }

  /** A document signed once, with {@code protectedHeader} as its protected header. */
  private static byte[] signedWith(String... protectedHeaders) {
    StringBuilder blocks = new StringBuilder();
    for (String h : protectedHeaders) {
      if (!blocks.isEmpty()) {
        blocks.append(',');
      }
      blocks
          .append("{\"header\":{\"alg\":\"ES256\"},\"signature\":\"\",\"protected\":\"")
          .append(b64(h))
          .append("\"}");
    }
    return ("{\"a\":1,\"signatures\":[" + blocks + "]}").getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "formatLength {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "-1 | formatLength -1 is out of range",
        "2147483647 | formatLength 2147483647 is out of range",
        "2147483646 | formatLength 2147483646 is beyond the end of the"
      })
  void aFormatLengthOutsideTheDocumentIsRefused(String length, String message) {
    byte[] doc = signedWith("{\"formatLength\":" + length + ",\"formatTail\":\"\"}");
    assertThatThrownBy(() -> PrettyJws.parse(doc))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining(message);
  }

  @Test
  void aFormatLengthOfTheWholeDocumentKeepsItAll() {
    String tail = b64("\n}");
    // A three-digit number in the header keeps the document's length, itself of three digits.
    byte[] probe = signedWith("{\"formatLength\":100,\"formatTail\":\"" + tail + "\"}");
    int length = probe.length;
    byte[] doc = signedWith("{\"formatLength\":" + length + ",\"formatTail\":\"" + tail + "\"}");
    assertThat(doc).hasSize(length);
    assertThat(new String(PrettyJws.parse(doc).payload(), StandardCharsets.UTF_8))
        .isEqualTo(new String(doc, StandardCharsets.UTF_8) + "\n}");
  }

  @Test
  void signaturesThatDescribeDifferentPayloadsAreRefused() {
    byte[] doc =
        signedWith(
            "{\"formatLength\":0,\"formatTail\":\"\"}", "{\"formatLength\":5,\"formatTail\":\"\"}");
    assertThatThrownBy(() -> PrettyJws.parse(doc))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("signatures[1] (ES256): formatLength/formatTail disagree");
  }

  // libtrust's NewJSONSignature: the cut is after the last member, before the whitespace and '}'.
  @Test
  void theCutIsAfterTheLastMember() {
    byte[] doc = "{\n   \"a\": 1 \t\r\n}".getBytes(StandardCharsets.UTF_8);
    PrettyJws.Format f = PrettyJws.Format.of(doc);
    assertThat(f.length()).isEqualTo("{\n   \"a\": 1".length());
    assertThat(new String(f.tail(), StandardCharsets.UTF_8)).isEqualTo(" \t\r\n}");
  }

  // libtrust's detectJSONIndent finds no key in "{\n}", so the signatures go on compactly.
  @Test
  void aDocumentWithoutKeysIsSignedCompactly() {
    byte[] out = PrettySignature.pretty("{\n}".getBytes(StandardCharsets.UTF_8), 1, List.of("{}"));
    assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo("{,\"signatures\":[{}]}");
  }
}
