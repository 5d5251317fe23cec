package dev.cairn.tar;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an installed command-line tool from a test; a missing tool fails on CI and skips locally.
 */
public final class Tool {
  private Tool() {}

  /** Makes sure {@code name} is on the PATH: fails when CI=true, skips the test otherwise. */
  public static void require(String name) {
    dev.cairn.testing.Tools.require(name);
  }

  /**
   * Runs the command in {@code dir} with stdin from {@code stdin} (or nothing) and stdout to {@code
   * stdout} (or discarded); fails the test with its stderr when it exits non-zero.
   */
  public static void run(Path dir, Path stdin, Path stdout, String... command)
      throws IOException, InterruptedException {
    require(command[0]);
    ProcessBuilder pb = new ProcessBuilder(List.of(command)).directory(dir.toFile());
    pb.redirectInput(
        stdin == null
            ? ProcessBuilder.Redirect.from(new File("/dev/null"))
            : ProcessBuilder.Redirect.from(stdin.toFile()));
    pb.redirectOutput(
        stdout == null
            ? ProcessBuilder.Redirect.DISCARD
            : ProcessBuilder.Redirect.to(stdout.toFile()));
    Path err = Files.createTempFile("tool", ".err");
    pb.redirectError(err.toFile());
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " timed out");
    }
    String stderr = Files.readString(err);
    Files.delete(err);
    if (p.exitValue() != 0) {
      fail(String.join(" ", command) + " exited " + p.exitValue() + ": " + stderr);
    }
  }
}
