package dev.cairn.serve;

import dev.cairn.CairnException;
import dev.cairn.store.Store;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code cairn serve}: a store answering the image part of the Docker Engine API ({@link
 * EngineApi}) on unix sockets, loopback TCP and TCP with TLS, each request on a virtual thread.
 */
public final class EngineServer implements AutoCloseable {
  /** How long a stop lets requests under way finish before it interrupts them. */
  static final Duration GRACE = Duration.ofSeconds(10);

  private final Server server;
  private final EngineApi api;
  private final List<Path> sockets;
  private final Duration grace;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closing = new AtomicBoolean();

  private EngineServer(Server server, EngineApi api, List<Path> sockets, Duration grace) {
    this.server = server;
    this.api = api;
    this.sockets = sockets;
    this.grace = grace;
  }

  /**
   * TLS for the TCP hosts, as dockerd's {@code --tlsverify}: the server presents {@code cert} (a
   * PEM chain, leaf first) with {@code key} (PEM: PKCS#8, PKCS#1 or SEC1), and takes only clients
   * whose certificate one of the PEM certificates in {@code ca} issued. TLS 1.2 and 1.3.
   */
  public record Tls(Path cert, Path key, Path ca) {
    public Tls {
      Objects.requireNonNull(cert, "cert");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(ca, "ca");
    }

    /**
     * The server's context, read from the files.
     *
     * @throws CairnException INVALID naming the file that is not what it should be, and why
     */
    SSLContext context() throws IOException {
      List<X509Certificate> chain = Pem.certificates(cert, "TLS certificate");
      PrivateKey privateKey = Pem.privateKey(key, chain.getFirst(), cert);
      List<X509Certificate> authorities = Pem.certificates(ca, "TLS CA");
      try {
        char[] none = new char[0];
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", privateKey, none, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(keys, none);
        // only these CAs: the system's would let anyone with a public certificate in
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
          trusted.setCertificateEntry("ca-" + i, authorities.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
      } catch (GeneralSecurityException e) {
        throw CairnException.invalid(
            "TLS: the JDK refuses " + cert + " and " + key + ": " + e.getMessage());
      }
    }
  }

  /**
   * Starts answering on {@code hosts} ({@code unix:///path} or {@code tcp://127.0.0.1:PORT}).
   *
   * @throws CairnException INVALID for a host cairn will not listen on (a TCP address not on
   *     loopback: without TLS anyone there could drive the store)
   */
  public static EngineServer start(Store store, List<String> hosts) throws IOException {
    return start(store, hosts, null, GRACE);
  }

  /**
   * As {@link #start(Store, List)}, TCP hosts with {@code tls} (then on any address), or without
   * when it is null.
   *
   * @throws CairnException INVALID for a host cairn will not listen on, or a TLS file that is not
   *     what it should be
   */
  public static EngineServer start(Store store, List<String> hosts, Tls tls) throws IOException {
    return start(store, hosts, tls, GRACE);
  }

