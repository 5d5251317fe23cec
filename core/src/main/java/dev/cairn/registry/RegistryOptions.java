package dev.cairn.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything that shapes how cairn talks to registries, as one value.
 *
 * @param insecureRegistries hosts ({@code host} or {@code host:port}) reached over plain HTTP;
 *     loopback hosts always are
 * @param caCertificates PEM files of extra certificate authorities, trusted beside the system ones
 * @param credentials where credentials come from
 * @param connectTimeout the limit for opening a connection, TLS handshake included
 * @param responseTimeout the limit for an answer's headers to arrive once the request is sent
 * @param readTimeout the longest silence accepted in the middle of an answer's body
 * @param retry how failed requests are tried again
 * @param userAgent the User-Agent header
 * @param maxRedirects redirects followed per request before giving up
 * @param registries registries.conf: where names are pulled from (mirrors, locations), which hosts
 *     are insecure or blocked
 */
public record RegistryOptions(
    Set<String> insecureRegistries,
    List<Path> caCertificates,
    CredentialSource credentials,
    Duration connectTimeout,
    Duration responseTimeout,
    Duration readTimeout,
    RetryPolicy retry,
    String userAgent,
    int maxRedirects,
    RegistriesConf registries) {

  public RegistryOptions {
    insecureRegistries = Set.copyOf(insecureRegistries);
    caCertificates = List.copyOf(caCertificates);
    if (credentials == null || retry == null || userAgent == null || registries == null) {
      throw new IllegalArgumentException(
          "credentials, retry, userAgent and registries are required");
    }
    for (Duration d : new Duration[] {connectTimeout, responseTimeout, readTimeout}) {
      // The HTTP client takes nothing shorter than a millisecond.
      if (d == null || d.toMillis() < 1) {
        throw new IllegalArgumentException("timeouts must be at least 1 ms, got " + d);
      }
    }
    if (maxRedirects < 0) {
      throw new IllegalArgumentException("maxRedirects must not be negative");
    }
  }

  /**
   * Anonymous, system trust only; 10 s to connect, 30 s for an answer to begin and 30 s of silence
   * in its body; retries as {@link RetryPolicy#defaults()}; 10 redirects.
   */
  public static RegistryOptions defaults() {
    return new RegistryOptions(
        Set.of(),
        List.of(),
        CredentialSource.none(),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        RetryPolicy.defaults(),
        "cairn/0.1",
        10,
        RegistriesConf.none());
  }

  public RegistryOptions withInsecureRegistries(Set<String> hosts) {
    return new RegistryOptions(
        hosts,
        caCertificates,
        credentials,
        connectTimeout,
        responseTimeout,
        readTimeout,
        retry,
        userAgent,
        maxRedirects,
        registries);
  }

  public RegistryOptions withCaCertificates(List<Path> files) {
    return new RegistryOptions(
        insecureRegistries,
        files,
        credentials,
        connectTimeout,
        responseTimeout,
        readTimeout,
        retry,
        userAgent,
        maxRedirects,
        registries);
  }

  public RegistryOptions withCredentials(CredentialSource source) {
    return new RegistryOptions(
        insecureRegistries,
        caCertificates,
        source,
        connectTimeout,
        responseTimeout,
        readTimeout,
        retry,
        userAgent,
        maxRedirects,
        registries);
  }

  public RegistryOptions withRetry(RetryPolicy policy) {
    return new RegistryOptions(
        insecureRegistries,
        caCertificates,
        credentials,
        connectTimeout,
        responseTimeout,
        readTimeout,
        policy,
        userAgent,
        maxRedirects,
        registries);
  }

  /**
   * The connect limit, and one limit for silence after a request: for its answer to begin and
   * within its body.
   */
  public RegistryOptions withTimeouts(Duration connect, Duration silence) {
    return withTimeouts(connect, silence, silence);
  }

  public RegistryOptions withTimeouts(Duration connect, Duration response, Duration read) {
    return new RegistryOptions(
        insecureRegistries,
        caCertificates,
        credentials,
        connect,
        response,
        read,
        retry,
        userAgent,
        maxRedirects,
        registries);
  }

  public RegistryOptions withUserAgent(String agent) {
    return new RegistryOptions(
        insecureRegistries,
        caCertificates,
        credentials,
        connectTimeout,
        responseTimeout,
        readTimeout,
        retry,
        agent,
        maxRedirects,
        registries);
  }

  /** Pulls names as {@code conf} says: through its mirrors, from its locations, not its blocked. */
  public RegistryOptions withRegistries(RegistriesConf conf) {
    return new RegistryOptions(
        insecureRegistries,
        caCertificates,
        credentials,
        connectTimeout,
        responseTimeout,
        readTimeout,
        retry,
        userAgent,
        maxRedirects,
        conf);
  }

  /**
   * With the machine's registries.conf (and its drop-ins) and docker's daemon.json, as {@code env}
   * names them ({@link RegistriesConf#path}, {@link DaemonJson#path}): locations, blocked names,
   * insecure hosts, and Docker Hub's mirrors, {@code mirrorUrls} ({@code --registry-mirror}) first,
   * then daemon.json's, then the file's.
   *
   * @throws dev.cairn.CairnException INVALID naming the file (and line) that is wrong, or the URL
   */
  public RegistryOptions withMachineConfiguration(Map<String, String> env, List<String> mirrorUrls)
      throws IOException {
    DaemonJson daemon = DaemonJson.load(env);
    List<RegistriesConf.Mirror> hub = new ArrayList<>();
    for (String url : mirrorUrls) {
      hub.add(DaemonJson.mirror(url, null));
    }
    hub.addAll(daemon.mirrors());
    Set<String> insecure = new HashSet<>(insecureRegistries);
    insecure.addAll(daemon.insecure());
    return withInsecureRegistries(insecure)
        .withRegistries(RegistriesConf.load(env).withDockerHubMirrors(hub, daemon.file()));
  }
}
