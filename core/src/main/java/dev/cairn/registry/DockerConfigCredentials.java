package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials as the docker CLI stores them in {@code config.json}: per-host {@code credHelpers},
 * then a default {@code credsStore}, then inline {@code auths} entries. Helpers are the {@code
 * docker-credential-NAME} programs on the PATH, asked with {@code get} and the server URL.
 */
public final class DockerConfigCredentials implements CredentialSource {
  /** Docker Hub's key in config files, a legacy URL. */
  static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

  private static final int MAX_CONFIG = 4 * 1024 * 1024;
  private static final long HELPER_TIMEOUT_SECONDS = 30;

  private final Path file;
  private final Map<?, ?> auths;
  private final Map<?, ?> credHelpers;
  private final String credsStore;
  private final Path helperDir;

  private DockerConfigCredentials(Path file, Object json, Path helperDir) {
    this.file = file;
    this.helperDir = helperDir;
    this.auths = orEmpty(JsonText.member(json, "auths", Map.class));
    this.credHelpers = orEmpty(JsonText.member(json, "credHelpers", Map.class));
    this.credsStore = JsonText.member(json, "credsStore", String.class);
  }

  /** Reads {@code file}; a missing file means no credentials. */
  public static DockerConfigCredentials load(Path file) throws IOException {
    return load(file, null);
  }

  /** As {@link #load(Path)}, with helpers taken from {@code helperDir} instead of the PATH. */
  static DockerConfigCredentials load(Path file, Path helperDir) throws IOException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_CONFIG) {
        throw CairnException.invalid(file + ": larger than 4 MiB");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new DockerConfigCredentials(file, Map.of(), helperDir);
    }
    try {
      return new DockerConfigCredentials(file, JsonText.parse(bytes), helperDir);
    } catch (CairnException e) {
      throw e.in(file.toString());
    }
  }

  /** {@link #loadDefault(Map)} in this process's environment. */
  public static DockerConfigCredentials loadDefault() throws IOException {
    return loadDefault(System.getenv());
  }

  /**
   * The file the docker CLI reads in the environment {@code env}: {@code
   * $DOCKER_CONFIG/config.json}, else {@code $HOME/.docker/config.json}, else the account's home
   * directory's; a variable set to the empty string counts as unset, as it does for docker.
   */
  public static DockerConfigCredentials loadDefault(Map<String, String> env) throws IOException {
    return load(configFile(env));
  }

  static Path configFile(Map<String, String> env) {
    String dir = env.get("DOCKER_CONFIG");
    if (dir != null && !dir.isEmpty()) {
      return Path.of(dir, "config.json");
    }
    String home = env.get("HOME");
    if (home == null || home.isEmpty()) {
      home = System.getProperty("user.home"); // the passwd entry's, where docker looks then too
    }
    return Path.of(home, ".docker", "config.json");
  }

  @Override
  public Optional<Credentials> credentials(String host) throws IOException {
    String helper = JsonText.member(credHelpers, host, String.class);
    if (helper == null && host.equals("docker.io")) {
      helper = JsonText.member(credHelpers, "index.docker.io", String.class);
    }
    if (helper == null) {
      helper = credsStore;
    }
    if (helper != null && !helper.isEmpty()) {
      return fromHelper(helper, serverKey(host));
    }
    for (var e : auths.entrySet()) {
      if (e.getKey() instanceof String key && matches(key, host)) {
        return fromAuthEntry(key, e.getValue());
      }
    }
    return Optional.empty();
  }

  private static String serverKey(String host) {
    return host.equals("docker.io") ? DOCKER_HUB_KEY : host;
  }

  /**
   * Keys may be bare hosts or http(s) URLs ("https://host/v1/"); Docker Hub has several spellings.
   * As docker's file store, only those two schemes are dropped: another leaves a key of no host.
   */
  static boolean matches(String key, String host) {
    String k = key;
    if (k.startsWith("http://")) {
      k = k.substring("http://".length());
    } else if (k.startsWith("https://")) {
      k = k.substring("https://".length());
    }
    int slash = k.indexOf('/');
    if (slash >= 0) {
      k = k.substring(0, slash);
    }
    if (host.equals("docker.io")) {
      return List.of("docker.io", "index.docker.io", "registry-1.docker.io").contains(k);
    }
    return k.equals(host);
  }

  private Optional<Credentials> fromAuthEntry(String key, Object entry) {
    String identityToken = JsonText.member(entry, "identitytoken", String.class);
    if (identityToken != null && !identityToken.isEmpty()) {
      return Optional.of(Credentials.identityToken(identityToken));
    }
    String auth = JsonText.member(entry, "auth", String.class);
    if (auth != null && !auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw CairnException.invalid(file + ": auths entry " + key + ": auth is not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw CairnException.invalid(file + ": auths entry " + key + ": auth is not user:password");
      }
      return Optional.of(
          Credentials.basic(decoded.substring(0, colon), decoded.substring(colon + 1)));
    }
    String user = JsonText.member(entry, "username", String.class);
    String password = JsonText.member(entry, "password", String.class);
    if (user != null && password != null) {
      return Optional.of(Credentials.basic(user, password));
    }
    return Optional.empty();
  }

  /** Runs {@code docker-credential-NAME get}; "not found" from the helper means anonymous. */
  private Optional<Credentials> fromHelper(String name, String serverUrl) throws IOException {
    String program = CredentialHelper.program(name, file);
    CredentialHelper.Answer answer =
        CredentialHelper.run(helperDir, program, "get", serverUrl.getBytes(StandardCharsets.UTF_8));
    String text = answer.output();
    if (answer.status() != 0) {
      if (text.contains("credentials not found")) {
        return Optional.empty();
      }
      throw CredentialHelper.failed(program, "get", answer);
    }
    Object json;
    try {
      json = JsonText.parse(text);
    } catch (CairnException e) {
      throw new IOException("credential helper " + program + " answered no JSON object");
    }
    String user = JsonText.member(json, "Username", String.class);
    String secret = JsonText.member(json, "Secret", String.class);
    if (secret == null || secret.isEmpty()) {
      return Optional.empty();
    }
    if ("<token>".equals(user)) {
      return Optional.of(Credentials.identityToken(secret));
    }
    return Optional.of(Credentials.basic(user == null ? "" : user, secret));
  }

  private static Map<?, ?> orEmpty(Map<?, ?> m) {
    return m == null ? Map.of() : m;
  }
}
