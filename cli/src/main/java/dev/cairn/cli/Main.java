package dev.cairn.cli;

import dev.cairn.CairnException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code cairn} command: global options and the list of subcommands. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A container image store and registry client.",
    subcommands = {
      CommandLine.HelpCommand.class,
      PullCommand.class,
      ImagesCommand.class,
      InspectCommand.class,
      HistoryCommand.class,
      TagCommand.class,
      RmiCommand.class,
      ImportCommand.class,
      LayerCommand.class,
      MountCommand.class,
      UnmountCommand.class,
      SaveCommand.class,
      LoadCommand.class,
      ManifestCommand.class
    })
public final class Main {

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description = "Store directory (default: $CAIRN_ROOT, else ~/.local/share/cairn).")
  Path root;

  @Option(
      names = "--driver",
      paramLabel = "NAME",
      description =
          "Storage driver: overlay or vfs (default: the one the store was made with, else overlay"
              + " where it works, else vfs).")
  String driver;

  @Option(
      names = "--uidmap",
      paramLabel = "CONTAINER:HOST:SIZE",
      description = "Map container user IDs to host IDs (repeatable), like Docker's userns-remap.")
  java.util.List<String> uidmap = new java.util.ArrayList<>();

  @Option(
      names = "--gidmap",
      paramLabel = "CONTAINER:HOST:SIZE",
      description = "Map container group IDs to host IDs (repeatable).")
  java.util.List<String> gidmap = new java.util.ArrayList<>();

  private InputStream stdin = System.in;
  private OutputStream stdoutBytes = System.out;
  private boolean realStdout; // the process's own descriptor 1, not a stream a caller gave

  /** Opens the store the global options name. */
  dev.cairn.store.Store openStore() throws java.io.IOException {
    return openStore(dev.cairn.registry.RegistryOptions.defaults());
  }

  dev.cairn.store.Store openStore(dev.cairn.registry.RegistryOptions registry)
      throws java.io.IOException {
    dev.cairn.store.StoreOptions options =
        dev.cairn.store.StoreOptions.defaults().withDriver(driver).withRegistry(registry);
    if (!uidmap.isEmpty() || !gidmap.isEmpty()) {
      options =
          options.withIdMaps(
              uidmap.isEmpty() ? null : dev.cairn.archive.IdMap.parse(String.join(",", uidmap)),
              gidmap.isEmpty() ? null : dev.cairn.archive.IdMap.parse(String.join(",", gidmap)));
    }
    return dev.cairn.store.Store.open(root(), options);
  }

  /** Standard input, as given to {@link #run(String[], InputStream, PrintWriter, PrintWriter)}. */
  InputStream stdin() {
    return stdin;
  }

  /** Standard output for binary data (an archive), as given to {@link #run}. */
  OutputStream stdoutBytes() {
    return stdoutBytes;
  }

  /** Whether standard output is a terminal, where binary data must not go. */
  boolean stdoutIsTerminal() {
    // Asked only when a command needs it: the first libc call costs tens of milliseconds.
    return realStdout && dev.cairn.posix.Posix.isatty(1);
  }

  /** The store directory the user chose, or the default. */
  Path root() {
    if (root != null) {
      return root;
    }
    String env = System.getenv("CAIRN_ROOT");
    if (env != null && !env.isEmpty()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".local", "share", "cairn");
  }

  public static void main(String[] args) {
    Main main = new Main();
    main.realStdout = true;
    // Not System.out: a PrintStream hides write errors, and an archive must not be cut silently.
    main.stdoutBytes = new java.io.FileOutputStream(java.io.FileDescriptor.out);
    System.exit(
        main.execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line; the exit code is returned, never passed to System.exit. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(args, System.in, out, err);
  }

  /** Runs one command line reading {@code in} as its standard input. */
  public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
    return run(args, in, System.out, out, err);
  }

  /**
   * Runs one command line with {@code in} as standard input and {@code bytes} as standard output
   * for binary data (what {@code save} writes without {@code -o}); text goes to {@code out}.
   */
  public static int run(
      String[] args, InputStream in, OutputStream bytes, PrintWriter out, PrintWriter err) {
    Main main = new Main();
    main.stdin = in;
    main.stdoutBytes = bytes;
    return main.execute(args, out, err);
  }

  private int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(this);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof CairnException ce) {
            commandLine.getErr().println("cairn: " + ce.getMessage());
            return exitCode(ce.kind());
          }
          if (e instanceof java.io.IOException io) {
            commandLine.getErr().println("cairn: " + describe(io));
            return 1;
          }
          throw e;
        });
    return cl.execute(args);
  }

  static int exitCode(CairnException.Kind kind) {
    return switch (kind) {
      case INVALID -> 1;
      case NOT_FOUND -> 2;
      case UNAUTHORIZED -> 3;
      case CONFLICT -> 4;
      case UNAVAILABLE -> 5;
    };
  }

  static String describe(java.io.IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException nf) {
      return nf.getFile() + ": no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException ad) {
      return ad.getFile() + ": permission denied";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cairn " + (v == null ? "dev" : v)};
    }
  }
}
