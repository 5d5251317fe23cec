package dev.cairn.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the docker CLI (or openssl beside it) as the serve tests run it: with a docker config
 * directory of their own, nothing on its input, none of the caller's DOCKER_HOST or TLS settings,
 * at most a minute.
 */
final class DockerCli {
  private DockerCli() {}

  /** What one run gave. */
  record Run(int exit, String out, String err) {}

  /** {@code cmd} with {@code config} as docker's config directory. */
  static Run run(Path config, List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Files.createDirectories(config);
    pb.environment().put("DOCKER_CONFIG", config.toString());
    // docker's --tls would take certificates found through these
    pb.environment().remove("DOCKER_CERT_PATH");
    pb.environment().remove("DOCKER_HOST");
    pb.environment().remove("DOCKER_TLS_VERIFY");
    Path out = Files.createTempFile("docker", ".out");
    Path err = Files.createTempFile("docker", ".err");
    try {
      Process p =
          pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
      return new Run(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
