package dev.cairn.image;

import dev.cairn.image.PrettyJws.Format;
import dev.cairn.json.GoJsonWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Signs JSON documents as libtrust's Sign/SignWithChain and PrettySignature do, with the code a
 * push signs with ({@link PrettyJws}, {@link JwsKeys}), and with what only tests need besides:
 * other curves and RSA, certificate chains, several signers at once, forged formats.
 */
final class LibtrustSigner {
  private LibtrustSigner() {}

  /** A signing key: the JWS algorithm it signs with and, for x5c signatures, its chain. */
  record SigningKey(
      PrivateKey privateKey, PublicKey publicKey, String alg, List<X509Certificate> chain) {
    static SigningKey ec(String curve) throws GeneralSecurityException {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      KeyPair p = g.generateKeyPair();
      String alg =
          switch (curve) {
            case "secp256r1" -> "ES256";
            case "secp384r1" -> "ES384";
            default -> "ES512";
          };
      return new SigningKey(p.getPrivate(), p.getPublic(), alg, List.of());
    }

    static SigningKey rsa() throws GeneralSecurityException {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      KeyPair p = g.generateKeyPair();
      return new SigningKey(p.getPrivate(), p.getPublic(), "RS256", List.of());
    }

    /** The same key announcing another algorithm (for tamper tests). */
    SigningKey claiming(String otherAlg) {
      return new SigningKey(privateKey, publicKey, otherAlg, chain);
    }

    /**
     * An EC P-256 leaf key with the chain [leaf, CA], made by the JDK's keytool (the JDK has no
     * public API to issue certificates).
     */
    static SigningKey withChain(Path dir) throws Exception {
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      Path store = dir.resolve("keys.p12");
      Path leafPem = dir.resolve("leaf.pem");
      Path csr = dir.resolve("leaf.csr");
      String[] common = {
        "-keystore", store.toString(), "-storepass", "changeit", "-storetype", "PKCS12"
      };
      for (String alias : List.of("ca", "leaf")) {
        run(
            concat(
                new String[] {
                  keytool.toString(),
                  "-genkeypair",
                  "-alias",
                  alias,
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-dname",
                  "CN=" + alias,
                  "-validity",
                  "2"
                },
                alias.equals("ca") ? new String[] {"-ext", "bc:c"} : new String[0],
                common));
      }
      run(
          concat(
              new String[] {
                keytool.toString(), "-certreq", "-alias", "leaf", "-file", csr.toString()
              },
              common));
      run(
          concat(
              new String[] {
                keytool.toString(),
                "-gencert",
                "-alias",
                "ca",
                "-infile",
                csr.toString(),
                "-outfile",
                leafPem.toString(),
                "-validity",
                "2"
              },
              common));
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(store)) {
        ks.load(in, "changeit".toCharArray());
      }
      PrivateKey leafKey = (PrivateKey) ks.getKey("leaf", "changeit".toCharArray());
      X509Certificate leaf =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(leafPem)));
      X509Certificate ca = (X509Certificate) ks.getCertificate("ca");
      return new SigningKey(leafKey, leaf.getPublicKey(), "ES256", List.of(leaf, ca));
    }

    private static String[] concat(String[]... parts) {
      return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
    }

    private static void run(String... command) throws IOException, InterruptedException {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed:\n" + log);
      }
    }
  }

  /** When every test signature says it was made. */
  private static final Instant TIME = Instant.parse("2026-01-01T00:00:00Z");

  /** Signs {@code content} with each key, libtrust style. */
  static byte[] sign(byte[] content, SigningKey... keys) throws GeneralSecurityException {
    return sign(content, Format.of(content), keys);
  }

  /** Signs with a given (possibly forged) format in the protected header. */
  static byte[] sign(byte[] content, Format format, SigningKey... keys)
      throws GeneralSecurityException {
    String protectedHeader = PrettySignature.protectedHeader(format, TIME);
    byte[] input = PrettySignature.signingInput(protectedHeader, content);
    List<String> blocks = new ArrayList<>();
    for (SigningKey k : keys) {
      blocks.add(PrettySignature.block(header(k), signature(k, input), protectedHeader));
    }
    // The document is laid out by its real shape, whatever the header claims.
    return PrettySignature.pretty(content, Format.of(content).length(), blocks);
  }

  /** A signature's header as libtrust writes it: jwk (or x5c, after alg), alg. */
  private static String header(SigningKey k) {
    if (k.chain().isEmpty()) {
      return "{\"jwk\":" + JwsKeys.jwk(k.publicKey()) + ",\"alg\":\"" + k.alg() + "\"}";
    }
    List<String> certs = new ArrayList<>();
    for (X509Certificate c : k.chain()) {
      try {
        certs.add('"' + Base64.getEncoder().encodeToString(c.getEncoded()) + '"');
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    return "{\"alg\":\"" + k.alg() + "\",\"x5c\":[" + String.join(",", certs) + "]}";
  }

  /** Signs as the key's own algorithm does, whatever the block claims (for tamper tests). */
  private static byte[] signature(SigningKey k, byte[] input) throws GeneralSecurityException {
    String jdk =
        k.publicKey() instanceof ECPublicKey ec
            ? switch (ec.getParams().getCurve().getField().getFieldSize()) {
              case 256 -> "SHA256withECDSAinP1363Format";
              case 384 -> "SHA384withECDSAinP1363Format";
              default -> "SHA512withECDSAinP1363Format";
            }
            : "SHA256withRSA";
    Signature s = Signature.getInstance(jdk);
    s.initSign(k.privateKey());
    s.update(input);
    return s.sign();
  }

  /** A compact schema1 manifest, fields in the order Docker's struct has them. */
  static String manifest(long schemaVersion, List<String> blobSums, List<String> v1s) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("schemaVersion").number(schemaVersion).punct(',');
    w.name("name").string("library/test").punct(',');
    w.name("tag").string("latest").punct(',');
    w.name("architecture").string("amd64").punct(',');
    w.name("fsLayers").punct('[');
    for (int i = 0; i < blobSums.size(); i++) {
      if (i != 0) {
        w.punct(',');
      }
      w.punct('{').name("blobSum").string(blobSums.get(i)).punct('}');
    }
    w.punct(']').punct(',');
    w.name("history").punct('[');
    for (int i = 0; i < v1s.size(); i++) {
      if (i != 0) {
        w.punct(',');
      }
      w.punct('{').name("v1Compatibility").string(v1s.get(i)).punct('}');
    }
    w.punct(']').punct('}');
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }
}
