package dev.cairn.image;

import static dev.cairn.image.Schema1Fixtures.bytes;
import static dev.cairn.image.Schema1Fixtures.chain;
import static dev.cairn.image.Schema1Fixtures.manifest;
import static dev.cairn.image.Schema1Fixtures.pretty;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.LibtrustSigner.SigningKey;
import dev.cairn.image.PrettyJws.Format;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** libtrust JWS signatures on schema1 manifests: payload recovery, digests, verification. */
class Schema1SignatureTest {
  private static SigningKey p256;
  private static SigningKey p384;
  private static SigningKey rsa;
  private static SigningKey other;

  @BeforeAll
  static void keys() throws GeneralSecurityException {
    p256 = SigningKey.ec("secp256r1");
    p384 = SigningKey.ec("secp384r1");
    rsa = SigningKey.rsa();
    other = SigningKey.ec("secp256r1");
  }

  private static SigningKey key(String alg) {
    return switch (alg) {
      case "ES256" -> p256;
      case "ES384" -> p384;
      default -> rsa;
    };
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ES256", "ES384", "RS256"})
  void aSignedManifestsPayloadIsTheDocumentAsSignedAndItsDigestIsOverThePayload(String alg)
      throws Exception {
    byte[] content = pretty(chain("c", "b", "a"));
    byte[] signed = LibtrustSigner.sign(content, key(alg));
    assertThat(new String(signed, StandardCharsets.UTF_8)).contains("\n   \"signatures\": [\n");

    Schema1Manifest m = Schema1Manifest.parse(signed);

    assertThat(m.payload()).isEqualTo(content);
    assertThat(m.digest()).isEqualTo(Digest.sha256(content));
    assertThat(m.signatures())
        .extracting(Schema1Manifest.Signature::algorithm)
        .containsExactly(alg);
    assertThat(m.signatures().getFirst().key()).isEqualTo(key(alg).publicKey());
    assertThat(m.strongIds())
        .isEqualTo(Schema1Manifest.parse(bytes(manifest(chain("c", "b", "a")))).strongIds());
  }

  @Test
  void compactDocumentsAndSeveralSignaturesVerify() throws Exception {
    byte[] content = bytes(manifest(chain("b", "a")));
    byte[] signed = LibtrustSigner.sign(content, p256, rsa, p384);

    Schema1Manifest m = Schema1Manifest.parse(signed);

    assertThat(m.payload()).isEqualTo(content);
    assertThat(m.signatures())
        .extracting(Schema1Manifest.Signature::algorithm)
        .containsExactly("ES256", "RS256", "ES384");
  }

  @Test
  void anUnsignedManifestIsItsOwnPayload() {
    byte[] body = bytes(manifest(chain("a")));
    Schema1Manifest m = Schema1Manifest.parse(body);
    assertThat(m.payload()).isEqualTo(body);
    assertThat(m.signatures()).isEmpty();
    assertThat(m.digest()).isEqualTo(Digest.sha256(body));
  }

  @Test
  void aCertificateChainInX5cNamesTheKey(@TempDir Path dir) throws Exception {
    SigningKey leaf = SigningKey.withChain(dir);
    byte[] signed = LibtrustSigner.sign(pretty(chain("b", "a")), leaf);
    assertThat(new String(signed, StandardCharsets.UTF_8))
        .contains("\"x5c\"")
        .doesNotContain("\"jwk\"");

    Schema1Manifest.Signature s = Schema1Manifest.parse(signed).signatures().getFirst();

    assertThat(s.chain()).hasSize(2);
    assertThat(s.key()).isEqualTo(leaf.publicKey());

    // The chain must hang together: the leaf signed by someone else's certificate is refused.
    SigningKey broken =
        new SigningKey(
            leaf.privateKey(),
            leaf.publicKey(),
            "ES256",
            List.of(leaf.chain().get(0), leaf.chain().get(0)));
    assertThatThrownBy(() -> Schema1Manifest.parse(LibtrustSigner.sign(pretty(chain("a")), broken)))
        .isInstanceOf(CairnException.class)
        .hasMessage(
            "signatures[0] (ES256): header: x5c[0] is not signed by x5c[1], the next in the chain");
  }

  @Test
  void aRealLibtrustSignedManifestVerifiesAndHasTheRegistrysDigest() throws Exception {
    byte[] body;
    try (InputStream in = getClass().getResourceAsStream("/schema1/registry-signed.json")) {
      body = in.readAllBytes();
    }
    Digest registry =
        Digest.parse("sha256:6f9a928e16d6e6f8450c80f32b7923afe5237a47810463353a3dd3218bf05e22");

    Schema1Manifest m = Schema1Manifest.parse(body, registry);

    assertThat(m.digest()).isEqualTo(registry);
    assertThat(m.signatures()).hasSize(1);
    // libtrust's own key ID, as the signer wrote it into the JWK.
    assertThat(m.signatures().getFirst().keyId())
        .isEqualTo("DQFF:AXRV:6K4D:JPLG:AGLS:AL2A:6NK5:DA2W:WJPE:2W2B:T6HZ:6YEE");
    assertThat(m.images())
        .extracting(Schema1Image::id)
        .containsExactly("ada208d133c9ee4da46930d7121a710436a0f940c34e7ffd86538c1ae51fd1b3");
  }

  @Test
  void aChangedPayloadDoesNotVerify() throws Exception {
    String signed =
        new String(LibtrustSigner.sign(pretty(chain("a")), p256), StandardCharsets.UTF_8);
    String tampered = signed.replace("library/test", "library/tesT");
    assertRejected(tampered, "signatures[0] (ES256): does not verify over the payload");
  }

  @Test
  void aChangedSignatureDoesNotVerify() throws Exception {
    String signed =
        new String(LibtrustSigner.sign(pretty(chain("a")), rsa), StandardCharsets.UTF_8);
    int at = signed.indexOf("\"signature\": \"") + 20;
    String tampered =
        signed.substring(0, at) + (signed.charAt(at) == 'A' ? 'B' : 'A') + signed.substring(at + 1);
    assertRejected(tampered, "signatures[0] (RS256): does not verify over the payload");
  }

  @Test
  void aSignatureClaimingAnotherAlgorithmIsRefused() throws Exception {
    byte[] signed = LibtrustSigner.sign(pretty(chain("a")), p256.claiming("ES384"));
    assertRejected(
        signed, "signatures[0] (ES384): an EC key on curve P-256 cannot verify algorithm ES384");
    assertRejected(
        LibtrustSigner.sign(pretty(chain("a")), rsa.claiming("ES256")),
        "signatures[0] (ES256): an RSA key cannot verify algorithm ES256");
    assertRejected(
        LibtrustSigner.sign(pretty(chain("a")), p256.claiming("HS256")),
        "signatures[0] (HS256): unsupported algorithm \"HS256\"");
  }

  @Test
  void aSignatureFromAnotherKeyThanTheJwkDoesNotVerify() throws Exception {
    String signed =
        new String(LibtrustSigner.sign(bytes(manifest(chain("a"))), p256), StandardCharsets.UTF_8);
    String swapped = signed.replace(JwsKeys.jwk(p256.publicKey()), JwsKeys.jwk(other.publicKey()));
    assertThat(swapped).isNotEqualTo(signed);
    assertRejected(swapped, "signatures[0] (ES256): does not verify over the payload");
  }

  @Test
  void aKidThatNamesAnotherKeyIsRefused() throws Exception {
    String signed =
        new String(LibtrustSigner.sign(bytes(manifest(chain("a"))), p256), StandardCharsets.UTF_8);
    String kid = JwsKeys.keyId(p256.publicKey());
    String forged = signed.replace(kid, JwsKeys.keyId(other.publicKey()));
    assertRejected(
        forged,
        "signatures[0] (ES256): header: jwk: kid \""
            + JwsKeys.keyId(other.publicKey())
            + "\" does not match the key, whose ID is "
            + kid);
  }

  @Test
  void signaturesThatDescribeDifferentPayloadsAreRefused() throws Exception {
    byte[] content = bytes(manifest(chain("a")));
    Format real = Format.of(content);
    byte[] one = LibtrustSigner.sign(content, real, p256);
    byte[] two =
        LibtrustSigner.sign(
            content, new Format(real.length() - 1, new byte[] {'"', '}', '}'}), rsa);
    // Merge the second signature block into the first document.
    String a = new String(one, StandardCharsets.UTF_8);
    String b = new String(two, StandardCharsets.UTF_8);
    String blockTwo = b.substring(b.indexOf("\"signatures\":[") + 14, b.length() - 2);
    String merged = a.substring(0, a.length() - 2) + "," + blockTwo + "]}";
    assertRejected(
        merged,
        "signatures[1] (RS256): formatLength/formatTail disagree with signatures[0], so the signatures describe different payloads");
  }

  @Test
  void aFormatLengthBeyondTheDocumentIsRefused() throws Exception {
    byte[] content = bytes(manifest(chain("a")));
    byte[] signed =
        LibtrustSigner.sign(content, new Format(content.length + 4096, new byte[] {'}'}), p256);
    assertRejected(
        signed,
        "signatures: formatLength " + (content.length + 4096) + " is beyond the end of the");
  }

  @Test
  void malformedSignatureBlocksAreRefused() {
    String doc = manifest(chain("a"));
    String head = doc.substring(0, doc.length() - 1);
    assertRejected(
        head + ",\"signatures\":[]}", "signatures: the list is empty, so there is no payload");
    assertRejected(head + ",\"signatures\":{}}", "field signatures: expected an array, got object");
    assertRejected(
        head + ",\"signatures\":[{\"signature\":\"AAAA\"}]}", "signatures[0]: header is missing");
    assertRejected(
        head
            + ",\"signatures\":[{\"header\":{\"alg\":\"ES256\"},\"signature\":\"AAAA\",\"protected\":\"!!\"}]}",
        "signatures[0] (ES256): protected header: base64url: invalid base64url");
    String protectedHeader =
        JwsKeys.base64Url(bytes("{\"formatLength\":\"12\",\"formatTail\":\"fQ\"}"));
    assertRejected(
        head
            + ",\"signatures\":[{\"header\":{\"alg\":\"ES256\"},\"signature\":\"AAAA\",\"protected\":\""
            + protectedHeader
            + "\"}]}",
        "signatures[0] (ES256): protected header: formatLength is missing or not a number");
  }

  @Test
  void aHeaderWithoutAKeyIsRefused() throws Exception {
    byte[] content = bytes(manifest(chain("a")));
    String signed = new String(LibtrustSigner.sign(content, p256), StandardCharsets.UTF_8);
    String keyless = signed.replace("\"jwk\":" + JwsKeys.jwk(p256.publicKey()) + ",", "");
    assertRejected(keyless, "signatures[0] (ES256): no key: header has neither jwk nor x5c");
  }

  @Test
  void pullingByDigestChecksThePayloadDigestFirst() throws Exception {
    byte[] content = pretty(chain("b", "a"));
    byte[] signed = LibtrustSigner.sign(content, p256);
    Digest right = Digest.sha256(content);
    Digest wrong = Digest.sha256(signed);

    assertThat(Schema1Manifest.parse(signed, right).digest()).isEqualTo(right);
    assertThatThrownBy(() -> Schema1Manifest.parse(signed, wrong))
        .isInstanceOf(CairnException.class)
        .hasMessage("manifest digest mismatch: expected " + wrong + ", got " + right);
    assertThatThrownBy(() -> Schema1Manifest.parse(signed).verifyDigest(wrong))
        .hasMessage("manifest digest mismatch: expected " + wrong + ", got " + right);

    // Even a body whose signatures no longer verify fails on the digest first.
    String tampered =
        new String(signed, StandardCharsets.UTF_8).replace("library/test", "library/tesT");
    assertThatThrownBy(() -> Schema1Manifest.parse(bytes(tampered), right))
        .hasMessageStartingWith("manifest digest mismatch: expected " + right);
  }

  private static void assertRejected(String body, String message) {
    assertRejected(bytes(body), message);
  }

  private static void assertRejected(byte[] body, String message) {
    assertThatThrownBy(() -> Schema1Manifest.parse(body))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessageStartingWith(message);
  }
}
