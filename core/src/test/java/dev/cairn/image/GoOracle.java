package dev.cairn.image;

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

  static Process start(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(binary().toString());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
