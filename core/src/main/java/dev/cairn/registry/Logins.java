package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code login} and {@code logout} as the docker CLI does them: credentials are checked against the
 * registry first, then kept in the docker CLI's {@code config.json} (an {@code auths} entry with
 * {@code auth} = base64 of user:password) or handed to the configured credential helper, which then
 * leaves an empty {@code auths} entry. Server names are keyed as docker keys them: Docker Hub as
 * {@code https://index.docker.io/v1/}, others as host[:port].
 */
public final class Logins {
  private static final List<String> DOCKER_HUB_NAMES =
      List.of("docker.io", "index.docker.io", "registry-1.docker.io");

  private Logins() {}

  /**
   * What a login did.
   *
   * @param server the key the credentials are kept under
   * @param configFile the file written
   * @param helper the credential helper that holds the secret, or null when the file does
   * @param written whether the file was written: as docker, a login that changes nothing in it
   *     leaves it alone
   */
  public record Login(String server, Path configFile, String helper, boolean written) {
    /** Whether the password sits in the file, base64-encoded only (docker warns then). */
    public boolean unencrypted() {
      return helper == null;
    }
  }

  /**
   * The key docker keeps {@code server}'s credentials under: null, empty or a Docker Hub name gives
   * {@code https://index.docker.io/v1/}; otherwise the host[:port], scheme and path dropped.
   */
  public static String serverKey(String server) {
    String host = host(server);
    return host.equals("docker.io") ? DockerConfigCredentials.DOCKER_HUB_KEY : host;
  }

  /**
   * The user name stored for {@code server} in the docker config of {@code env} (or its credential
   * helper), which docker's login prompt offers; null when none is.
   */
  public static String storedUsername(String server, Map<String, String> env) {
    Credentials stored = storedCredentials(server, env);
    return stored == null || stored.username() == null || stored.username().isEmpty()
        ? null
        : stored.username();
  }

  /**
   * The credentials stored for {@code server} in the docker config of {@code env} (or its
   * credential helper), which a login without a user name or password tries first, as docker's
   * does; null when there are none or they cannot be read.
   */
  public static Credentials storedCredentials(String server, Map<String, String> env) {
    try {
      return DockerConfigCredentials.loadDefault(env).credentials(host(server)).orElse(null);
    } catch (IOException | CairnException unreadable) {
      return null; // then there is nothing to try or offer, as with docker
    }
  }

  /** The registry host a server name points to ({@code docker.io} for Docker Hub). */
  static String host(String server) {
    if (server == null || server.isEmpty()) {
      return "docker.io";
    }
    String h = server;
    int scheme = h.indexOf("://");
    if (scheme >= 0) {
      h = h.substring(scheme + 3);
    }
    int slash = h.indexOf('/');
    if (slash >= 0) {
      h = h.substring(0, slash);
    }
    if (h.isEmpty()) {
      throw CairnException.invalid("invalid registry server " + CairnException.quote(server));
    }
    return DOCKER_HUB_NAMES.contains(h) ? "docker.io" : h;
  }

  /**
   * Checks {@code credentials} with {@code server} (ping, then Basic or the token flow as the
   * registry asks), then stores them in the docker config file of the environment {@code env}.
   * Nothing is written when the registry refuses them (an UNAUTHORIZED CairnException), nor when
   * the file already holds them.
   */
  public static Login login(
      String server, Credentials credentials, RegistryOptions options, Map<String, String> env)
      throws IOException {
    if (credentials.username() == null || credentials.username().isEmpty()) {
      throw CairnException.invalid("login needs a user name");
    }
    String key = check(server, credentials, options);
    DockerConfigFile config = DockerConfigFile.read(DockerConfigCredentials.configFile(env));
    String helper = config.helperFor(key);
    Map<String, Object> entry = new LinkedHashMap<>();
    // with a helper the file keeps an empty entry; docker compares that as empty credentials
    boolean held =
        helper == null
            ? config.holds(key, credentials.username(), credentials.password())
            : config.holds(key, "", "");
    if (helper != null) {
      String program = CredentialHelper.program(helper, config.path());
      var store = new dev.cairn.json.GoJsonWriter();
      store.punct('{').name("ServerURL").string(key).punct(',');
      store.name("Username").string(credentials.username()).punct(',');
      store.name("Secret").string(credentials.password()).punct('}').punct('\n');
      CredentialHelper.Answer answer =
          CredentialHelper.run(program, "store", store.toByteArray(), env);
      if (answer.status() != 0) {
        throw CredentialHelper.failed(program, "store", answer);
      }
    } else {
      String pair = credentials.username() + ":" + credentials.password();
      entry.put("auth", Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    if (!held) {
      config.putAuth(key, entry);
      config.write();
    }
    return new Login(key, config.path(), helper, !held);
  }

  /**
   * Checks {@code credentials} with {@code server} (ping, then Basic or the token flow as the
   * registry asks) and keeps nothing, as the daemon's side of docker login does. Returns the
   * server's key in a docker config file.
   *
   * @throws CairnException UNAUTHORIZED when the registry refuses them
   */
  public static String check(String server, Credentials credentials, RegistryOptions options)
      throws IOException {
    String host = host(server);
    String key = serverKey(server);
    try (Registry registry =
        Registry.open(host, options.withCredentials(CredentialSource.of(host, credentials)))) {
      registry.ping();
    } catch (CairnException e) {
      if (e.kind() == CairnException.Kind.UNAUTHORIZED) {
        throw new CairnException(
            CairnException.Kind.UNAUTHORIZED, "login to " + key + " failed: " + e.getMessage());
      }
      throw e;
    }
    return key;
  }

  /**
   * Forgets {@code server}'s credentials: its {@code auths} entry, and what the credential helper
   * keeps for it. Returns the server key. As with docker, forgetting what was never stored is no
   * error.
   */
  public static String logout(String server, Map<String, String> env) throws IOException {
    String key = serverKey(server);
    DockerConfigFile config = DockerConfigFile.read(DockerConfigCredentials.configFile(env));
    // as docker: the key, and for a registry other than Docker Hub its URL spellings too
    List<String> names =
        key.equals(DockerConfigCredentials.DOCKER_HUB_KEY)
            ? List.of(key)
            : List.of(key, "http://" + key, "https://" + key);
    boolean changed = false;
    for (String name : names) {
      String helper = config.helperFor(name);
      if (helper != null) {
        String program = CredentialHelper.program(helper, config.path());
        CredentialHelper.Answer answer =
            CredentialHelper.run(program, "erase", name.getBytes(StandardCharsets.UTF_8), env);
        if (answer.status() != 0 && !answer.output().contains("credentials not found")) {
          throw CredentialHelper.failed(program, "erase", answer);
        }
      }
      changed |= config.removeAuth(name);
    }
    if (changed) {
      config.write();
    }
    return key;
  }
}
