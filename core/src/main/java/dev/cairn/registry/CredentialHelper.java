package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of a docker credential helper, {@code docker-credential-NAME VERB}, with its input on
 * stdin ({@code get}/{@code erase}: the server URL; {@code store}: a JSON object with the secret).
 * The input is never shown in a message; helpers do not echo secrets on failure, so their own
 * message is.
 */
final class CredentialHelper {
  private static final long TIMEOUT_SECONDS = 30;

  /** What the helper printed and how it exited. */
  record Answer(int status, String output) {}

  private CredentialHelper() {}

  /** Checks a helper name from a config file: no path, no leading dot. */
  static String program(String name, Path configFile) {
    if (name.isEmpty()
        || name.startsWith(".")
        || !name.chars()
            .allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
      throw CairnException.invalid(configFile + ": bad credential helper name \"" + name + "\"");
    }
    return "docker-credential-" + name;
  }

  /**
   * The directory of {@code path} (a PATH value) holding an executable {@code program}, or null.
   */
  static Path find(String program, String path) {
    if (path == null) {
      return null;
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, program))) {
        return Path.of(dir);
      }
    }
    return null;
  }

  /** Runs {@code program verb} (from {@code dir}, else the PATH) with {@code input} on stdin. */
  static Answer run(Path dir, String program, String verb, byte[] input) throws IOException {
    return run(dir, program, verb, input, null);
  }

  /**
   * As {@link #run(Path, String, String, byte[])}, in the environment {@code env} (this process's
   * when null), the program looked up on that environment's PATH.
   */
  static Answer run(String program, String verb, byte[] input, Map<String, String> env)
      throws IOException {
    return run(find(program, env.get("PATH")), program, verb, input, env);
  }

  private static Answer run(
      Path dir, String program, String verb, byte[] input, Map<String, String> env)
      throws IOException {
    Process p;
    try {
      String command = dir == null ? program : dir.resolve(program).toString();
      ProcessBuilder builder = new ProcessBuilder(command, verb).redirectErrorStream(true);
      if (env != null) {
        builder.environment().clear();
        builder.environment().putAll(env);
      }
      p = builder.start();
    } catch (IOException e) {
      throw new IOException("credential helper " + program + " could not be started", e);
    }
    try (OutputStream in = p.getOutputStream()) {
      in.write(input);
    } catch (IOException e) {
      // A helper that exits without reading (failing early) closes the pipe; its exit status and
      // output say why.
    }
    byte[] out;
    try (InputStream o = p.getInputStream()) {
      out = o.readNBytes(RegistryErrors.MAX_ERROR_BODY);
    }
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("credential helper " + program + " did not finish in 30 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while running " + program);
    }
    return new Answer(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** The failure as one line: which helper, which verb, what it said. */
  static IOException failed(String program, String verb, Answer answer) {
    return new IOException(
        "credential helper "
            + program
            + " "
            + verb
            + " failed: "
            + RegistryErrors.printable(answer.output().strip()));
  }
}
