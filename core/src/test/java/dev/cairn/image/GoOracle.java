package dev.cairn.image;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cairn.testing.Tools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Builds the Go reference implementation of strong IDs (src/test/go/strongid) once per run. */
final class GoOracle {
  private static Path binary;

  private GoOracle() {}

  static synchronized Path binary() throws IOException, InterruptedException {
    if (binary == null) {
      binary = Tools.goBinary(Path.of("src/test/go/strongid"));
    }
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
