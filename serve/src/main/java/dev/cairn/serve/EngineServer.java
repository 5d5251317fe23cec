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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code cairn serve}: a store answering the image part of the Docker Engine API ({@link
 * EngineApi}) on unix sockets and loopback TCP, each request on a virtual thread.
 */
public final class EngineServer implements AutoCloseable {
  private final Server server;
  private final List<Path> sockets;

  private EngineServer(Server server, List<Path> sockets) {
    this.server = server;
    this.sockets = sockets;
  }

  /**
   * Starts answering on {@code hosts} ({@code unix:///path} or {@code tcp://127.0.0.1:PORT}).
   *
   * @throws CairnException INVALID for a host cairn will not listen on (a TCP address not on
   *     loopback: without TLS anyone there could drive the store)
   */
  public static EngineServer start(Store store, List<String> hosts) throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    threads.setName("cairn-serve");
    Server server = new Server(threads);
    List<Path> sockets = new ArrayList<>();
    for (String host : hosts) {
      URI uri = URI.create(host);
      switch (String.valueOf(uri.getScheme())) {
        case "unix" -> {
          Path socket = Path.of(uri.getPath());
          clearStale(socket);
          UnixDomainServerConnector c = new UnixDomainServerConnector(server);
          c.setUnixDomainPath(socket);
          server.addConnector(c);
          sockets.add(socket);
        }
        case "tcp" -> {
          String h = uri.getHost();
          if (h == null || !(h.equals("127.0.0.1") || h.equals("localhost") || h.equals("[::1]"))) {
            throw CairnException.invalid(
                "refusing to listen on "
                    + host
                    + ": without TLS only a loopback address is safe (anyone who reaches it drives"
                    + " the store)");
          }
          ServerConnector c = new ServerConnector(server);
          c.setHost(h);
          c.setPort(uri.getPort());
          server.addConnector(c);
        }
        default ->
            throw CairnException.invalid(
                "cannot listen on " + CairnException.quote(host) + ": use unix:// or tcp://");
      }
    }
    server.setHandler(new EngineApi(store));
    server.setStopTimeout(10_000);
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
    return new EngineServer(server, sockets);
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

  /** Blocks until the server stops. */
  public void join() throws InterruptedException {
    server.join();
  }

  /** Stops taking requests, lets those under way finish, and removes the sockets. */
  @Override
  public void close() throws IOException {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IOException("stopping the server: " + e.getMessage(), e);
    } finally {
      for (Path socket : sockets) {
        Files.deleteIfExists(socket);
      }
    }
  }
}
