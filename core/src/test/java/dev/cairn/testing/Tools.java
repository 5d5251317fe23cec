package dev.cairn.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the external programs tests run against. On CI a missing tool fails the test (test.sh
 * installs them all); elsewhere the test is skipped with a note saying what to install.
 */
public final class Tools {
  private Tools() {}

  /** The Debian package that test.sh installs for each program the tests run. */
  private static final java.util.Map<String, String> PACKAGES =
      java.util.Map.of(
          "go", "golang-go",
          "docker-registry", "docker-registry",
          "skopeo", "skopeo",
          "tar-split", "tar-split",
          "htpasswd", "apache2-utils",
          "dockerd", "docker.io",
          "docker", "docker.io",
          "tar", "tar");

  public static Path require(String program) {
    return require(program, PACKAGES.getOrDefault(program, program));
  }

  public static Path require(String program, String debianPackage) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, program);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    String message =
        program
            + " is not installed (Debian package "
            + debianPackage
            + "; ./test.sh installs it as root)";
    requireThat(false, message);
    throw new AssertionError("unreachable");
  }

  /**
   * Requires a capability of this machine (a system library that loaded, a file system that
   * mounts): a failure on CI, where test.sh provides it, else the test is skipped with {@code why}.
   */
  public static void requireThat(boolean available, String why) {
    if (available) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(why);
    }
    assumeTrue(false, why);
  }

  /**
   * Requires root: a failure on CI, which runs as root, else the test is skipped with {@code why}.
   */
  public static void requireRoot(String why) {
    requireThat(dev.cairn.posix.Posix.geteuid() == 0, why);
  }

  /**
   * Requires that the file system of {@code dir} keeps extended attributes named like {@code
   * attribute} (its namespace: {@code user.}, {@code security.}), found by setting {@code value} on
   * a scratch file directly, never by asking the code under test.
   */
  public static void requireXattrs(Path dir, String attribute, byte[] value)
      throws java.io.IOException {
    Path probe = Files.createTempFile(dir, "xattr-probe", "");
    try {
      dev.cairn.posix.Posix.lsetxattr(
          dev.cairn.posix.Posix.AT_FDCWD,
          dev.cairn.posix.Posix.bytes(probe.toString()),
          attribute,
          value);
    } catch (dev.cairn.posix.PosixException e) {
      if (e.errno() != dev.cairn.posix.Posix.EOPNOTSUPP) {
        throw e;
      }
      requireThat(false, "the file system of " + dir + " keeps no " + attribute + " xattrs");
    } finally {
      Files.delete(probe);
    }
  }

  /**
   * A command line that runs {@code mainClass} in a fresh JVM with this test run's class path,
   * started quickly (C1, serial GC), for tests that need a second process or one to kill.
   */
  public static java.util.List<String> childJvm(Class<?> mainClass, String... args) {
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        java.util.List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-XX:-UsePerfData",
            "-Xshare:auto",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            mainClass.getName()));
    cmd.addAll(java.util.List.of(args));
    return cmd;
  }

  private static final java.util.Map<Path, Path> GO_BINARIES = new java.util.HashMap<>();

  /**
   * The Go program in {@code source} (a module directory under {@code src/test/go}), built once per
   * run into the build directory, offline, with the local toolchain.
   */
  public static synchronized Path goBinary(Path source)
      throws java.io.IOException, InterruptedException {
    Path dir = source.toAbsolutePath();
    Path built = GO_BINARIES.get(dir);
    if (built != null) {
      return built;
    }
    Path go = require("go");
    Path out = buildDir().resolve("go").resolve(dir.getFileName());
    Files.createDirectories(out.getParent());
    ProcessBuilder pb =
        new ProcessBuilder(go.toString(), "build", "-o", out.toString(), ".")
            .directory(dir.toFile())
            .redirectErrorStream(true);
    pb.environment().put("GOCACHE", buildDir().resolve("go/cache").toString());
    pb.environment().put("GOPATH", buildDir().resolve("go/path").toString());
    pb.environment().put("GOFLAGS", "-mod=mod");
    pb.environment().put("GOPROXY", "off");
    pb.environment().put("GOTOOLCHAIN", "local");
    Process p = pb.start();
    String log = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new java.io.IOException("go build of " + dir + " failed:\n" + log);
    }
    GO_BINARIES.put(dir, out);
    return out;
  }

  /**
   * Runs a program built by {@link #goBinary} with {@code input} on its standard input (from a
   * file, so a large input cannot block on a full pipe) and returns what it printed, line by line;
   * fails unless it exits 0.
   */
  public static List<String> runGo(ProcessBuilder program, String input)
      throws java.io.IOException, InterruptedException {
    Path in = Files.createTempFile("go", ".in");
    try {
      Files.writeString(in, input);
      Process p = program.redirectInput(in.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      return out.lines().toList();
    } finally {
      Files.delete(in);
    }
  }

  /** The module's build directory, for tools built by the tests. */
  public static Path buildDir() {
    return Path.of("target").toAbsolutePath();
  }
}
