package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.registry.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A program run at a terminal of its own ({@code script} from util-linux gives it one), answering
 * its prompts as a user would: each answer is typed only once its prompt is on the screen, so the
 * transcript (what the terminal showed, typed input echoed where the program lets it be) is the
 * same on every run.
 */
final class Terminal {
  private Terminal() {}

  /** A prompt, and what the user types once it shows (an Enter included). */
  record Answer(String prompt, String typed) {}

  /** How the session ended, and what the terminal showed, its CR LF line ends made LF. */
  record Session(int exit, String transcript) {}

  /** Runs {@code command} with {@code env} added to this process's environment. */
  static Session run(List<String> command, Map<String, String> env, List<Answer> answers)
      throws IOException, InterruptedException {
    StringBuilder line = new StringBuilder();
    for (String arg : command) {
      line.append(" '").append(arg.replace("'", "'\\''")).append('\'');
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                Tools.require("script").toString(), "-qec", line.toString().strip(), "/dev/null")
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    Thread reader = Thread.ofVirtual().start(() -> copy(p.getInputStream(), screen));
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      int from = 0;
      OutputStream keyboard = p.getOutputStream();
      for (Answer a : answers) {
        int at;
        while ((at = shown(screen).indexOf(a.prompt(), from)) < 0) {
          assertThat(p.isAlive() && System.nanoTime() < deadline)
              .as("waiting for %s; the terminal shows:%n%s", a.prompt(), shown(screen))
              .isTrue();
          Thread.sleep(20);
        }
        from = at + a.prompt().length();
        keyboard.write(a.typed().getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
      }
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(shown(screen)).isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(10));
      return new Session(p.exitValue(), shown(screen).replace("\r\n", "\n"));
    } finally {
      p.destroyForcibly();
    }
  }

  private static String shown(ByteArrayOutputStream screen) {
    synchronized (screen) {
      return screen.toString(StandardCharsets.UTF_8);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream screen) {
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        synchronized (screen) {
          screen.write(buffer, 0, n);
        }
      }
    } catch (IOException closed) {
      // the session ended
    }
  }
}
