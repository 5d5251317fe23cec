package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The key a store signs schema1 manifests with: an EC P-256 key kept as dockerd keeps its own
 * ({@code key.json}: libtrust's private JWK, compact, mode 0600), made once on first use. {@link
 * #sign} writes libtrust's pretty JWS: the payload up to its closing brace, then the signature,
 * which covers a protected header saying where the payload was cut.
 */
public final class TrustKey {
  private final PrivateKey privateKey;
  private final ECPublicKey publicKey;
  private final String keyId;

  private TrustKey(PrivateKey privateKey, ECPublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = JwsKeys.keyId(publicKey);
  }

  /** libtrust's ID of the key, as its JWK {@code kid} says it. */
  public String keyId() {
    return keyId;
  }

  /**
   * The key in {@code file}, made there first when there is none (the directory with mode 0700, the
   * file 0600; of two processes making one at once, both end with the first one's).
   *
   * @throws CairnException INVALID when the file is not such a key; it is never replaced
   */
  public static TrustKey loadOrCreate(Path file) throws IOException {
    try {
      return load(file);
    } catch (NoSuchFileException absent) {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      KeyPair pair;
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        pair = g.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("EC P-256 is part of every JDK", e);
      }
      TrustKey made = new TrustKey(pair.getPrivate(), (ECPublicKey) pair.getPublic());
      Path temp =
          Files.createTempFile(
              dir,
              ".key-",
              ".json",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.write(temp, made.json((ECPrivateKey) pair.getPrivate()));
        try {
          Files.createLink(file, temp); // never over a key another process made meanwhile
        } catch (FileAlreadyExistsException lost) {
          return load(file);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
      return made;
    }
  }

  /**
   * The key in {@code file} (libtrust's private JWK of an EC P-256 key, as dockerd's key.json).
   *
   * @throws NoSuchFileException when there is no such file
   * @throws IOException naming the file when it cannot be read
   * @throws CairnException INVALID naming the file when it holds no such key
   */
  public static TrustKey load(Path file) throws IOException {
    String where = "trust key " + file;
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException absent) {
      throw absent;
    } catch (IOException e) {
      String why = e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
      throw new IOException(where + ": cannot be read (" + why + ")", e);
    }
    Map<String, String> jwk = new HashMap<>();
    JsonValue parsed;
    try {
      parsed = Json.parse(bytes);
    } catch (CairnException e) {
      throw e.in(where);
    }
    if (!(parsed instanceof JsonObject o)) {
      throw CairnException.invalid(where + ": not a JSON object");
    }
    for (JsonValue.Member m : o.members()) {
      if (m.value() instanceof JsonString s) {
        jwk.put(m.key(), s.value());
      }
    }
    if (!"EC".equals(jwk.get("kty")) || !"P-256".equals(jwk.get("crv")) || !jwk.containsKey("d")) {
      throw CairnException.invalid(where + ": not an EC P-256 private key (kty EC, crv P-256, d)");
    }
    ECPublicKey pub;
    PrivateKey priv;
    try {
      pub = (ECPublicKey) JwsKeys.fromJwk(jwk);
      BigInteger d = new BigInteger(1, JwsKeys.base64Url(where + ": d", jwk.get("d")));
      priv =
          KeyFactory.getInstance("EC")
              .generatePrivate(new ECPrivateKeySpec(d, JwsKeys.Curve.P256.spec));
    } catch (CairnException e) {
      throw e.in(where);
    } catch (GeneralSecurityException e) {
      throw CairnException.invalid(where + ": " + e.getMessage());
    }
    TrustKey key = new TrustKey(priv, pub);
    if (jwk.containsKey("kid") && !jwk.get("kid").equals(key.keyId)) {
      throw CairnException.invalid(where + ": its kid is not the ID of its key");
    }
    return key;
  }

  /** As dockerd writes its key.json: the JWK's members sorted, compact. */
  private byte[] json(ECPrivateKey priv) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("crv").string("P-256").punct(',');
    w.name("d").string(JwsKeys.base64Url(JwsKeys.octets(priv.getS(), 32))).punct(',');
    w.name("kid").string(keyId).punct(',');
    w.name("kty").string("EC").punct(',');
    w.name("x")
        .string(JwsKeys.base64Url(JwsKeys.octets(publicKey.getW().getAffineX(), 32)))
        .punct(',');
    w.name("y")
        .string(JwsKeys.base64Url(JwsKeys.octets(publicKey.getW().getAffineY(), 32)))
        .punct('}');
    return w.toByteArray();
  }

  /**
   * Signs {@code payload} (an indented JSON object) at {@code time}: the pretty JWS libtrust
   * writes, whose payload without the signatures hashes to the manifest's digest.
   */
  public byte[] sign(byte[] payload, Instant time) {
    PrettyJws.Format format = PrettyJws.Format.of(payload);
    String protectedHeader = PrettySignature.protectedHeader(format, time);
    byte[] signature;
    try {
      Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
      s.initSign(privateKey);
      s.update(PrettySignature.signingInput(protectedHeader, payload));
      signature = s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ES256 is part of every JDK", e);
    }
    String header = "{\"jwk\":" + JwsKeys.jwk(publicKey) + ",\"alg\":\"ES256\"}";
    return PrettySignature.pretty(
        payload,
        format.length(),
        List.of(PrettySignature.block(header, signature, protectedHeader)));
  }
}
