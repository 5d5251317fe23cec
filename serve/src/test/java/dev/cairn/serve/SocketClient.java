package dev.cairn.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * HTTP/1.1 over a unix socket, written by hand: the JDK's client speaks only TCP, and a test that
 * hangs up in the middle of an answer needs the connection in its own hands.
 */
final class SocketClient implements AutoCloseable {
  private final SocketChannel channel;
  private final InputStream in;

  private SocketClient(SocketChannel channel) {
    this.channel = channel;
    this.in = Channels.newInputStream(channel);
  }

  /** Sends a request without a body; the answer is read from {@link #in()}. */
  static SocketClient send(Path socket, String method, String target) throws IOException {
    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
    c.connect(UnixDomainSocketAddress.of(socket));
    String request =
        method
            + " "
            + target
            + " HTTP/1.1\r\nHost: api.moby.localhost\r\nContent-Length: 0\r\n"
            + "Connection: close\r\n\r\n";
    c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
    return new SocketClient(c);
  }

  /** The answer as it arrives: status line, headers, body (chunked as the server sent it). */
  InputStream in() {
    return in;
  }

  /** The whole answer of a request on a connection the server closes after it. */
  static String exchange(Path socket, String method, String target) throws IOException {
    try (SocketClient c = send(socket, method, target)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      c.in.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** Reads the answer until {@code text} has come; false if it ended first. */
  boolean readUntil(String text) throws IOException {
    StringBuilder seen = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      seen.append((char) b);
      if (seen.indexOf(text) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Hangs up. */
  @Override
  public void close() throws IOException {
    channel.close();
  }
}
