package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Where one registry is reached, and the HTTP clients that reach it: plain HTTP for loopback
 * registries and those listed as insecure, else TLS trusting the system's CAs and any given; the
 * TLS client is made only when something needs it.
 */
final class Endpoint implements AutoCloseable {
  /** Picks the client for a URL by its scheme. */
  @FunctionalInterface
  interface Clients {
    HttpClient forUri(URI uri) throws IOException;
  }

  private final URI base;
  private final boolean plainHttp;
  private final RegistryOptions options;

  /** The client for plain HTTP URLs, without TLS; null when the registry is reached over TLS. */
  private final HttpClient plain;

  /**
   * The client for https URLs. Made at once for a registry reached over TLS, or when CA files are
   * given (a bad one is reported at once); else on first use, as only a redirect or a token realm
   * can need it and loading the system's trust store costs tens of milliseconds.
   */
  private volatile HttpClient tls;

  Endpoint(String host, String endpoint, RegistryOptions options) throws IOException {
    this.plainHttp = usesPlainHttp(endpoint, options);
    this.base = HttpTargets.baseUri(host, endpoint, plainHttp);
    this.options = options;
    // Parameters given, or the client would ask the context for its defaults at once.
    this.plain =
        plainHttp
            ? builder(options).sslContext(NoTls.CONTEXT).sslParameters(new SSLParameters()).build()
            : null;
    this.tls = plainHttp && options.caCertificates().isEmpty() ? null : tlsClient(options);
  }

  /** The registry's base URL ({@code http(s)://host[:port]}). */
  URI base() {
    return base;
  }

  /** Whether the registry itself is spoken to in plain HTTP. */
  boolean plainHttp() {
    return plainHttp;
  }

  private static HttpClient.Builder builder(RegistryOptions options) {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(options.connectTimeout());
  }

  private static HttpClient tlsClient(RegistryOptions options) throws IOException {
    return builder(options).sslContext(sslContext(options.caCertificates())).build();
  }

  /** The client for {@code uri}: the plain one for http when there is one, else the TLS one. */
  HttpClient client(URI uri) throws IOException {
    if (plain != null && uri.getScheme().equals("http")) {
      return plain;
    }
    HttpClient c = tls;
    if (c == null) {
      synchronized (this) {
        c = tls;
        if (c == null) {
          tls = c = tlsClient(options);
        }
      }
    }
    return c;
  }

  /**
   * Loopback registries and those listed as insecure (options, or registries.conf) are spoken to in
   * plain HTTP.
   */
  static boolean usesPlainHttp(String endpoint, RegistryOptions options) {
    String hostOnly = hostWithoutPort(endpoint);
    return options.insecureRegistries().contains(endpoint)
        || options.insecureRegistries().contains(hostOnly)
        || options.registries().insecure(endpoint)
        || isLoopback(hostOnly);
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  static String hostWithoutPort(String endpoint) {
    if (endpoint.startsWith("[")) {
      int close = endpoint.indexOf(']');
      return close < 0 ? endpoint : endpoint.substring(1, close);
    }
    int colon = endpoint.lastIndexOf(':');
    return colon < 0 ? endpoint : endpoint.substring(0, colon);
  }

  private static SSLContext sslContext(List<Path> caFiles) throws IOException {
    try {
      if (caFiles.isEmpty()) {
        return SSLContext.getDefault();
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      TrustManagerFactory system =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      system.init((KeyStore) null);
      int n = 0;
      for (var tm : system.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          for (X509Certificate c : x.getAcceptedIssuers()) {
            store.setCertificateEntry("system-" + n++, c);
          }
        }
      }
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Path file : caFiles) {
        try (InputStream in = Files.newInputStream(file)) {
          var certs = cf.generateCertificates(in);
          if (certs.isEmpty()) {
            throw CairnException.invalid("CA certificate file " + file + " holds no certificate");
          }
          for (var c : certs) {
            store.setCertificateEntry("extra-" + n++, c);
          }
        } catch (java.security.cert.CertificateException e) {
          throw CairnException.invalid(
              "CA certificate file " + file + ": not a PEM certificate: " + e.getMessage());
        }
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("setting up TLS trust: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    // Not close(): it waits for every exchange to finish, and a failed pull can leave a response
    // nobody will read. Whoever closes the registry is done with all of them.
    if (plain != null) {
      plain.shutdownNow();
    }
    HttpClient c = tls;
    if (c != null) {
      c.shutdownNow();
    }
  }

  /**
   * The TLS side of a client that only ever speaks plain HTTP: it refuses every use, where a real
   * context would load the system's trust store for nothing.
   */
  private static final class NoTls extends SSLContextSpi {
    static final SSLContext CONTEXT = new SSLContext(new NoTls(), null, "none") {};

    private static UnsupportedOperationException refused() {
      return new UnsupportedOperationException("this client speaks plain HTTP only");
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
      throw refused();
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw refused();
    }
  }
}
