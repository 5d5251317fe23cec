package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.distribution.PullOptions;
import dev.cairn.image.Platform;
import dev.cairn.image.Reference;
import dev.cairn.registry.CredentialSource;
import dev.cairn.registry.Credentials;
import dev.cairn.registry.DockerConfigCredentials;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn pull}: fetch an image (or every tag of a repository) into the store. */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    description = {
      "Pull an image from a registry into the store.",
      "",
      "Every layer is verified against its digest and the image's DiffIDs before it is"
          + " registered; layers the store already holds are not downloaded again.",
      ""
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      "0:pulled, or already up to date",
      "1:invalid input (a usage error, a bad name) or content that failed verification",
      "2:no such image, tag or platform",
      ExitStatus.UNAUTHORIZED,
      "4:conflict: an image was registered meanwhile with other content, or the store was made"
          + " with another driver or other ID maps",
      "5:unavailable: the registry's name does not resolve, it refuses or resets connections,"
          + " does not answer in time, fails TLS, or answers 5xx or 429 (after retries); or the"
          + " storage driver cannot work here"
    })
final class PullCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(
      names = {"-a", "--all-tags"},
      description = "Pull every tagged image of the repository.")
  boolean allTags;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the image reference at the end.")
  boolean quiet;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description =
          "Pull the image for this platform: picked from a multi-platform image, and required of"
              + " one made for a single platform. Default: this host's, only to pick with.")
  String platform;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      description =
          "auto (bars on a terminal, else lines), plain (one line per change) or json"
              + " (Docker's message stream). Default: auto.")
  String progress = "auto";

  @Option(
      names = "--keep-blobs",
      description =
          "Keep the original compressed layer blobs (digest-verified, shared between images,"
              + " removed with the last image using them), so that a push can send them unchanged;"
              + " layers already in the store are fetched for it. Also set by CAIRN_KEEP_BLOBS=1.")
  boolean keepBlobs;

  @Mixin RegistryFlags registryFlags;

  @Option(
      names = "--registry-mirror",
      paramLabel = "URL",
      description =
          "Pull Docker Hub images through this mirror (https://host[:port], or http:// for plain"
              + " HTTP; repeatable), before daemon.json's registry-mirrors and registries.conf's"
              + " mirrors; the mirror that fails an object is passed over for it.")
  List<String> registryMirrors = new ArrayList<>();

  @Option(
      names = {"-u", "--username"},
      paramLabel = "USER",
      description = "Log in to the image's registry as USER (password from --password-stdin).")
  String username;

  @Option(
      names = "--password-stdin",
      description = "Read the password for --username from standard input.")
  boolean passwordStdin;

  @Option(
      names = "--read-timeout",
      paramLabel = "DURATION",
      description =
          "Give up on a registry answer after this long without data (e.g. 30s, 500ms, 2m;"
              + " default 30s). A download that stalls goes on where it stopped, and the"
              + " progress says so; one that stalls again without a byte fails.")
  String readTimeout;

  @Parameters(paramLabel = "NAME[:TAG|@DIGEST]", description = "The image to pull.")
  String reference;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PullProgress.Mode mode = PullProgress.Mode.of(quiet, progress, main.stdoutIsTerminal());
    Reference ref = Reference.parse(reference);
    if (allTags && !nameOnly(reference)) {
      throw CairnException.invalid("tag can't be used with --all-tags/-a"); // docker's words
    }
    PullOptions options = PullOptions.defaults();
    if (platform != null) {
      options = options.withPlatform(Platform.parse(platform));
    }
    if (keepBlobs) {
      options = options.withKeepBlobs(true);
    }
    CredentialSource credentials =
        DockerConfigCredentials.loadDefault(main.environment().variables());
    if (username != null) {
      if (!passwordStdin) {
        throw CairnException.invalid("--username needs --password-stdin");
      }
      String password =
          new String(main.stdin().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
      credentials =
          CredentialSource.of(ref.domain(), Credentials.basic(username, password))
              .orElse(credentials);
    } else if (passwordStdin) {
      throw CairnException.invalid("--password-stdin needs --username");
    }
    RegistryOptions registry =
        registryFlags.applyTo(RegistryOptions.defaults().withCredentials(credentials));
    registry = main.registries(registry, registryMirrors);
    if (readTimeout != null) {
      Duration silence = duration("--read-timeout", readTimeout);
      registry = registry.withTimeouts(registry.connectTimeout(), silence, silence);
    }
    PullProgress listener = new PullProgress(mode, out);
    try (Store store = main.openStore(registry)) {
      if (allTags) {
        store.pullAllTags(ref, options, listener); // each result is reported as it ends
      } else {
        store.pull(ref, options, listener);
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

  /**
   * Whether the reference as typed names a repository only: no digest, and no tag (a {@code :}
   * after the last {@code /}; one before it belongs to a registry's port).
   */
  static boolean nameOnly(String typed) {
    return typed.indexOf('@') < 0 && typed.lastIndexOf(':') < typed.lastIndexOf('/') + 1;
  }

  /** {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1.5s}, or a plain number of seconds. */
  static Duration duration(String option, String text) {
    Matcher m = DURATION.matcher(text);
    if (m.matches()) {
      BigDecimal millis =
          new BigDecimal(m.group(1))
              .multiply(
                  BigDecimal.valueOf(
                      switch (m.group(2)) {
                        case "ms" -> 1;
                        case "m" -> 60_000;
                        default -> 1000;
                      }));
      if (millis.compareTo(BigDecimal.ONE) >= 0
          && millis.compareTo(BigDecimal.valueOf(Duration.ofDays(1).toMillis())) <= 0) {
        return Duration.ofMillis(millis.longValue());
      }
    }
    throw CairnException.invalid(
        option
            + " must be a duration such as 30s, 500ms or 2m (1ms to a day), not "
            + CairnException.quote(text));
  }

  private static final Pattern DURATION =
      Pattern.compile("([0-9]{1,9}(?:\\.[0-9]{1,3})?)(ms|s|m|)");
}
