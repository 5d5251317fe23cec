package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Turns a failed exchange with a server into a sentence that names the host and the cause (cannot
 * resolve, refused, timed out, reset, TLS), says whether trying again can help, and makes it the
 * {@link CairnException.Kind#UNAVAILABLE} failure a caller sees. The JDK's own messages are often
 * null or name an internal exception.
 */
final class NetworkErrors {
  private NetworkErrors() {}

  /** An answer's body fell silent for longer than the read timeout. */
  static final class Silence extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;
    private final transient Duration limit;

    Silence(Duration limit) {
      super("no data for " + seconds(limit));
      this.limit = limit;
    }

    Duration limit() {
      return limit;
    }
  }

  /** An answer's body came so slowly that it is as good as silent. */
  static final class Trickle extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;

    Trickle(long bytes, Duration window) {
      super(bytes + " bytes in " + seconds(window));
    }
  }

  /** An answer's body ended before the length it announced or the descriptor gave. */
  static final class Cut extends EOFException {
    private static final long serialVersionUID = 1L;

    Cut(long received, long expected) {
      super("after " + received + " of " + expected + " bytes");
    }
  }

  /** The limits a failure may be reported against. */
  record Limits(Duration connect, Duration response) {
    static Limits of(RegistryOptions o) {
      return new Limits(o.connectTimeout(), o.responseTimeout());
    }
  }

  /**
   * The failure after the last attempt at {@code what}, which names {@code whatHost}; the request
   * went to {@code uri}, whose host the reason names too when it is another (a redirect's).
   */
  static CairnException unavailable(
      String what, String whatHost, URI uri, IOException e, Limits limits, String attempts) {
    return new CairnException(
        CairnException.Kind.UNAVAILABLE,
        what + ": " + reason(e, uri, whatHost, limits) + attempts,
        e);
  }

  /** Whether another attempt may succeed: not for a name that does not resolve, nor bad TLS. */
  static boolean retryable(IOException e) {
    if (has(e, UnresolvedAddressException.class) || has(e, UnknownHostException.class)) {
      return false;
    }
    // A handshake cut by the network is worth another try; a refused certificate is not.
    return !has(e, SSLException.class)
        || has(e, SocketException.class)
        || has(e, EOFException.class);
  }

  /**
   * Why the exchange with {@code uri}'s host failed, in a few words; the host is named unless it is
   * {@code knownHost}, which the message names already. A name that does not resolve is always
   * named.
   */
  static String reason(IOException e, URI uri, String knownHost, Limits limits) {
    String host = hostOf(uri);
    boolean name = !host.equals(knownHost);
    if (has(e, UnresolvedAddressException.class) || has(e, UnknownHostException.class)) {
      return "cannot resolve host " + RegistryErrors.printable(String.valueOf(uri.getHost()));
    }
    if (first(e, Silence.class) instanceof Silence s) {
      return (name ? host + " sent no data" : "no data") + " for " + seconds(s.limit());
    }
    if (first(e, Trickle.class) instanceof Trickle t) {
      return (name ? host + " is too slow: " : "too slow: ") + t.getMessage();
    }
    if (has(e, HttpConnectTimeoutException.class)) {
      return "connecting"
          + (name ? " to " + host : "")
          + " timed out after "
          + seconds(limits.connect());
    }
    if (has(e, HttpTimeoutException.class)) {
      return (name ? host + " did not answer" : "no answer")
          + " within "
          + seconds(limits.response());
    }
    String by = name ? " by " + host : "";
    if (first(e, SSLException.class) instanceof SSLException tls && !isReset(e)) {
      return "TLS handshake" + (name ? " with " + host : "") + " failed: " + message(tls);
    }
    if (isReset(e)) {
      return "connection reset" + by;
    }
    if (first(e, Cut.class) instanceof Cut cut) {
      return "connection closed" + by + " " + cut.getMessage();
    }
    if (has(e, EOFException.class)
        || mentions(e, "eof reached")
        || mentions(e, "received no bytes")
        || mentions(e, "closed")) {
      return "connection closed" + by;
    }
    if (mentions(e, "unreachable") || mentions(e, "no route")) {
      return "no route to " + host;
    }
    if (has(e, ConnectException.class)) {
      return "connection refused" + by;
    }
    return (name ? host + ": " : "") + message(e);
  }

  /** {@code host} or {@code host:port} as the URI names it. */
  static String hostOf(URI uri) {
    String h = uri.getHost() == null ? String.valueOf(uri.getAuthority()) : uri.getHost();
    return RegistryErrors.printable(uri.getPort() >= 0 ? h + ":" + uri.getPort() : h);
  }

  private static boolean isReset(Throwable e) {
    return mentions(e, "connection reset") || mentions(e, "broken pipe");
  }

  static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    return RegistryErrors.printable(m == null ? t.getClass().getSimpleName() : m);
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    return first(e, type) != null;
  }

  private static Throwable first(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return t;
      }
    }
    return null;
  }

  private static boolean mentions(Throwable e, String words) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains(words)) {
        return true;
      }
    }
    return false;
  }
}
