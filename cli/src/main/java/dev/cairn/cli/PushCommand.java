package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.distribution.PushOptions;
import dev.cairn.image.Reference;
import dev.cairn.registry.DockerConfigCredentials;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn push}: publish an image (or every tag of a repository) to its registry. */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Push an image from the store to the registry its name names.",
      "",
      "Layers the repository holds are not sent again, those another repository of the registry"
          + " holds are mounted, the original blobs a pull kept are sent as they are, and the"
          + " others are compressed again from the store while they are sent. The manifest is"
          + " written once all its blobs are in: the one the image was pulled with when every blob"
          + " is the original, else schema2 (OCI for an image pulled as OCI), or as --format says.",
      ""
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      "0:pushed",
      "1:invalid input (a usage error, a bad name), or an answer of the registry that does not"
          + " hold together",
      "2:no image of that name in the store",
      ExitStatus.UNAUTHORIZED,
      "5:unavailable: the registry's name does not resolve, it refuses or resets connections,"
          + " does not answer in time, fails TLS, or answers 5xx or 429 (after retries)"
    })
final class PushCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(
      names = {"-a", "--all-tags"},
      description = "Push every tag of the repository.")
  boolean allTags;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the references pushed.")
  boolean quiet;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      description =
          "auto (bars on a terminal, else lines), plain (one line per change) or json"
              + " (Docker's message stream). Default: auto.")
  String progress = "auto";

  @Mixin RegistryFlags registryFlags;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "The manifest to write: v2s2 (Docker schema2), oci, or v2s1 (Docker schema1, signed with"
              + " the store's key, trust/key.json, made on first use). Default: as pulled, else"
              + " v2s2.")
  String format;

  @Parameters(paramLabel = "NAME[:TAG]", description = "The image to push.")
  String reference;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PullProgress.Mode mode = PullProgress.Mode.of(quiet, progress, main.stdoutIsTerminal());
    Reference ref = Reference.parse(reference);
    if (ref.digest() != null) {
      throw CairnException.invalid("cannot push a digest reference"); // docker's words
    }
    if (allTags && !PullCommand.nameOnly(reference)) {
      throw CairnException.invalid("tag can't be used with --all-tags/-a");
    }
    PushOptions options =
        format == null
            ? PushOptions.defaults()
            : PushOptions.defaults().withFormat(PushOptions.Format.parse(format));
    RegistryOptions registry =
        main.registries(
            registryFlags.applyTo(
                RegistryOptions.defaults()
                    .withCredentials(
                        DockerConfigCredentials.loadDefault(main.environment().variables()))),
            java.util.List.of());
    PushProgress listener = new PushProgress(mode, out);
    try (Store store = main.openStore(registry)) {
      if (allTags) {
        List<Reference> tags = store.tagsOf(ref);
        if (tags.isEmpty()) {
          throw CairnException.notFound(
              "An image does not exist locally with the tag: " + ref.familiarName());
        }
        for (Reference tag : tags) {
          store.push(tag, options, listener);
        }
      } else {
        store.push(ref, options, listener);
      }
    } catch (CairnException e) {
      if (mode == PullProgress.Mode.JSON) {
        out.println(dev.cairn.store.EngineProgress.error(e.getMessage()));
        out.flush();
      }
      throw e;
    }
    return 0;
  }
}