  /**
   * As {@link #start(Store, List, Tls)}, letting requests under way finish for {@code grace} at a
   * stop.
   */
  static EngineServer start(Store store, List<String> hosts, Tls tls, Duration grace)
      throws IOException {
    SslContextFactory.Server ssl = tls == null ? null : sslFactory(tls.context());
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    threads.setName("cairn-serve");
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    // Clients that build paths from URI templates (docker-java) send the slashes of an image name
    // escaped, /images/a%2Fb/json; dockerd takes %2F as the slash it stands for, and so must cairn
    http.setUriCompliance(
        UriCompliance.DEFAULT.with("dockerd", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
    List<Path> sockets = new ArrayList<>();
    for (String host : hosts) {
      URI uri = URI.create(host);
      switch (String.valueOf(uri.getScheme())) {
        case "unix" -> {
          Path socket = Path.of(uri.getPath());
          clearStale(socket);
          UnixDomainServerConnector c =
              new UnixDomainServerConnector(server, new HttpConnectionFactory(http));
          c.setUnixDomainPath(socket);
          server.addConnector(c);
          sockets.add(socket);
        }
        case "tcp" -> {
          String h = uri.getHost();
          if (uri.getPort() < 0) {
            throw CairnException.invalid(
                "cannot listen on " + CairnException.quote(host) + ": use tcp://ADDRESS:PORT");
          }
          if (ssl == null
              && (h == null
                  || !(h.equals("127.0.0.1") || h.equals("localhost") || h.equals("[::1]")))) {
            throw CairnException.invalid(
                "refusing to listen on "
                    + host
                    + ": without TLS only a loopback address is safe (anyone who reaches it drives"
                    + " the store)");
          }
          ServerConnector c =
              ssl == null
                  ? new ServerConnector(server, new HttpConnectionFactory(http))
                  : new ServerConnector(
                      server,
                      new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                      new HttpConnectionFactory(http));
          c.setHost(h); // null: every address
          c.setPort(uri.getPort());
          server.addConnector(c);
        }
        default ->
            throw CairnException.invalid(
                "cannot listen on " + CairnException.quote(host) + ": use unix:// or tcp://");
      }
    }
    EngineApi api = new EngineApi(store);
    server.setHandler(new GracefulHandler(api));
    server.setStopTimeout(grace.toMillis());
    try {
      server.start();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("starting the server: " + e.getMessage(), e);
    }
    for (Path socket : sockets) {
      // rw for the owner and the group (docker, where it exists), as dockerd's socket
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
      try {
        Files.getFileAttributeView(socket, java.nio.file.attribute.PosixFileAttributeView.class)
            .setGroup(
                socket
                    .getFileSystem()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName("docker"));
      } catch (java.nio.file.attribute.UserPrincipalNotFoundException noDockerGroup) {
        // the owner's group, then
      }
    }
    return new EngineServer(server, api, sockets, grace);
  }

  /** Jetty's TLS over {@code context}: a client certificate required, nothing below TLS 1.2. */
  private static SslContextFactory.Server sslFactory(SSLContext context) {
    SslContextFactory.Server f = new SslContextFactory.Server();
    f.setSslContext(context);
    f.setNeedClientAuth(true);
    f.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    return f;
  }

  /**
   * Where the server listens: its hosts as given, a TCP port 0 replaced by the port it was given.
   */
  public List<String> hosts() {
    List<String> hosts = new ArrayList<>();
    for (Connector c : server.getConnectors()) {
      switch (c) {
        case UnixDomainServerConnector u -> hosts.add("unix://" + u.getUnixDomainPath());
        case ServerConnector t ->
            hosts.add("tcp://" + (t.getHost() == null ? "" : t.getHost()) + ":" + t.getLocalPort());
        default -> {}
      }
    }
    return hosts;
  }

  /** A socket file nobody answers on is a leftover of a server that died; one in use is not. */
  private static void clearStale(Path socket) throws IOException {
    if (!Files.exists(socket)) {
      return;
    }
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(socket));
      throw CairnException.invalid("something already answers on " + socket);
    } catch (IOException nobody) {
      Files.delete(socket);
    }
  }

  /** Blocks until the server has stopped and nothing it started is still running. */
  public void join() throws InterruptedException {
    stopped.await();
  }

  /**
   * Stops taking requests, lets those under way finish for the grace period, then interrupts what
   * is left (a pull so cut short keeps only what it committed) and waits as long again for it to
   * end; removes the sockets. The store may be closed once this returns.
   */
  @Override
  public void close() throws IOException {
    if (!closing.compareAndSet(false, true)) {
      try {
        stopped.await(); // another close is under way: this one returns when it has done
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try {
      server.stop();
    } catch (Exception e) {
      // the grace period ran out: Jetty has stopped the rest, and what still runs is interrupted
      if (!(e instanceof TimeoutException || e.getCause() instanceof TimeoutException)) {
        throw new IOException("stopping the server: " + e.getMessage(), e);
      }
    } finally {
      try {
        if (!api.interruptAndAwait(System.nanoTime() + grace.toNanos())) {
          throw new IOException(
              "stopping the server: requests still running "
                  + grace.toSeconds()
                  + " s after"
                  + " they were interrupted");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        for (Path socket : sockets) {
          Files.deleteIfExists(socket);
        }
        stopped.countDown();
      }
    }
  }
}
