package dev.cairn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.json.Json;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private Docker Engine ({@code dockerd}, Debian's docker.io) for tests that hold cairn against
 * docker: it listens on a unix socket in a directory of its own, with its own data root, exec root
 * (where it runs its own containerd), pid file, key file and daemon.json, the overlay2 driver and
 * no network set-up (no iptables, no bridge). The {@code docker} CLI found first on PATH drives it,
 * with a private config directory and the classic builder ({@code DOCKER_BUILDKIT=0}, so {@code
 * docker build} works for Dockerfiles without RUN). It pulls from and pushes to a registry on
 * 127.0.0.1 over plain HTTP: docker treats the loopback network as an insecure registry.
 *
 * <p>It needs root. On CI a dockerd that cannot start fails the test; elsewhere the test is skipped
 * with the reason. Start one per test class; {@link #close()} stops it by its PID, unmounts what it
 * left mounted and removes its directory.
 *
 * <pre>{@code
 * try (DockerEngine docker = DockerEngine.start()) {
 *   docker.docker("pull", registry.host() + "/test/app:1");
 *   String json = docker.docker("image", "inspect", registry.host() + "/test/app:1");
 * }
 * }</pre>
 */
public final class DockerEngine implements AutoCloseable {
  private final Path dir;
  private final Path cli;
  private final Process daemon;
  private final Map<String, String> environment;

  private DockerEngine(Path dir, Path cli, Process daemon) {
    this.dir = dir;
    this.cli = cli;
    this.daemon = daemon;
    this.environment =
        Map.of(
            "DOCKER_HOST",
            "unix://" + socket(dir),
            "DOCKER_CONFIG",
            dir.resolve("config").toString(),
            "DOCKER_BUILDKIT",
            "0",
            "DOCKER_CLI_HINTS",
            "false");
  }

  /** Starts a dockerd in a new temporary directory and waits until it answers. */
  public static DockerEngine start() throws IOException, InterruptedException {
    Tools.requireThat(
        Posix.geteuid() == 0, "dockerd needs root (run the tests as root to compare with docker)");
    Path dockerd = Tools.require("dockerd", "docker.io");
    Path cli = Tools.require("docker", "docker.io");
    Path dir = Files.createTempDirectory("cairn-dockerd-");
    Files.createDirectories(dir.resolve("config"));
    // Its own daemon.json, so that the host's /etc/docker/daemon.json does not apply, and its own
    // key file, which dockerd would otherwise create in /etc/docker.
    Path config =
        Files.writeString(
            dir.resolve("daemon.json"),
            "{\"deprecated-key-path\":\"%s\"}".formatted(dir.resolve("key.json")));
    Path log = dir.resolve("dockerd.log");
    Process p =
        new ProcessBuilder(
                dockerd.toString(),
                "--host=unix://" + socket(dir),
                "--config-file=" + config,
                "--data-root=" + dir.resolve("data"),
                "--exec-root=" + dir.resolve("exec"),
                "--pidfile=" + dir.resolve("dockerd.pid"),
                "--iptables=false",
                "--ip6tables=false",
                "--ip-masq=false",
                "--bridge=none",
                "--userland-proxy=false",
                "--storage-driver=overlay2",
                "--log-level=warn")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    DockerEngine engine = new DockerEngine(dir, cli, p);
    String failure = engine.awaitReady(log);
    if (failure != null) {
      engine.close();
      Tools.requireThat(false, failure);
    }
    return engine;
  }

  private static Path socket(Path dir) {
    return dir.resolve("docker.sock");
  }

  /** Null once dockerd answers its ping; else why it did not (with the end of its log). */
  private String awaitReady(Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!daemon.isAlive()) {
        return "dockerd exited with status " + daemon.exitValue() + ":\n" + tail(log);
      }
      if (pings()) {
        return null;
      }
      Thread.sleep(50);
    }
    return "dockerd did not answer in 60 s:\n" + tail(log);
  }

  /** Whether {@code GET /_ping} on the socket answers 200. */
  private boolean pings() {
    Path socket = socket(dir);
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      ch.write(
          ByteBuffer.wrap(
              "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer answer = ByteBuffer.allocate(64);
      while (answer.hasRemaining() && ch.read(answer) > 0) {
        // the status line is all we need
      }
      String status = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
      return status.startsWith("HTTP/1.0 200") || status.startsWith("HTTP/1.1 200");
    } catch (IOException notYet) {
      return false;
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  /** The environment the docker CLI runs with: DOCKER_HOST, DOCKER_CONFIG, DOCKER_BUILDKIT. */
  public Map<String, String> environment() {
    return environment;
  }

  /** Runs the docker CLI against this engine; returns its standard output, fails on non-zero. */
  public String docker(String... args) throws IOException, InterruptedException {
    Result r = run(args);
    assertThat(r.exit()).as("docker %s\n%s", String.join(" ", args), r.err()).isZero();
    return r.out();
  }

  /** What one run of the docker CLI gave. */
  public record Result(int exit, String out, String err) {}

  /**
   * Runs the docker CLI against this engine with {@code variables} added to its environment (a null
   * value removes one); returns its standard output, fails on non-zero.
   */
  public String docker(Map<String, String> variables, String... args)
      throws IOException, InterruptedException {
    Result r = run(variables, args);
    assertThat(r.exit()).as("docker %s\n%s", String.join(" ", args), r.err()).isZero();
    return r.out();
  }

  /** Runs the docker CLI against this engine (at most two minutes) and returns what it gave. */
  public Result run(String... args) throws IOException, InterruptedException {
    return run(Map.of(), args);
  }

  /** As {@link #run(String...)}, with {@code variables} as {@link #docker(Map, String...)}. */
  public Result run(Map<String, String> variables, String... args)
      throws IOException, InterruptedException {
    return run(variables, new byte[0], args);
  }

  /** As {@link #run(Map, String...)}, with {@code input} on the CLI's standard input. */
  public Result run(Map<String, String> variables, byte[] input, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(cli.toString());
    cmd.addAll(List.of(args));
    Path in = Files.write(Files.createTempFile(dir, "docker", ".in"), input);
    Path out = Files.createTempFile(dir, "docker", ".out");
    Path err = Files.createTempFile(dir, "docker", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(in.toFile());
      pb.environment().putAll(environment);
      variables.forEach(
          (k, v) -> {
            if (v == null) {
              pb.environment().remove(k);
            } else {
              pb.environment().put(k, v);
            }
          });
      Process p = pb.start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly().waitFor();
        throw new IOException("docker " + String.join(" ", args) + ": still running after 2 min");
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(in);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /**
   * The files of an image as dockerd extracted them, described by {@link Trees#snapshot(Path)}: its
   * overlay2 layers mounted read-only, one over the other, for the time of the snapshot.
   */
  public Map<String, String> imageTree(String image) throws IOException, InterruptedException {
    String layers = docker("image", "inspect", "--format", "{{json .GraphDriver.Data}}", image);
    JsonObject data = Json.parseObject(layers.strip().getBytes(StandardCharsets.UTF_8), "layers");
    List<String> lowers = new ArrayList<>();
    lowers.add(((JsonString) data.get("UpperDir")).value());
    if (data.get("LowerDir") instanceof JsonString lower) {
      lowers.addAll(List.of(lower.value().split(":")));
    }
    // overlay wants two lower layers at least when it has no upper one
    lowers.add(Files.createDirectories(dir.resolve("empty")).toString());
    Path view = Files.createTempDirectory(dir, "view");
    Posix.mount("overlay", view.toString(), "overlay", 0, "lowerdir=" + String.join(":", lowers));
    try {
      return Trees.snapshot(view);
    } finally {
      Posix.umount2(view.toString(), 0);
      Files.delete(view);
    }
  }

  /**
   * Stops dockerd (SIGTERM to its PID, SIGKILL after 30 s) and the containerd it started, unmounts
   * whatever is still mounted under its directory, and removes the directory.
   */
  @Override
  public void close() throws IOException, InterruptedException {
    daemon.destroy();
    if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
      daemon.destroyForcibly().waitFor();
    }
    // A dockerd that was killed leaves its containerd running.
    Path containerdPid = dir.resolve("exec/containerd/containerd.pid");
    if (Files.exists(containerdPid)) {
      String pid = Files.readString(containerdPid).strip();
      if (!pid.isEmpty()) {
        ProcessHandle.of(Long.parseLong(pid))
            .ifPresent(
                h -> {
                  h.destroy();
                  h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
                  h.destroyForcibly();
                });
      }
    }
    unmountUnder(dir);
    delete(dir);
  }

  /** Unmounts every mount point under {@code dir}, deepest first. */
  public static void unmountUnder(Path dir) throws IOException {
    String prefix = dir.toAbsolutePath() + "/";
    List<String> points = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      if (f.length > 4) {
        String point = unescape(f[4]);
        if (point.startsWith(prefix) || point.equals(dir.toAbsolutePath().toString())) {
          points.add(point);
        }
      }
    }
    points.sort(Comparator.comparingInt(String::length).reversed());
    for (String point : points) {
      try {
        Posix.umount2(point, Posix.MNT_DETACH);
      } catch (PosixException alreadyGone) {
        // unmounted with its parent
      }
    }
  }

  private static String unescape(String s) {
    // mountinfo writes space, tab, newline and backslash as \ooo
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** The docker CLI this engine is driven with, for a caller that runs it its own way. */
  public Path cli() {
    return cli;
  }

  /** The directory this engine keeps everything in. */
  public Path dir() {
    return dir;
  }
}
