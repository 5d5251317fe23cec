package dev.cairn.registry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * Self-signed P-256 certificates for loopback test servers, DER-encoded by hand (the JDK has no
 * public certificate builder): CA basic constraints and subjectAltNames 127.0.0.1 and localhost, so
 * both Go (the registry) and the JDK accept them as roots and as server certificates.
 */
final class TestCertificates {
  private TestCertificates() {}

  record Issued(KeyPair keys, X509Certificate certificate) {
    String pem() throws GeneralSecurityException {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    }
  }

  static Issued selfSigned(String commonName) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = g.generateKeyPair();
    byte[] ecdsaSha256 = seq(oid(1, 2, 840, 10045, 4, 3, 2));
    byte[] name = seq(set(seq(oid(2, 5, 4, 3), tlv(0x0c, utf8(commonName)))));
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    DateTimeFormatter utc = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
    byte[] validity =
        seq(
            tlv(0x17, utf8(now.minusHours(1).format(utc))),
            tlv(0x17, utf8(now.plusDays(1).format(utc))));
    byte[] basicConstraints =
        seq(
            oid(2, 5, 29, 19),
            tlv(0x01, new byte[] {(byte) 0xff}),
            octets(seq(tlv(0x01, new byte[] {(byte) 0xff}))));
    byte[] altNames =
        seq(
            oid(2, 5, 29, 17),
            octets(seq(tlv(0x82, utf8("localhost")), tlv(0x87, new byte[] {127, 0, 0, 1}))));
    byte[] tbs =
        seq(
            tlv(0xa0, integer(BigInteger.TWO)),
            integer(new BigInteger(63, new java.security.SecureRandom()).add(BigInteger.ONE)),
            ecdsaSha256,
            name,
            validity,
            name,
            keys.getPublic().getEncoded(),
            tlv(0xa3, seq(basicConstraints, altNames)));
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(keys.getPrivate());
    s.update(tbs);
    byte[] sig = s.sign();
    byte[] bitString = new byte[sig.length + 1];
    System.arraycopy(sig, 0, bitString, 1, sig.length);
    byte[] der = seq(tbs, ecdsaSha256, tlv(0x03, bitString));
    X509Certificate cert =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    return new Issued(keys, cert);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] integer(BigInteger v) {
    return tlv(0x02, v.toByteArray());
  }

  private static byte[] octets(byte[] content) {
    return tlv(0x04, content);
  }

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  private static byte[] oid(int... arcs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(arcs[0] * 40 + arcs[1]);
    for (int i = 2; i < arcs.length; i++) {
      int v = arcs[i];
      byte[] tmp = new byte[5];
      int n = 0;
      do {
        tmp[n++] = (byte) (v & 0x7f);
        v >>>= 7;
      } while (v != 0);
      for (int j = n - 1; j >= 0; j--) {
        out.write(tmp[j] | (j > 0 ? 0x80 : 0));
      }
    }
    return tlv(0x06, out.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len & 0xff);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
