package dev.cairn.registry;

import dev.cairn.CairnException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Which URLs the JDK's HTTP client can be sent to. It throws an unchecked exception for the others
 * (a port out of range, no host, a name its URI parser does not take for one), and such URLs come
 * from users and servers: a registry name, a redirect, a token realm. Each is refused beforehand
 * with the reason instead.
 */
final class HttpTargets {
  private HttpTargets() {}

  /**
   * The API's base URL on {@code endpoint}: refused here, with the reason, when the HTTP client
   * could not reach it (a malformed IPv6 address, a port out of range, a name such as {@code a.1}
   * that is neither an IPv4 address nor a host name whose last label starts with a letter).
   */
  static URI baseUri(String host, String endpoint, boolean plainHttp) {
    String problem;
    try {
      URI uri = new URI((plainHttp ? "http://" : "https://") + endpoint + "/");
      problem = problem(uri);
      if (problem == null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      problem =
          endpoint.startsWith("[")
              ? "not a valid IPv6 address"
              : RegistryErrors.printable(e.getReason());
    }
    throw CairnException.invalid(
        "invalid registry host \"" + RegistryErrors.printable(host) + "\": " + problem);
  }

  /**
   * {@code uri} with its scheme in lower case. A server's URL (a redirect, a token realm) may spell
   * it {@code HTTPS}; Go's URL parser, and so docker, lowercases it and follows.
   */
  static URI lowerScheme(URI uri) {
    String scheme = uri.getScheme();
    String lower = scheme == null ? null : scheme.toLowerCase(Locale.ROOT);
    return scheme == null || scheme.equals(lower)
        ? uri
        : URI.create(lower + uri.toString().substring(scheme.length()));
  }

  /** Why the HTTP client cannot be sent to {@code uri}, or null when it can. */
  static String problem(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "not an http or https URL";
    }
    if (uri.getHost() == null) {
      String authority = uri.getRawAuthority();
      if (authority == null || authority.isEmpty()) {
        return "the URL names no host";
      }
      if (authority.startsWith("[")) {
        return "not a valid IPv6 address";
      }
      return "neither an IPv4 address nor a host name whose last label starts with a letter";
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      return "port " + uri.getPort() + " is out of range (1 to 65535)";
    }
    String host = uri.getHost();
    if (!host.startsWith("[")) {
      // DNS limits, which the client's name handling (IDN, TLS server names) enforces by throwing
      if (host.length() > 253) {
        return "host name is longer than 253 characters";
      }
      for (String label : host.split("\\.")) {
        if (label.length() > 63) {
          return "host name label is longer than 63 characters";
        }
      }
    }
    return null;
  }

  /** A URL for a message: without its query, where a signed redirect carries its signature. */
  static String printable(URI uri) {
    String authority = uri.getRawAuthority();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return RegistryErrors.printable(
        uri.getScheme() + ":" + (authority == null ? "" : "//" + authority) + path);
  }
}
