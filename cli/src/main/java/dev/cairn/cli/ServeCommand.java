package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.serve.EngineServer;
import dev.cairn.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn serve}: the store answers the Docker Engine API's image endpoints. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Answer the Docker Engine API's image endpoints, for the docker CLI and Docker clients.",
      "",
      "Point the docker CLI at it with -H or DOCKER_HOST. Runs until SIGTERM or SIGINT.",
      ""
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      "0:stopped",
      "1:invalid input (an address cairn will not listen on, TLS options that are not all given,"
          + " a TLS file that is not what it should be)"
    })
final class ServeCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(
      names = {"-H", "--host"},
      paramLabel = "HOST",
      description =
          "unix:///path or tcp://127.0.0.1:PORT (repeatable); with the --tls options, TCP on any"
              + " address (tcp://0.0.0.0:2376). Default: unix://$XDG_RUNTIME_DIR/cairn.sock, else"
              + " /run/cairn.sock.")
  List<String> hosts = new ArrayList<>();

  // As dockerd's --tlsverify with --tlscert, --tlskey and --tlscacert: the three go together.
  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "Serve TCP with TLS, as dockerd's --tlsverify: the server's certificate (PEM, its chain"
              + " after it).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "The key of --tls-cert (PEM: PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY).")
  Path tlsKey;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description =
          "Take only TLS clients whose certificate a CA in this PEM file issued (with --tls-cert"
              + " and --tls-key).")
  Path tlsCa;

  /** As dockerd's --insecure-registry: the pulls and pushes clients ask for reach registries so. */
  @Mixin RegistryFlags registryFlags;

  @Override
  public Integer call() throws IOException, InterruptedException {
    EngineServer.Tls tls = tls();
    if (hosts.isEmpty()) {
      hosts.add("unix://" + defaultSocket(main.environment().variables()));
    }
    try (Store store =
        main.openStore(
            main.registries(registryFlags.applyTo(RegistryOptions.defaults()), List.of()))) {
      EngineServer server = EngineServer.start(store, hosts, tls);
      Thread stop =
          new Thread(
              () -> {
                try {
                  server.close();
                } catch (IOException ignored) {
                  // the process is ending; the sockets go with it
                }
              });
      Runtime.getRuntime().addShutdownHook(stop);
      spec.commandLine().getErr().println("cairn: serving on " + String.join(", ", server.hosts()));
      spec.commandLine().getErr().flush();
      server.join();
    }
    return 0;
  }

  /** The TLS options, all three or none. */
  private EngineServer.Tls tls() {
    if (tlsCert == null && tlsKey == null && tlsCa == null) {
      return null;
    }
    List<String> missing = new ArrayList<>();
    if (tlsCert == null) {
      missing.add("--tls-cert");
    }
    if (tlsKey == null) {
      missing.add("--tls-key");
    }
    if (tlsCa == null) {
      missing.add("--tls-ca");
    }
    if (!missing.isEmpty()) {
      throw CairnException.invalid(
          "--tls-cert, --tls-key and --tls-ca go together: missing "
              + String.join(" and ", missing));
    }
    return new EngineServer.Tls(tlsCert, tlsKey, tlsCa);
  }

  static Path defaultSocket(Map<String, String> env) {
    String runtime = env.get("XDG_RUNTIME_DIR");
    return runtime != null && !runtime.isEmpty()
        ? Path.of(runtime, "cairn.sock")
        : Path.of("/run/cairn.sock");
  }
}
