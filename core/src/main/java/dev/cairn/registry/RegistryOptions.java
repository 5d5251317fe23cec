package dev.cairn.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Everything that shapes how cairn talks to registries, as one value.
 *
 * @param insecureRegistries hosts ({@code host} or {@code host:port}) reached over plain HTTP;
 *     loopback hosts always are
 * @param caCertificates PEM files of extra certificate authorities, trusted beside the system ones
 * @param credentials where credentials come from
 * @param connectTimeout the limit for opening a connection
 * @param requestTimeout the limit for an answer's headers to arrive, and for a silence in its body
 * @param retry how failed requests are tried again
 * @param userAgent the User-Agent header
 * @param maxRedirects redirects followed per request before giving up
 */
public record RegistryOptions(
    Set<String> insecureRegistries,
    List<Path> caCertificates,
    CredentialSource credentials,
    Duration connectTimeout,
    Duration requestTimeout,
    RetryPolicy retry,
    String userAgent,
    int maxRedirects) {

  public RegistryOptions {
    insecureRegistries = Set.copyOf(insecureRegistries);
    caCertificates = List.copyOf(caCertificates);
    if (credentials == null || retry == null || userAgent == null) {
      throw new IllegalArgumentException("credentials, retry and userAgent are required");
    }
    if (maxRedirects < 0) {
      throw new IllegalArgumentException("maxRedirects must not be negative");
    }
  }

  /** Anonymous, system trust only, 30 s timeouts, 5 attempts, 10 redirects. */
  public static RegistryOptions defaults() {
    return new RegistryOptions(
        Set.of(),
        List.of(),
        CredentialSource.none(),
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        RetryPolicy.defaults(),
        "cairn/0.1",
        10);
  }

  public RegistryOptions withInsecureRegistries(Set<String> hosts) {
    return new RegistryOptions(
        hosts,
        caCertificates,
        credentials,
        connectTimeout,
        requestTimeout,
        retry,
        userAgent,
        maxRedirects);
  }

  public RegistryOptions withCaCertificates(List<Path> files) {
    return new RegistryOptions(
        insecureRegistries,
        files,
        credentials,
        connectTimeout,
        requestTimeout,
        retry,
        userAgent,
        maxRedirects);
  }

  public RegistryOptions withCredentials(CredentialSource source) {
    return new RegistryOptions(
        insecureRegistries,
        caCertificates,
        source,
        connectTimeout,
        requestTimeout,
        retry,
        userAgent,
        maxRedirects);
  }

  public RegistryOptions withRetry(RetryPolicy policy) {
    return new RegistryOptions(
        insecureRegistries,
        caCertificates,
        credentials,
        connectTimeout,
        requestTimeout,
        policy,
        userAgent,
        maxRedirects);
  }

  public RegistryOptions withTimeouts(Duration connect, Duration request) {
    return new RegistryOptions(
        insecureRegistries,
        caCertificates,
        credentials,
        connect,
        request,
        retry,
        userAgent,
        maxRedirects);
  }

  public RegistryOptions withUserAgent(String agent) {
    return new RegistryOptions(
        insecureRegistries,
        caCertificates,
        credentials,
        connectTimeout,
        requestTimeout,
        retry,
        agent,
        maxRedirects);
  }
}
