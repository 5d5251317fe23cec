package dev.cairn.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker Distribution registry ({@code docker-registry serve}) on a free loopback port,
 * for tests. Storage lives in a directory the caller owns, so a second server (say, one that
 * demands authentication) can be started over what a first one received. Schema1 pushes are
 * enabled. Use in try-with-resources; {@link #close()} stops the process.
 *
 * <pre>{@code
 * try (RegistryServer reg = RegistryServer.start(tempDir.resolve("storage"), tempDir, "")) {
 *   Tools.push(layout, "1", reg.host(), "test/app");
 * }
 * }</pre>
 */
public final class RegistryServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private RegistryServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * The {@code auth} section of a registry config that requires Basic auth for {@code user} with
   * {@code password}, its htpasswd file (bcrypt, written by {@code htpasswd -nbB}) put in {@code
   * dir}.
   */
  public static String htpasswdAuth(Path dir, String user, String password)
      throws IOException, InterruptedException {
    String line =
        Tools.run(java.util.List.of(Tools.require("htpasswd").toString(), "-nbB", user, password));
    Path htpasswd = Files.writeString(dir.resolve("htpasswd"), line.strip() + "\n");
    return """
        auth:
          htpasswd:
            realm: cairn-test
            path: %s
        """
        .formatted(htpasswd);
  }

  /**
   * Starts a registry storing under {@code storage}, with its config and log in {@code workDir}.
   *
   * @param authYaml an {@code auth:} section (indented as top-level YAML), or "" for none
   */
  public static RegistryServer start(Path storage, Path workDir, String authYaml)
      throws IOException, InterruptedException {
    return start(storage, workDir, authYaml, true);
  }

  /** As {@link #start(Path, Path, String)}, with schema1 manifests accepted or refused. */
  public static RegistryServer start(Path storage, Path workDir, String authYaml, boolean schema1)
      throws IOException, InterruptedException {
    Path binary = Tools.require("docker-registry");
    Files.createDirectories(storage);
    Files.createDirectories(workDir);
    int port = freePort();
    Path config = Files.createTempFile(workDir, "registry", ".yml");
    Path log = Files.createTempFile(workDir, "registry", ".log");
    Files.writeString(
        config,
        """
        version: 0.1
        log:
          level: warn
          accesslog:
            disabled: false
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
          maintenance:
            uploadpurging:
              enabled: false
        http:
          addr: 127.0.0.1:%d
          secret: test-only-secret
        compatibility:
          schema1:
            enabled: %s
        %s
        """
            .formatted(storage, port, schema1, authYaml));
    Process p =
        new ProcessBuilder(binary.toString(), "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    RegistryServer server = new RegistryServer(p, port, log);
    server.awaitReady();
    return server;
  }

  /** {@code 127.0.0.1:PORT}, as a registry host for references and clients. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** One request the registry served, from its access log: {@code target} is path and query. */
  public record Request(String method, String target, int status) {}

  private static final java.util.regex.Pattern ACCESS =
      java.util.regex.Pattern.compile("\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" ([0-9]{3}) ");

  /**
   * The requests served so far, oldest first, once {@code done} holds of them (the registry logs a
   * request after it has answered, so a client may be ahead of the log).
   */
  public List<Request> requestsUntil(java.util.function.Predicate<List<Request>> done)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      List<Request> all = new java.util.ArrayList<>();
      for (String line : Files.readAllLines(log)) {
        java.util.regex.Matcher m = ACCESS.matcher(line);
        if (m.find()) {
          all.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
        }
      }
      if (done.test(all) || System.nanoTime() > deadline) {
        return all;
      }
      Thread.sleep(20);
    }
  }

  private void awaitReady() throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IOException("docker-registry exited:\n" + Files.readString(log));
        }
        try {
          HttpResponse<Void> r =
              http.send(
                  HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/"))
                      .version(HttpClient.Version.HTTP_1_1)
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200 || r.statusCode() == 401) {
            return;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(50);
      }
    }
    close();
    throw new IOException("docker-registry did not answer in 15 s:\n" + Files.readString(log));
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
