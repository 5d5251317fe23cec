package dev.cairn.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the external programs tests run against. On CI a missing tool fails the test (test.sh
 * installs them all); elsewhere the test is skipped with a note saying what to install.
 */
public final class Tools {
  private Tools() {}

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
    if ("true".equals(System.getenv("CI"))) {
      fail(message);
    }
    assumeTrue(false, message);
    throw new AssertionError("unreachable");
  }

  /** The module's build directory, for tools built by the tests. */
  public static Path buildDir() {
    return Path.of("target").toAbsolutePath();
  }
}
