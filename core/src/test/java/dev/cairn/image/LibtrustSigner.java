package dev.cairn.image;

import dev.cairn.json.GoJsonWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
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
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Signs JSON documents the way libtrust's NewJSONSignature, Sign/SignWithChain and PrettySignature
 * do, for tests: the payload ends where its last member ends, the protected header records the
 * length and the cut tail, and the signatures are added before the closing brace (indented like the
 * document when it is indented).
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

  /** The protected-header fields of one signature, so tests can forge them. */
  record Format(int length, byte[] tail) {}

  /** What libtrust's NewJSONSignature computes for a document: where the payload is cut. */
  static Format format(byte[] content) {
    int close = lastNonSpace(content, content.length);
    if (content[close] != '}') {
      throw new IllegalArgumentException("not a JSON object");
    }
    int last = lastNonSpace(content, close);
    return new Format(last + 1, Arrays.copyOfRange(content, last + 1, content.length));
  }

  /** Signs {@code content} with each key, libtrust style. */
  static byte[] sign(byte[] content, SigningKey... keys) throws GeneralSecurityException {
    return sign(content, format(content), keys);
  }

  /** Signs with a given (possibly forged) format in the protected header. */
  static byte[] sign(byte[] content, Format format, SigningKey... keys)
      throws GeneralSecurityException {
    String protectedHeader =
        b64(
            ("{\"formatLength\":"
                    + format.length()
                    + ",\"formatTail\":\""
                    + b64(format.tail())
                    + "\",\"time\":\"2026-01-01T00:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8));
    byte[] input = (protectedHeader + "." + b64(content)).getBytes(StandardCharsets.US_ASCII);
    List<String> blocks = new ArrayList<>();
    for (SigningKey k : keys) {
      blocks.add(block(k, protectedHeader, signature(k, input)));
    }
    // The document is laid out by its real shape, whatever the header claims.
    return assemble(content, format(content).length(), "[" + String.join(",", blocks) + "]");
  }

  /** A signature block in Go's field order: header (jwk or x5c, alg), signature, protected. */
  static String block(SigningKey k, String protectedHeader, byte[] signature) {
    StringBuilder header = new StringBuilder("{");
    if (k.chain().isEmpty()) {
      header.append("\"jwk\":").append(jwk(k.publicKey())).append(',');
    }
    header.append("\"alg\":\"").append(k.alg()).append('"');
    if (!k.chain().isEmpty()) {
      List<String> certs = new ArrayList<>();
      for (X509Certificate c : k.chain()) {
        try {
          certs.add('"' + Base64.getEncoder().encodeToString(c.getEncoded()) + '"');
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException(e);
        }
      }
      header.append(",\"x5c\":[").append(String.join(",", certs)).append(']');
    }
    header.append('}');
    return "{\"header\":"
        + header
        + ",\"signature\":\""
        + b64(signature)
        + "\",\"protected\":\""
        + protectedHeader
        + "\"}";
  }

  /** PrettySignature: the payload up to formatLength, then the signatures, then the brace. */
  static byte[] assemble(byte[] content, int formatLength, String signaturesJson) {
    String indent = detectIndent(content);
    String head = new String(content, 0, formatLength, StandardCharsets.UTF_8);
    String out =
        indent.isEmpty()
            ? head + ",\"signatures\":" + signaturesJson + "}"
            : head
                + ",\n"
                + indent
                + "\"signatures\": "
                + indent(signaturesJson, indent, indent)
                + "\n}";
    return out.getBytes(StandardCharsets.UTF_8);
  }

  /** Signs as the key's own algorithm does, whatever the block claims (for tamper tests). */
  static byte[] signature(SigningKey k, byte[] input) throws GeneralSecurityException {
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

  /** The JWK of a public key as libtrust marshals it (a Go map: keys sorted). */
  static String jwk(PublicKey key) {
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      int octets = (bits + 7) / 8;
      return "{\"crv\":\"P-"
          + bits
          + "\",\"kid\":\""
          + JwsKeys.keyId(key)
          + "\",\"kty\":\"EC\",\"x\":\""
          + b64(fixed(ec.getW().getAffineX(), octets))
          + "\",\"y\":\""
          + b64(fixed(ec.getW().getAffineY(), octets))
          + "\"}";
    }
    RSAPublicKey rsa = (RSAPublicKey) key;
    return "{\"e\":\""
        + b64(minimal(rsa.getPublicExponent()))
        + "\",\"kid\":\""
        + JwsKeys.keyId(key)
        + "\",\"kty\":\"RSA\",\"n\":\""
        + b64(minimal(rsa.getModulus()))
        + "\"}";
  }

  static String b64(byte[] data) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(data);
  }

  private static byte[] fixed(BigInteger n, int octets) {
    byte[] m = minimal(n);
    byte[] out = new byte[octets];
    System.arraycopy(m, 0, out, octets - m.length, m.length);
    return out;
  }

  private static byte[] minimal(BigInteger n) {
    byte[] b = n.toByteArray();
    return b[0] == 0 && b.length > 1 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static int lastNonSpace(byte[] b, int end) {
    int i = end - 1;
    while (i >= 0 && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
      i--;
    }
    return i;
  }

  /** libtrust's detectJSONIndent: the whitespace before the first key of a "{\n"-document. */
  private static String detectIndent(byte[] content) {
    if (content.length > 2 && content[0] == '{' && content[1] == '\n') {
      int quote = new String(content, 1, content.length - 1, StandardCharsets.UTF_8).indexOf('"');
      if (quote > 0) {
        return new String(content, 2, quote - 1, StandardCharsets.UTF_8);
      }
    }
    return "";
  }

  /** Go's json.Indent of compact JSON: newline, prefix and one indent per level; "key": value. */
  static String indent(String compact, String prefix, String indent) {
    StringBuilder out = new StringBuilder(compact.length() * 2);
    int depth = 0;
    boolean inString = false;
    for (int i = 0; i < compact.length(); i++) {
      char c = compact.charAt(i);
      if (inString) {
        out.append(c);
        if (c == '\\') {
          out.append(compact.charAt(++i));
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      switch (c) {
        case '"' -> {
          inString = true;
          out.append(c);
        }
        case '{', '[' -> {
          char close = c == '{' ? '}' : ']';
          if (compact.charAt(i + 1) == close) {
            out.append(c).append(close);
            i++;
          } else {
            depth++;
            out.append(c).append('\n').append(prefix).append(indent.repeat(depth));
          }
        }
        case '}', ']' -> {
          depth--;
          out.append('\n').append(prefix).append(indent.repeat(depth)).append(c);
        }
        case ',' -> out.append(c).append('\n').append(prefix).append(indent.repeat(depth));
        case ':' -> out.append(c).append(' ');
        default -> out.append(c);
      }
    }
    return out.toString();
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
