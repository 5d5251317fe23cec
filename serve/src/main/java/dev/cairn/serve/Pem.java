package dev.cairn.serve;

import dev.cairn.CairnException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys from PEM files (RFC 7468), as openssl and docker's documentation
 * write them: a key as PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1
 * ({@code EC PRIVATE KEY}); the JDK's key factories read only the first, so the other two are read
 * here into key specs.
 */
final class Pem {
  private Pem() {}

  /** One {@code -----BEGIN LABEL-----} ... {@code -----END LABEL-----} block, its body decoded. */
  record Block(String label, List<String> headers, byte[] der) {}

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);

  /**
   * The blocks of {@code file}, in order; text around them is ignored, as openssl ignores it.
   *
   * @param what what the file is for, to name it in a message ("TLS key")
   */
  static List<Block> blocks(Path file, String what) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      List<String> headers = new ArrayList<>();
      StringBuilder body = new StringBuilder();
      for (String line : m.group(2).split("\\r?\\n")) {
        if (line.contains(":")) {
          headers.add(line.strip()); // RFC 1421 headers, as on a legacy encrypted key
        } else {
          body.append(line.strip());
        }
      }
      try {
        blocks.add(new Block(m.group(1), headers, Base64.getDecoder().decode(body.toString())));
      } catch (IllegalArgumentException e) {
        throw bad(what, file, m.group(1) + " block is not base64: " + e.getMessage());
      }
    }
    if (blocks.isEmpty()) {
      throw bad(what, file, "not PEM (no \"-----BEGIN ...-----\" block)");
    }
    return blocks;
  }

  /**
   * The certificates of {@code file}, in order, at least one; blocks of other kinds are refused.
   */
  static List<X509Certificate> certificates(Path file, String what) throws IOException {
    List<X509Certificate> certs = new ArrayList<>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has X.509", e);
    }
    for (Block b : blocks(file, what)) {
      if (!b.label().equals("CERTIFICATE")) {
        throw bad(what, file, "a " + b.label() + " block where only certificates belong");
      }
      try {
        certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
      } catch (CertificateException e) {
        throw bad(
            what, file, "certificate " + (certs.size() + 1) + " is damaged: " + e.getMessage());
      }
    }
    return certs;
  }

  /**
   * The private key in {@code file}, checked to be the one {@code cert} (read from {@code
   * certFile}) was issued for: a mismatch would otherwise show only as a failed handshake.
   */
  static PrivateKey privateKey(Path file, X509Certificate cert, Path certFile) throws IOException {
    String what = "TLS key";
    List<String> seen = new ArrayList<>();
    Block key = null;
    for (Block b : blocks(file, what)) {
      switch (b.label()) {
        case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY" -> {
          if (key != null) {
            throw bad(what, file, "more than one private key");
          }
          key = b;
        }
        case "ENCRYPTED PRIVATE KEY" -> throw encrypted(file);
        default -> seen.add(b.label());
      }
    }
    if (key == null) {
      throw bad(
          what,
          file,
          "no private key (found "
              + String.join(", ", seen)
              + "; expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }
    if (key.headers().stream()
        .anyMatch(h -> h.startsWith("Proc-Type:") && h.contains("ENCRYPTED"))) {
      throw encrypted(file);
    }
    String algorithm = cert.getPublicKey().getAlgorithm();
    String kind =
        switch (key.label()) {
          case "RSA PRIVATE KEY" -> "RSA";
          case "EC PRIVATE KEY" -> "EC";
          default -> algorithm;
        };
    if (!kind.equals(algorithm)) {
      throw bad(
          what,
          file,
          "an "
              + kind
              + " key, but the certificate in "
              + certFile
              + " is for an "
              + algorithm
              + " key");
    }
    PrivateKey privateKey;
    try {
      KeySpec spec =
          switch (key.label()) {
            case "RSA PRIVATE KEY" -> pkcs1(key.der());
            case "EC PRIVATE KEY" -> sec1(key.der(), (ECPublicKey) cert.getPublicKey());
            default -> new PKCS8EncodedKeySpec(key.der());
          };
      privateKey = KeyFactory.getInstance(algorithm).generatePrivate(spec);
    } catch (InvalidKeySpecException | IllegalArgumentException e) {
      throw bad(
          what,
          file,
          key.label()
              + " is not a valid "
              + algorithm
              + " private key ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + ")");
    } catch (GeneralSecurityException e) {
      throw bad(what, file, "the JDK cannot read " + algorithm + " keys: " + e.getMessage());
    }
    if (!belongs(privateKey, cert)) {
      throw bad(what, file, "not the key of the certificate in " + certFile);
    }
    return privateKey;
  }

  /**
   * PKCS#1 RSAPrivateKey (RFC 8017 A.1.2): version, n, e, d, p, q, d mod (p-1), d mod (q-1), q⁻¹.
   */
  private static KeySpec pkcs1(byte[] der) {
    Der seq = new Der(new Der(der).next(0x30));
    seq.integer(); // version
    return new RSAPrivateCrtKeySpec(
        seq.integer(),
        seq.integer(),
        seq.integer(),
        seq.integer(),
        seq.integer(),
        seq.integer(),
        seq.integer(),
        seq.integer());
  }

  /**
   * SEC1 ECPrivateKey (RFC 5915): version 1 and the private scalar; the curve is the certificate's
   * (a key on another curve then fails the check against the certificate).
   */
  private static KeySpec sec1(byte[] der, ECPublicKey certKey) {
    Der seq = new Der(new Der(der).next(0x30));
    if (!seq.integer().equals(BigInteger.ONE)) {
      throw new IllegalArgumentException("ECPrivateKey version is not 1");
    }
    return new ECPrivateKeySpec(new BigInteger(1, seq.next(0x04)), certKey.getParams());
  }

  /** Whether {@code key} signs what the certificate's public key verifies. */
  private static boolean belongs(PrivateKey key, X509Certificate cert) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
          default -> null; // others (RSASSA-PSS) take parameters: the handshake will tell
        };
    if (algorithm == null) {
      return true;
    }
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(probe);
      byte[] signature = s.sign();
      s.initVerify(cert.getPublicKey());
      s.update(probe);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static CairnException encrypted(Path file) {
    return bad(
        "TLS key",
        file,
        "the key is encrypted, and cairn reads only unencrypted keys (decrypt it with: openssl pkey"
            + " -in "
            + file
            + " -out key.pem)");
  }

  static CairnException bad(String what, Path file, String why) {
    return CairnException.invalid(what + " " + file + ": " + why);
  }

  /** Reads DER (X.690) one element at a time: just what the key structures above need. */
  private static final class Der {
    private final byte[] b;
    private int at;

    Der(byte[] b) {
      this.b = b;
    }

    /** The contents of the next element, which must have tag {@code tag}. */
    byte[] next(int tag) {
      if (at + 2 > b.length || (b[at] & 0xff) != tag) {
        throw new IllegalArgumentException(
            "DER: expected tag 0x" + Integer.toHexString(tag) + " at byte " + at);
      }
      at++;
      int len = b[at++] & 0xff;
      if (len > 0x80) {
        int n = len - 0x80;
        if (n > 3 || at + n > b.length) {
          throw new IllegalArgumentException("DER: bad length at byte " + at);
        }
        len = 0;
        for (int i = 0; i < n; i++) {
          len = (len << 8) | (b[at++] & 0xff);
        }
      } else if (len == 0x80) {
        throw new IllegalArgumentException("DER: indefinite length at byte " + at);
      }
      if (at + len > b.length) {
        throw new IllegalArgumentException("DER: element runs past the end at byte " + at);
      }
      byte[] contents = java.util.Arrays.copyOfRange(b, at, at + len);
      at += len;
      return contents;
    }

    BigInteger integer() {
      return new BigInteger(next(0x02));
    }
  }
}
