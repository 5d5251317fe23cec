package dev.cairn.cli;

import dev.cairn.store.PruneOptions;
import dev.cairn.store.PruneReport;
import dev.cairn.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn image}: commands on images, named as docker's {@code docker image} ones. */
@Command(
    name = "image",
    mixinStandardHelpOptions = true,
    description = "Manage images.",
    subcommands = {ImageCommand.Prune.class},
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {ExitStatus.OK, ExitStatus.INVALID, ExitStatus.CONFLICT, ExitStatus.UNAVAILABLE})
final class ImageCommand {
  @ParentCommand Main main;

  /** {@code cairn image prune}: docker's prompt, rules and report. */
  @Command(
      name = "prune",
      mixinStandardHelpOptions = true,
      description = {
        "Remove unused images.",
        "Without -a, the dangling images: those without a tag and without an image above them."
            + " With -a, every image that is named or has no image above it, as docker removes"
            + " every image no container uses. Each is removed as rmi removes it without -f, by"
            + " each of its names, so an image in use stays: a mounted image keeps its last name,"
            + " and one that a running pull, save or load holds is passed over. Asks first unless"
            + " -f; answering anything but y changes nothing."
      },
      exitCodeListHeading = ExitStatus.HEADING,
      exitCodeList = {
        "0:success, whatever was removed (also when the prompt was not answered y)",
        ExitStatus.INVALID,
        ExitStatus.CONFLICT,
        ExitStatus.UNAVAILABLE
      })
  static final class Prune implements Callable<Integer> {
    @ParentCommand ImageCommand image;
    @Spec CommandSpec spec;

    @Option(
        names = {"-a", "--all"},
        description = "Remove all unused images, not just dangling ones.")
    boolean all;

    @Option(
        names = {"-f", "--force"},
        description = "Do not prompt for confirmation.")
    boolean force;

    @Option(
        names = "--filter",
        paramLabel = "FILTER",
        description =
            "until=TIME (a duration such as 24h, a date or time, or Unix seconds),"
                + " label=KEY[=VALUE] or label!=KEY[=VALUE]; repeatable.")
    List<String> filters = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      Main main = image.main;
      Instant now = Instant.now();
      GoLocalTime local = GoLocalTime.of(main.environment().variables());
      PruneOptions options =
          PruneOptions.of(
              all, filters, now, ZoneOffset.ofTotalSeconds(local.offsetAt(now.getEpochSecond())));
      PrintWriter out = spec.commandLine().getOut();
      if (!force && !confirmed(main.stdin(), out)) {
        return 0; // as docker: a prune not confirmed is cancelled, not failed
      }
      PruneReport report;
      try (Store store = main.openStore()) {
        report = store.prune(options);
      }
      if (!report.removals().isEmpty()) {
        out.println("Deleted Images:");
        report
            .removals()
            .forEach(
                r -> out.println(r.action().toLowerCase(java.util.Locale.ROOT) + ": " + r.what()));
        out.println();
      }
      out.println("Total reclaimed space: " + Format.humanSize(report.spaceReclaimed()));
      out.flush();
      switch (report.failure()) {
        case null -> {}
        case IOException e -> throw e;
        case RuntimeException e -> throw e;
        default -> throw new IllegalStateException(report.failure());
      }
      return 0;
    }

    /** docker's prompt, on standard output; only {@code y} or {@code Y} goes on. */
    private boolean confirmed(InputStream in, PrintWriter out) throws IOException {
      out.print(
          (all
                  ? "WARNING! This will remove all images without at least one container"
                      + " associated to them."
                  : "WARNING! This will remove all dangling images.")
              + "\nAre you sure you want to continue? [y/N] ");
      out.flush();
      return line(in).strip().equalsIgnoreCase("y");
    }

    /** One line of {@code in}, read a byte at a time so that nothing after it is taken. */
    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
        b.write(c);
      }
      return b.toString(StandardCharsets.UTF_8);
    }
  }
}
