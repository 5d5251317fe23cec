package dev.cairn.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs command lines through {@link Main} in this process, with the global options a test wants put
 * before each: {@code --root} and {@code --driver}, each left out when null; in the environment
 * {@code env}, or this process's when null.
 */
record Cli(Path root, String driver, Map<String, String> env) {
  Cli(Path root, String driver) {
    this(root, driver, null);
  }

  /** No global options: each command line as given. */
  static final Cli BARE = new Cli(null, null);

  /** A store at {@code root} with the vfs driver, which works on any file system. */
  static Cli vfs(Path root) {
    return new Cli(root, "vfs");
  }

  /** The same options in the environment {@code variables} alone. */
  Cli withEnv(Map<String, String> variables) {
    return new Cli(root, driver, variables);
  }

  CliResult run(String... args) {
    return run(InputStream.nullInputStream(), args);
  }

  CliResult run(InputStream stdin, String... args) {
    String[] all = withOptions(args);
    return capture(Main.subcommandsFor(all), stdin, all);
  }

  /** Runs with {@code stdout} as standard output for bytes; the result holds no bytes. */
  CliResult run(OutputStream stdout, String... args) {
    String[] all = withOptions(args);
    return execute(Main.subcommandsFor(all), InputStream.nullInputStream(), stdout, all);
  }

  /** Runs with only {@code subcommands} known to picocli. */
  CliResult run(List<Class<?>> subcommands, String... args) {
    return capture(subcommands, InputStream.nullInputStream(), withOptions(args));
  }

  private CliResult capture(List<Class<?>> subcommands, InputStream stdin, String[] all) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CliResult r = execute(subcommands, stdin, bytes, all);
    return new CliResult(r.exit(), r.out(), r.err(), bytes.toByteArray());
  }

  private CliResult execute(
      List<Class<?>> subcommands, InputStream stdin, OutputStream stdout, String[] all) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        Main.run(
            all,
            env == null ? System.getenv() : env,
            subcommands,
            stdin,
            stdout,
            new PrintWriter(out),
            new PrintWriter(err));
    return new CliResult(exit, out.toString(), err.toString(), null);
  }

  private String[] withOptions(String[] args) {
    List<String> all = new ArrayList<>();
    if (root != null) {
      all.addAll(List.of("--root", root.toString()));
    }
    if (driver != null) {
      all.add("--driver=" + driver);
    }
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }
}
