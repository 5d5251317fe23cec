package dev.cairn.cli;

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
    exitCodeList = {"0:stopped", "1:invalid input (an address cairn will not listen on)"})
final class ServeCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(
      names = {"-H", "--host"},
      paramLabel = "HOST",
      description =
          "unix:///path or tcp://127.0.0.1:PORT (repeatable). Default:"
              + " unix://$XDG_RUNTIME_DIR/cairn.sock, else /run/cairn.sock.")
  List<String> hosts = new ArrayList<>();

  /** As dockerd's --insecure-registry: the pulls and pushes clients ask for reach registries so. */
  @Mixin RegistryFlags registryFlags;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (hosts.isEmpty()) {
      hosts.add("unix://" + defaultSocket(main.environment().variables()));
    }
    try (Store store = main.openStore(registryFlags.applyTo(RegistryOptions.defaults()))) {
      EngineServer server = EngineServer.start(store, hosts);
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
      spec.commandLine().getErr().println("cairn: serving on " + String.join(", ", hosts));
      spec.commandLine().getErr().flush();
      server.join();
    }
    return 0;
  }

  static Path defaultSocket(Map<String, String> env) {
    String runtime = env.get("XDG_RUNTIME_DIR");
    return runtime != null && !runtime.isEmpty()
        ? Path.of(runtime, "cairn.sock")
        : Path.of("/run/cairn.sock");
  }
}
