package dev.cairn.image;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cairn.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Builds the Go reference implementation of strong IDs (src/test/go/strongid) once per run. */
final class GoOracle {
  private static Path binary;

  private GoOracle() {}

  static synchronized Path binary() throws IOException, InterruptedException {
    if (binary != null) {
      return binary;
    }
    Path go = Tools.require("go", "golang-go");
    Path source = Path.of("src/test/go/strongid").toAbsolutePath();
    Path out = Tools.buildDir().resolve("go/strongid");
    Files.createDirectories(out.getParent());
    ProcessBuilder pb =
        new ProcessBuilder(go.toString(), "build", "-o", out.toString(), ".")
            .directory(source.toFile())
            .redirectErrorStream(true);
    pb.environment().put("GOCACHE", Tools.buildDir().resolve("go/cache").toString());
    pb.environment().put("GOPATH", Tools.buildDir().resolve("go/path").toString());
    pb.environment().put("GOFLAGS", "-mod=mod");
    pb.environment().put("GOPROXY", "off");
    pb.environment().put("GOTOOLCHAIN", "local");
    Process p = pb.start();
    String log = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("go build of the strong ID oracle failed:\n" + log);
    }
    binary = out;
    return binary;
  }

  /** What one run of the oracle printed, and how it exited. */
  record Run(int exit, String out, String err) {}

  /** Runs the oracle once with {@code stdin} as its input, capturing both output streams. */
  static Run run(byte[] stdin, String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(binary().toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (var in = p.getOutputStream()) {
                    in.write(stdin);
                  } catch (IOException e) {
                    // The oracle may exit before reading everything; its exit status tells.
                  }
                });
    var err = new java.util.concurrent.CompletableFuture<String>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                err.complete(new String(p.getErrorStream().readAllBytes(), UTF_8));
              } catch (IOException e) {
                err.completeExceptionally(e);
              }
            });
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    int exit = p.waitFor();
    writer.join();
    try {
      return new Run(exit, out, err.get());
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e.getCause());
    }
  }

  static Process start(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(binary().toString());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
