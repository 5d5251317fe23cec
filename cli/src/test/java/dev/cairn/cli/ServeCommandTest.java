package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code cairn serve} as its own process, stopped by a signal as a service manager stops it. */
class ServeCommandTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"TERM", "INT"})
  void aSignalStopsTheServerAndRemovesItsSocket(String signal) throws Exception {
    Path socket = dir.resolve("cairn.sock");
    Path log = dir.resolve("serve.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process serve =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED", // as the launcher runs it
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "--root",
                dir.resolve("store").toString(),
                "serve",
                "-H",
                "unix://" + socket)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(log).contains("serving on") && System.nanoTime() < deadline) {
        assertThat(serve.isAlive()).as(Files.readString(log)).isTrue();
        Thread.sleep(20);
      }
      assertThat(Files.readString(log)).isEqualTo("cairn: serving on unix://" + socket + "\n");
      Process version =
          new ProcessBuilder(
                  "docker", "-H", "unix://" + socket, "version", "--format", "{{.Server.Version}}")
              .redirectErrorStream(true)
              .start();
      String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(version.waitFor()).as(out).isZero();

      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(serve.pid())).inheritIO().start();
      assertThat(kill.waitFor()).isZero();
      assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(socket).doesNotExist();
      assertThat(Files.readString(log)).doesNotContain("Exception");
    } finally {
      serve.destroyForcibly().waitFor();
    }
  }

  @Test
  void tlsOptionsNotAllGivenAreAUsageError() {
    CliResult r =
        Cli.vfs(dir.resolve("store"))
            .run("serve", "-H", "tcp://0.0.0.0:2376", "--tls-cert", "cert.pem");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "cairn: --tls-cert, --tls-key and --tls-ca go together: missing --tls-key and"
                + " --tls-ca\n");
    assertThat(dir.resolve("store")).doesNotExist();
  }

  @Test
  void aTlsFileThatIsNotPemIsNamedInTheError() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
    CliResult r =
        Cli.vfs(dir.resolve("store"))
            .run(
                "serve",
                "-H",
                "tcp://127.0.0.1:0",
                "--tls-cert",
                cert.toString(),
                "--tls-key",
                dir.resolve("key.pem").toString(),
                "--tls-ca",
                dir.resolve("ca.pem").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "cairn: TLS certificate " + cert + ": not PEM (no \"-----BEGIN ...-----\" block)\n");
  }
}
