package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain-HTTP registry whose client makes its TLS side only when a URL needs it: a blob redirected
 * to an https host is still fetched over verified TLS.
 */
class RegistryTlsRedirectTest {
  @TempDir static Path temp;
  static HttpServer registry;
  static HttpsServer storage;
  static TestCertificates.Issued identity;
  static final byte[] BLOB = "layer bytes kept elsewhere".getBytes(StandardCharsets.UTF_8);
  static final Digest DIGEST = Digest.sha256(BLOB);
  static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10));

  @BeforeAll
  static void start() throws Exception {
    identity = TestCertificates.selfSigned("cairn test blob storage");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pass = "test".toCharArray();
    ks.setKeyEntry(
        "storage", identity.keys().getPrivate(), pass, new Certificate[] {identity.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    storage = HttpsServer.create(loopback, 0);
    storage.setHttpsConfigurator(new HttpsConfigurator(ctx));
    storage.createContext("/blob", ex -> answer(ex, 200, BLOB));
    storage.start();
    registry = HttpServer.create(loopback, 0);
    registry.createContext(
        "/v2/",
        ex -> {
          if (ex.getRequestURI().getPath().equals("/v2/test/app/blobs/" + DIGEST)) {
            String location = "https://127.0.0.1:" + storage.getAddress().getPort() + "/blob";
            ex.getResponseHeaders().add("Location", location);
            answer(ex, 307, new byte[0]);
          } else {
            answer(ex, 200, "{}".getBytes(StandardCharsets.UTF_8));
          }
        });
    registry.start();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.stop(0);
    }
    if (storage != null) {
      storage.stop(0);
    }
  }

  private static void answer(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (var out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static String host() {
    return "127.0.0.1:" + registry.getAddress().getPort();
  }

  private static byte[] fetch(RegistryOptions options) throws IOException {
    try (Registry r = Registry.open(host(), options.withRetry(FAST));
        InputStream in = r.blob("test/app", DIGEST, BLOB.length)) {
      return in.readAllBytes();
    }
  }

  @Test
  void aRedirectToHttpsTrustsTheGivenAuthority() throws Exception {
    Path ca = Files.writeString(temp.resolve("storage-ca.pem"), identity.pem());
    assertThat(fetch(RegistryOptions.defaults().withCaCertificates(List.of(ca)))).isEqualTo(BLOB);
  }

  @Test
  void aRedirectToHttpsIsVerifiedAgainstTheSystemAuthorities() {
    assertThatThrownBy(() -> fetch(RegistryOptions.defaults()))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
        .hasMessageContaining("fetching blob " + DIGEST)
        .hasMessageContaining("TLS handshake with ")
        .hasMessageContaining("PKIX path building failed")
        .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);
  }

  @Test
  void aBadCaFileIsReportedAtOnceEvenForPlainHttp() throws IOException {
    Path notPem = Files.writeString(temp.resolve("empty.pem"), "");
    assertThatThrownBy(
            () ->
                Registry.open(
                    host(), RegistryOptions.defaults().withCaCertificates(List.of(notPem))))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("holds no certificate");
  }

  @Test
  void onlyHttpsUrlsGetTheTlsClient() throws IOException {
    try (Endpoint t = new Endpoint(host(), host(), RegistryOptions.defaults())) {
      HttpClient plain = t.client(URI.create("http://" + host() + "/v2/"));
      assertThatThrownBy(() -> plain.sslContext().createSSLEngine())
          .isInstanceOf(UnsupportedOperationException.class);
      HttpClient tls = t.client(URI.create("https://storage.example/blob"));
      assertThat(tls).isNotSameAs(plain);
      assertThat(t.client(URI.create("https://other.example/"))).isSameAs(tls);
      assertThat(t.client(URI.create("http://other.example/"))).isSameAs(plain);
    }
  }
}
