package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/** The external programs the registry tests drive, and the rule for when one is missing. */
public final class Tools {
  private Tools() {}

  public static Path require(String tool) {
    return dev.cairn.testing.Tools.require(tool);
  }

  /**
   * Runs a command to completion (60 s at most) and returns its stdout; fails on a non-zero exit.
   */
  public static String run(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("cairn-tool", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        Assertions.fail(String.join(" ", command) + ": still running after 60 s");
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as("%s\n%s", String.join(" ", command), text).isZero();
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /**
   * Pushes the image tagged {@code tag} in the OCI layout {@code layout} to {@code
   * host/repository:tag} with skopeo. {@code extra} are copy flags such as {@code --format v2s1} or
   * {@code --multi-arch all}.
   */
  public static void push(Path layout, String tag, String host, String repository, String... extra)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(require("skopeo").toString());
    cmd.add("--insecure-policy");
    cmd.add("copy");
    cmd.add("--quiet");
    cmd.add("--dest-tls-verify=false");
    cmd.addAll(List.of(extra));
    cmd.add("oci:" + layout + ":" + tag);
    cmd.add("docker://" + host + "/" + repository + ":" + tag);
    run(cmd);
  }
}
