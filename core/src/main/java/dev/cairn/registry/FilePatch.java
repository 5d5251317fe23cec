package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;

/**
 * The PATCH of a blob kept in a file, to a registry spoken to in plain HTTP: the file goes to the
 * socket by the kernel ({@link FileChannel#transferTo}, sendfile on Linux), never copied through
 * the JVM, on a connection of its own that closes after the answer. Only the answer's status line
 * and headers are read. Whatever goes wrong fails the attempt, and the caller starts the upload
 * over on the ordinary path.
 */
final class FilePatch {
  private static final long STEP = 8 << 20;
  private static final int MAX_HEAD = 64 << 10;

  private FilePatch() {}

  /** Whether {@code session} may get a file patch: plain HTTP on the registry's own origin. */
  static boolean applies(URI session, URI base) {
    return "http".equals(session.getScheme()) && Redirects.sameOrigin(session, base);
  }

  /**
   * Sends {@code size} bytes of {@code file}; returns the Location the registry answered. The
   * exchange runs on a platform thread: a virtual thread's socket is non-blocking underneath, and
   * sendfile then stops at every full send buffer.
   */
  static URI send(
      URI session,
      Path file,
      long size,
      Optional<String> authorization,
      RegistryOptions options,
      UploadListener listener,
      String what)
      throws IOException {
    URI[] location = new URI[1];
    Throwable[] failure = new Throwable[1];
    Thread t =
        Thread.ofPlatform()
            .name("upload " + file.getFileName())
            .daemon()
            .start(
                () -> {
                  try {
                    location[0] =
                        exchange(session, file, size, authorization, options, listener, what);
                  } catch (Throwable e) {
                    failure[0] = e;
                  }
                });
    try {
      t.join();
    } catch (InterruptedException e) {
      t.interrupt();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(what + ": interrupted");
    }
    switch (failure[0]) {
      case null -> {
        return location[0];
      }
      case IOException io -> throw io;
      case RuntimeException r -> throw r;
      case Error err -> throw err;
      default -> throw new IOException(failure[0]);
    }
  }

  private static URI exchange(
      URI session,
      Path file,
      long size,
      Optional<String> authorization,
      RegistryOptions options,
      UploadListener listener,
      String what)
      throws IOException {
    String target =
        session.getRawPath() + (session.getRawQuery() == null ? "" : "?" + session.getRawQuery());
    StringBuilder head = new StringBuilder();
    head.append("PATCH ").append(target).append(" HTTP/1.1\r\n");
    head.append("Host: ")
        .append(session.getHost())
        .append(':')
        .append(Redirects.port(session))
        .append("\r\n");
    head.append("User-Agent: ").append(options.userAgent()).append("\r\n");
    head.append("Content-Type: ").append(BlobUpload.OCTETS).append("\r\n");
    head.append("Content-Length: ").append(size).append("\r\n");
    authorization.ifPresent(a -> head.append("Authorization: ").append(a).append("\r\n"));
    head.append("Connection: close\r\n\r\n");
    try (SocketChannel channel = SocketChannel.open();
        FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      channel
          .socket()
          .connect(
              new InetSocketAddress(session.getHost(), Redirects.port(session)),
              (int) options.connectTimeout().toMillis());
      ByteBuffer h = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      while (h.hasRemaining()) {
        channel.write(h);
      }
      for (long sent = 0; sent < size; ) {
        long n = in.transferTo(sent, Math.min(STEP, size - sent), channel);
        if (n <= 0) {
          throw new IOException(file + " ended at byte " + sent + " of " + size);
        }
        sent += n;
        listener.sent(n);
      }
      channel.socket().setSoTimeout((int) options.responseTimeout().toMillis());
      return answer(
          new java.io.BufferedInputStream(channel.socket().getInputStream(), 4096), session, what);
    }
  }

  /** Reads the answer's head: a 2xx (202 as the spec says, any as docker takes) with a Location. */
  private static URI answer(InputStream in, URI session, String what) throws IOException {
    String status = line(in);
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP answer: " + CairnException.quote(status));
    }
    String location = null;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      if (colon > 0
          && header.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("location")) {
        location = header.substring(colon + 1).trim();
      }
    }
    if (!parts[1].matches("2[0-9][0-9]")) {
      throw new IOException("answered " + CairnException.quote(status));
    }
    if (location == null) {
      throw CairnException.invalid(what + ": the upload answer has no Location");
    }
    try {
      return session.resolve(location);
    } catch (IllegalArgumentException e) {
      throw CairnException.invalid(what + ": the upload Location is not a URL");
    }
  }

  /** One header line, its CRLF dropped. */
  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("the answer ended within its head");
      }
      if (b.length() == MAX_HEAD) {
        throw new IOException("the answer's head is longer than " + MAX_HEAD + " bytes");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }
}
