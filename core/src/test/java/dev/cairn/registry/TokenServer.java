package dev.cairn.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A token server for the distribution token auth flow, over TLS on loopback: it signs ES256 JWTs
 * (x5c header with its certificate, which the registry trusts through {@code rootcertbundle}) that
 * grant the requested scopes to {@code user}/{@code password}, and nothing to anonymous callers.
 */
public final class TokenServer implements AutoCloseable {
  public static final String SERVICE = "cairn-test-registry";
  public static final String ISSUER = "cairn-test-issuer";

  private final HttpsServer server;
  private final TestCertificates.Issued identity;
  private final String user;
  private final String password;
  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicInteger expiredToIssue = new AtomicInteger();
  public final List<String> scopesAsked = new CopyOnWriteArrayList<>();

  public TokenServer(String user, String password) throws IOException, GeneralSecurityException {
    this.user = user;
    this.password = password;
    this.identity = TestCertificates.selfSigned("cairn test token server");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pass = "test".toCharArray();
    ks.setKeyEntry(
        "token", identity.keys().getPrivate(), pass, new Certificate[] {identity.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    server.createContext("/token", this::token);
    server.start();
  }

  public String realm() {
    return "https://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  /** The certificate, PEM: the registry's rootcertbundle and the client's extra CA. */
  public String certificatePem() throws GeneralSecurityException {
    return identity.pem();
  }

  public int issued() {
    return issued.get();
  }

  /** The next {@code n} tokens are already expired when issued (as after a clock jump). */
  void issueExpired(int n) {
    expiredToIssue.set(n);
  }

  private void token(HttpExchange ex) throws IOException {
    try (ex) {
      List<String> scopes = new ArrayList<>();
      String service = null;
      String query = ex.getRequestURI().getRawQuery();
      for (String kv : query == null ? new String[0] : query.split("&")) {
        String[] p = kv.split("=", 2);
        String v = p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "";
        if (p[0].equals("scope")) {
          scopes.add(v);
        } else if (p[0].equals("service")) {
          service = v;
        }
      }
      scopesAsked.addAll(scopes);
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      String expected =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      if (auth != null && !auth.equals(expected)) {
        byte[] body = "{\"details\":\"bad credentials\"}".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(401, body.length);
        ex.getResponseBody().write(body);
        return;
      }
      boolean granted = auth != null && SERVICE.equals(service);
      StringBuilder access = new StringBuilder();
      for (String scope : granted ? scopes : List.<String>of()) {
        String[] parts = scope.split(":");
        if (parts.length == 3) {
          String actions = String.join("\",\"", parts[2].split(","));
          access.append(access.isEmpty() ? "" : ",");
          access.append(
              "{\"type\":\"%s\",\"name\":\"%s\",\"actions\":[\"%s\"]}"
                  .formatted(parts[0], parts[1], actions));
        }
      }
      long now = Instant.now().getEpochSecond();
      long exp = expiredToIssue.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? now - 600 : now + 300;
      String header =
          "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"%s\"]}"
              .formatted(Base64.getEncoder().encodeToString(identity.certificate().getEncoded()));
      String claims =
          ("{\"iss\":\"%s\",\"sub\":\"%s\",\"aud\":\"%s\",\"exp\":%d,\"nbf\":%d,\"iat\":%d,"
                  + "\"jti\":\"%d\",\"access\":[%s]}")
              .formatted(
                  ISSUER,
                  auth == null ? "" : user,
                  SERVICE,
                  exp,
                  now - 1200,
                  now - 1200,
                  issued.incrementAndGet(),
                  access);
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String signingInput =
          b64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
              + "."
              + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
      Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
      s.initSign(identity.keys().getPrivate());
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      String jwt = signingInput + "." + b64.encodeToString(s.sign());
      byte[] body =
          "{\"token\":\"%s\",\"expires_in\":300,\"issued_at\":\"%s\"}"
              .formatted(jwt, Instant.ofEpochSecond(now))
              .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  /**
   * The registry's {@code auth:} section that trusts this server's tokens, its certificate written
   * to a bundle file in {@code dir}.
   */
  public String registryAuth(Path dir) throws IOException, GeneralSecurityException {
    Path bundle = Files.createTempFile(dir, "bundle", ".pem");
    Files.writeString(bundle, certificatePem());
    return """
        auth:
          token:
            realm: %s
            service: %s
            issuer: %s
            rootcertbundle: %s
        """
        .formatted(realm(), SERVICE, ISSUER, bundle);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
