package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What cairn takes from docker's {@code daemon.json}: {@code registry-mirrors} (Docker Hub's
 * mirrors, as URLs) and {@code insecure-registries}. The rest of the file is dockerd's own.
 *
 * @param mirrors Docker Hub's mirrors, in order
 * @param insecure hosts ({@code host} or {@code host:port}) spoken to in plain HTTP
 * @param file the file read, or null when there was none
 */
public record DaemonJson(List<RegistriesConf.Mirror> mirrors, List<String> insecure, Path file) {
  public DaemonJson {
    mirrors = List.copyOf(mirrors);
    insecure = List.copyOf(insecure);
  }

  /** {@code $CAIRN_DAEMON_JSON}, else {@code /etc/docker/daemon.json}. */
  public static Path path(Map<String, String> env) {
    String named = env.get("CAIRN_DAEMON_JSON");
    return named != null && !named.isEmpty() ? Path.of(named) : Path.of("/etc/docker/daemon.json");
  }

  /** The file the environment names; nothing when it does not exist. */
  public static DaemonJson load(Map<String, String> env) throws IOException {
    return read(path(env));
  }

  /**
   * The mirrors and insecure registries of {@code file}; nothing when it does not exist.
   *
   * @throws CairnException INVALID naming the file and the key that is wrong
   */
  public static DaemonJson read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new DaemonJson(List.of(), List.of(), null);
    }
    JsonValue.JsonObject o;
    try {
      o = Json.parseObject(bytes, file.toString());
    } catch (CairnException e) {
      throw CairnException.invalid(file + ": " + e.getMessage());
    }
    List<RegistriesConf.Mirror> mirrors = new ArrayList<>();
    for (String url : strings(o, "registry-mirrors", file)) {
      mirrors.add(mirror(url, file));
    }
    return new DaemonJson(mirrors, strings(o, "insecure-registries", file), file);
  }

  /** A mirror as docker writes one: {@code https://host[:port]}, or {@code http://} (insecure). */
  public static RegistriesConf.Mirror mirror(String url, Path file) {
    String where =
        (file == null ? "" : file + ": ") + "registry mirror " + CairnException.quote(url);
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw CairnException.invalid(where + " is not a URL");
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw CairnException.invalid(where + " must begin with https:// or http://");
    }
    if (uri.getHost() == null) {
      throw CairnException.invalid(where + " names no host");
    }
    if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
      throw CairnException.invalid(where + " must not have a path, as with docker");
    }
    String host = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    return new RegistriesConf.Mirror(
        host, scheme.equals("http"), RegistriesConf.PullFromMirror.ALL);
  }

  private static List<String> strings(JsonValue.JsonObject o, String key, Path file) {
    JsonValue v = o.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonValue.JsonArray a)) {
      throw CairnException.invalid(file + ": " + key + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonValue item : a.items()) {
      if (!(item instanceof JsonValue.JsonString s)) {
        throw CairnException.invalid(file + ": " + key + " must be an array of strings");
      }
      out.add(s.value());
    }
    return out;
  }
}
