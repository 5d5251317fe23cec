package dev.cairn.cli;

import dev.cairn.CairnException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code cairn} command: global options and the list of subcommands. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A container image store and registry client.",
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.NOT_FOUND,
      ExitStatus.UNAUTHORIZED,
      ExitStatus.CONFLICT,
      "5:unavailable: the registry or the storage driver cannot serve now",
      ExitStatus.BROKEN_PIPE
    })
public final class Main {
  /**
   * The subcommands, in the order help lists them. Not in the annotation: picocli builds a model of
   * every command it is given by reflection, which costs more than many commands take to run, so
   * {@link #subcommandsFor} picks the few a command line needs.
   */
  static final List<Class<?>> COMMANDS =
      List.of(
          CommandLine.HelpCommand.class,
          PullCommand.class,
          PushCommand.class,
          LoginCommand.class,
          LogoutCommand.class,
          ImagesCommand.class,
          InspectCommand.class,
          HistoryCommand.class,
          TagCommand.class,
          RmiCommand.class,
          ImageCommand.class,
          SystemCommand.class,
          ImportCommand.class,
          LayerCommand.class,
          MountCommand.class,
          UnmountCommand.class,
          SaveCommand.class,
          LoadCommand.class,
          ManifestCommand.class,
          FsckCommand.class,
          ServeCommand.class);

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description =
          "Store directory (default: $CAIRN_ROOT, else $XDG_DATA_HOME/cairn, else"
              + " $HOME/.local/share/cairn).")
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
  private boolean realStdin; // the same for descriptor 0
  private boolean realStderr; // and for descriptor 2
  private PrintWriter warnings = new PrintWriter(System.err, true);
  private Environment environment;

  /** Opens the store the global options name. */
  dev.cairn.store.Store openStore() throws java.io.IOException {
    return openStore(dev.cairn.registry.RegistryOptions.defaults());
  }

  dev.cairn.store.Store openStore(dev.cairn.registry.RegistryOptions registry)
      throws java.io.IOException {
    dev.cairn.store.Store store = dev.cairn.store.Store.open(root(), storeOptions(registry));
    try {
      warnSkipped(store);
    } catch (java.io.IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /**
   * {@code registry} with the machine's registries.conf and daemon.json, Docker Hub's {@code
   * mirrorUrls} first: read only by the commands that reach registries, so that the others start
   * without them.
   */
  dev.cairn.registry.RegistryOptions registries(
      dev.cairn.registry.RegistryOptions registry, java.util.List<String> mirrorUrls)
      throws java.io.IOException {
    return registry.withMachineConfiguration(environment().variables(), mirrorUrls);
  }

  /** The store options the global options give. */
  dev.cairn.store.StoreOptions storeOptions(dev.cairn.registry.RegistryOptions registry) {
    dev.cairn.store.StoreOptions options =
        dev.cairn.store.StoreOptions.defaults()
            .withDriver(driver)
            .withRegistry(registry)
            .withKeepBlobs(environment().keepBlobs());
    if (!uidmap.isEmpty() || !gidmap.isEmpty()) {
      options =
          options.withIdMaps(
              uidmap.isEmpty() ? null : dev.cairn.archive.IdMap.parse(String.join(",", uidmap)),
              gidmap.isEmpty() ? null : dev.cairn.archive.IdMap.parse(String.join(",", gidmap)));
    }
    return options;
  }

  /**
   * One warning line per node and per tag entry the store could not use, as it is found (a node is
   * read when the command first needs it); the command goes on without them, and they stay on disk
   * as they are for the user to look at.
   */
  private void warnSkipped(dev.cairn.store.Store store) throws java.io.IOException {
    store.reportWarnings(w -> warnings.println("cairn: warning: " + oneLine(w)));
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

  /** Whether standard input is a terminal, where no archive will come from. */
  boolean stdinIsTerminal() {
    return realStdin && dev.cairn.posix.Posix.isatty(0);
  }

  /** Whether standard error is a terminal, where docker's notes come in colour. */
  boolean stderrIsTerminal() {
    return realStderr && dev.cairn.posix.Posix.isatty(2);
  }

  /** The environment variables the command line runs in. */
  Environment environment() {
    return environment;
  }

  /** The store directory the user chose, or the default. */
  Path root() {
    return checkedRoot(root != null ? root : environment.defaultRoot());
  }

  /**
   * Refuses a root that cannot be a store directory before anything is created: an empty name
   * (which would make the current directory the store) or one below a file.
   */
  private static Path checkedRoot(Path root) {
    if (root.toString().isEmpty()) {
      throw CairnException.invalid("the store directory (--root) is empty; name a directory");
    }
    for (Path p = root.toAbsolutePath(); p != null; p = p.getParent()) {
      if (java.nio.file.Files.exists(p)) {
        if (!java.nio.file.Files.isDirectory(p)) {
          throw CairnException.invalid(
              "store directory "
                  + root
                  + (p.equals(root.toAbsolutePath()) ? "" : ": " + p)
                  + " is not a directory");
        }
        break;
      }
    }
    return root;
  }

  public static void main(String[] args) {
    // The JDK's HTTP client reads sockets 16 KiB at a time and hands each piece to the reading
    // thread; layer blobs come faster and cheaper in 256 KiB pieces (big pull: 0.98 s -> 0.87 s).
    if (System.getProperty("jdk.httpclient.bufsize") == null) {
      System.setProperty("jdk.httpclient.bufsize", Integer.toString(256 << 10));
    }
    Main main = new Main();
    main.environment = new Environment(System.getenv());
    main.realStdout = true;
    main.realStdin = true;
    main.realStderr = true;
    // Not System.out: a PrintStream hides write errors, and an archive must not be cut silently.
    main.stdoutBytes = new java.io.FileOutputStream(java.io.FileDescriptor.out);
    System.exit(
        main.execute(
            args,
            subcommandsFor(args),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true)));
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
    return run(args, System.getenv(), in, bytes, out, err);
  }

  /**
   * As {@link #run(String[], InputStream, OutputStream, PrintWriter, PrintWriter)}, in the
   * environment {@code env} instead of this process's: where the store and docker's {@code
   * config.json} are found.
   */
  public static int run(
      String[] args,
      Map<String, String> env,
      InputStream in,
      OutputStream bytes,
      PrintWriter out,
      PrintWriter err) {
    return run(args, env, subcommandsFor(args), in, bytes, out, err);
  }

  /**
   * As {@link #run(String[], InputStream, OutputStream, PrintWriter, PrintWriter)}, knowing only
   * the subcommands given.
   */
  static int run(
      String[] args,
      List<Class<?>> subcommands,
      InputStream in,
      OutputStream bytes,
      PrintWriter out,
      PrintWriter err) {
    return run(args, System.getenv(), subcommands, in, bytes, out, err);
  }

  /** As {@link #run(String[], Map, InputStream, OutputStream, PrintWriter, PrintWriter)}. */
  static int run(
      String[] args,
      Map<String, String> env,
      List<Class<?>> subcommands,
      InputStream in,
      OutputStream bytes,
      PrintWriter out,
      PrintWriter err) {
    Main main = new Main();
    main.environment = new Environment(env);
    main.stdin = in;
    main.stdoutBytes = bytes;
    return main.execute(args, subcommands, out, err);
  }

  private int execute(String[] args, List<Class<?>> subcommands, PrintWriter out, PrintWriter err) {
    warnings = err;
    try {
      CommandLine cl = new CommandLine(this);
      for (Class<?> command : subcommands) {
        cl.addSubcommand(command);
      }
      cl.setOut(out);
      cl.setErr(err);
      invalidInputExits(cl, exitCode(CairnException.Kind.INVALID));
      CommandLine help = cl.getSubcommands().get("help"); // picocli's own: its footer is set here
      if (help != null) {
        help.getCommandSpec()
            .usageMessage()
            .exitCodeListHeading(ExitStatus.HEADING)
            .exitCodeList(exitCodes(ExitStatus.OK, "1:no such command"));
      }
      cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> failed(e, err));
      return cl.execute(args);
    } catch (RuntimeException | Error e) {
      return failed(e, err); // thrown outside a command's own code: still one line
    }
  }

  private static java.util.Map<String, String> exitCodes(String... lines) {
    java.util.Map<String, String> codes = new java.util.LinkedHashMap<>();
    for (String line : lines) {
      String[] kv = line.split(":", 2);
      codes.put(kv[0], kv[1]);
    }
    return codes;
  }

  /** Usage errors (an unknown option or command, a missing parameter) are invalid input. */
  private static void invalidInputExits(CommandLine cl, int code) {
    cl.getCommandSpec().exitCodeOnInvalidInput(code);
    cl.getSubcommands().values().forEach(sub -> invalidInputExits(sub, code));
  }

  /** Exit status when standard output was closed early: 128 + SIGPIPE, as for a killed tool. */
  static final int BROKEN_PIPE = 141;

  /** Reports a failure in one line on {@code err} and gives its exit status; never a trace. */
  private static int failed(Throwable e, PrintWriter err) {
    if (e instanceof OutputFile.StdoutClosed) {
      return BROKEN_PIPE; // quietly: the reader wanted no more, as with `docker save | head`
    }
    if (e instanceof CairnException ce) {
      err.println("cairn: " + ce.getMessage());
      return exitCode(ce.kind());
    }
    if (e instanceof java.io.IOException io) {
      err.println("cairn: " + describe(io));
      return 1;
    }
    if (e instanceof java.io.UncheckedIOException io) {
      err.println("cairn: " + describe(io.getCause()));
      return 1;
    }
    // A bug, not a user error: one line that says where, for a report; exit 1 as docker's CLI
    // does for any failure it has no code for.
    err.println("cairn: internal error: " + internal(e));
    err.flush();
    return 1;
  }

  /** An unexpected exception as one line: its type, its message, where it was thrown. */
  static String internal(Throwable e) {
    StringBuilder b = new StringBuilder(e.getClass().getName());
    if (e.getMessage() != null) {
      b.append(": ").append(e.getMessage());
    }
    for (StackTraceElement frame : e.getStackTrace()) {
      if (frame.getClassName().startsWith("dev.cairn.")) {
        b.append(" (at ").append(frame).append(')');
        break;
      }
    }
    return oneLine(b.toString());
  }

  /** {@code text} with control characters escaped, so that it stays one line. */
  private static String oneLine(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * The subcommands picocli must know to treat {@code args} exactly as with all of them: none for a
   * lone {@code --version}; only the one named when the arguments before it are global options with
   * plain values, each given once; otherwise all (help, no command, an unknown one, an argument
   * file, anything unusual), as usage and error messages list every command.
   */
  static List<Class<?>> subcommandsFor(String[] args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      return List.of();
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String option = args[i].startsWith("--") ? args[i].split("=", 2)[0] : args[i];
      if (!SINGLE_VALUED.contains(option) && !REPEATABLE.contains(option)) {
        Class<?> named = named(args[i]);
        return named == null ? COMMANDS : List.of(named);
      }
      String value;
      if (option.length() < args[i].length()) {
        value = args[i].substring(option.length() + 1);
      } else if (++i < args.length) {
        value = args[i];
      } else {
        break;
      }
      // picocli refuses a command's name as an option's value, which it can tell only knowing it
      boolean repeated = !seen.add(option) && !REPEATABLE.contains(option);
      if (repeated || value.startsWith("-") || value.startsWith("@") || named(value) != null) {
        break;
      }
    }
    return COMMANDS;
  }

  /** The global options that take a value: those given at most once, and the others. */
  private static final Set<String> SINGLE_VALUED = Set.of("--root", "--driver");

  private static final Set<String> REPEATABLE = Set.of("--uidmap", "--gidmap");

  /** The command a name (or alias) stands for; null for help and anything else. */
  private static Class<?> named(String name) {
    return switch (name) {
      case "pull" -> PullCommand.class;
      case "push" -> PushCommand.class;
      case "login" -> LoginCommand.class;
      case "logout" -> LogoutCommand.class;
      case "images" -> ImagesCommand.class;
      case "inspect" -> InspectCommand.class;
      case "history" -> HistoryCommand.class;
      case "tag" -> TagCommand.class;
      case "rmi" -> RmiCommand.class;
      case "image" -> ImageCommand.class;
      case "system" -> SystemCommand.class;
      case "import" -> ImportCommand.class;
      case "layer" -> LayerCommand.class;
      case "mount" -> MountCommand.class;
      case "unmount", "umount" -> UnmountCommand.class;
      case "save" -> SaveCommand.class;
      case "load" -> LoadCommand.class;
      case "manifest" -> ManifestCommand.class;
      case "fsck" -> FsckCommand.class;
      case "serve" -> ServeCommand.class;
      default -> null;
    };
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
    if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() == null) {
      // The JDK leaves the reason out of these: the type is the reason.
      String why =
          switch (fs) {
            case java.nio.file.FileAlreadyExistsException x -> "already exists";
            case java.nio.file.NotDirectoryException x -> "is not a directory";
            case java.nio.file.DirectoryNotEmptyException x -> "is a directory that is not empty";
            case java.nio.file.NotLinkException x -> "is not a symbolic link";
            default -> fs.getClass().getSimpleName();
          };
      return fs.getFile()
          + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile())
          + ": "
          + why;
    }
    return e.getMessage() == null ? e.toString() : oneLine(e.getMessage());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cairn " + (v == null ? "dev" : v)};
    }
  }
}
