package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.store.DiskUsage;
import dev.cairn.store.EngineJson;
import dev.cairn.store.ImageUsage;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn system}: the store as a whole. */
@Command(
    name = "system",
    mixinStandardHelpOptions = true,
    description = "Look at the store as a whole.",
    subcommands = {SystemCommand.Df.class},
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {ExitStatus.OK, ExitStatus.INVALID, ExitStatus.CONFLICT, ExitStatus.UNAVAILABLE})
final class SystemCommand {
  @ParentCommand Main main;

  /** {@code cairn system df}: docker's disk usage table. */
  @Command(
      name = "df",
      mixinStandardHelpOptions = true,
      description = {
        "Show how much disk the images use, in docker's columns.",
        "TOTAL counts the images docker lists without -a; SIZE counts each layer once, however"
            + " many images share it; an image that is mounted (cairn mount) is ACTIVE, as docker"
            + " counts an image a container uses, and RECLAIMABLE is SIZE less what only the"
            + " active images use. cairn keeps no containers, volumes or build cache: those rows"
            + " are always zero. Layers have no row of their own, as in docker; the library's"
            + " DiskUsage record counts them. Layer blobs kept by pull --keep-blobs count in the"
            + " Images row (docker keeps none), and -v lists their number and size."
      },
      exitCodeListHeading = ExitStatus.HEADING,
      exitCodeList = {
        ExitStatus.OK,
        ExitStatus.INVALID,
        ExitStatus.CONFLICT,
        ExitStatus.UNAVAILABLE
      })
  static final class Df implements Callable<Integer> {
    @ParentCommand SystemCommand system;
    @Spec CommandSpec spec;

    @Option(
        names = {"-v", "--verbose"},
        description = "Show each image: its size, the part other images share, and its mounts.")
    boolean verbose;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        description = "table (default) or json (as docker prints them).")
    String format = "table";

    @Override
    public Integer call() throws IOException {
      if (!format.equals("table") && !format.equals("json")) {
        throw CairnException.invalid(
            "--format must be table or json, not " + CairnException.quote(format));
      }
      Main main = system.main;
      DiskUsage usage;
      try (Store store = main.openStore()) {
        usage = store.diskUsage();
      }
      PrintWriter out = spec.commandLine().getOut();
      if (verbose) {
        verbose(usage, out, GoLocalTime.of(main.environment().variables()));
      } else if (format.equals("json")) {
        rows(usage).forEach(r -> out.println(EngineJson.strings(json(r))));
      } else {
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
        rows(usage).forEach(table::add);
        Format.table(table).forEach(out::println);
      }
      return 0;
    }

    /** The summary rows: TYPE, TOTAL, ACTIVE, SIZE, RECLAIMABLE. */
    private static List<String[]> rows(DiskUsage usage) {
      long total = usage.totalSize();
      long reclaimable = usage.reclaimable();
      String images =
          Format.humanSize(reclaimable)
              + (total > 0 ? " (" + reclaimable * 100 / total + "%)" : "");
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {
            "Images",
            Integer.toString(usage.images().size()),
            Integer.toString(usage.active()),
            Format.humanSize(total),
            images
          });
      for (String type : List.of("Containers", "Local Volumes", "Build Cache")) {
        rows.add(new String[] {type, "0", "0", "0B", "0B"});
      }
      return rows;
    }

    private static SequencedMap<String, String> json(String[] row) {
      SequencedMap<String, String> m = new LinkedHashMap<>();
      m.put("Active", row[2]);
      m.put("Reclaimable", row[4]);
      m.put("Size", row[3]);
      m.put("TotalCount", row[1]);
      m.put("Type", row[0]);
      return m;
    }

    /** docker's -v: a table per section, the ones cairn has nothing for with their headers. */
    private void verbose(DiskUsage usage, PrintWriter out, GoLocalTime local) {
      Instant now = Instant.now();
      if (format.equals("json")) {
        List<String> images = new ArrayList<>();
        for (ImageUsage i : usage.images()) {
          images.add(EngineJson.strings(jsonImage(i, now, local)));
        }
        // docker prints this document without a newline at its end
        out.print(
            "{\"Images\":["
                + String.join(",", images)
                + "],\"Containers\":[],\"Volumes\":[],\"BuildCache\":[]}");
        out.flush();
        return;
      }
      List<String[]> table = new ArrayList<>();
      table.add(
          new String[] {
            "REPOSITORY",
            "TAG",
            "IMAGE ID",
            "CREATED",
            "SIZE",
            "SHARED SIZE",
            "UNIQUE SIZE",
            "CONTAINERS"
          });
      for (ImageUsage i : usage.images()) {
        String[] name = name(i);
        table.add(
            new String[] {
              name[0],
              name[1],
              Format.shortId(i.image().id().hex()),
              since(i, now),
              Format.size(i.image().size()),
              Format.humanSize(i.sharedSize()),
              Format.humanSize(i.uniqueSize()),
              Integer.toString(i.mounts())
            });
      }
      out.println("Images space usage:");
      out.println();
      Format.table(table).forEach(out::println);
      out.println();
      if (usage.keptBlobs() > 0) {
        out.println(
            "Kept layer blobs (pull --keep-blobs): "
                + usage.keptBlobs()
                + ", "
                + Format.humanSize(usage.keptBlobsSize()));
        out.println();
      }
      out.println("Containers space usage:");
      out.println();
      header(
          out,
          "CONTAINER ID",
          "IMAGE",
          "COMMAND",
          "LOCAL VOLUMES",
          "SIZE",
          "CREATED",
          "STATUS",
          "NAMES");
      out.println();
      out.println("Local Volumes space usage:");
      out.println();
      header(out, "VOLUME NAME", "LINKS", "SIZE");
      out.println();
      out.println("Build cache usage: 0B");
      out.println();
      header(out, "CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED");
    }

    private static void header(PrintWriter out, String... columns) {
      List<String[]> table = new ArrayList<>();
      table.add(columns);
      Format.table(table).forEach(out::println);
    }

    private static SequencedMap<String, String> jsonImage(
        ImageUsage i, Instant now, GoLocalTime local) {
      String[] name = name(i);
      long created = i.image().created().getEpochSecond();
      SequencedMap<String, String> m = new LinkedHashMap<>();
      m.put("Containers", Integer.toString(i.mounts()));
      m.put("CreatedAt", local.format(created));
      m.put("CreatedSince", created == GO_ZERO_TIME ? "" : since(i, now));
      m.put("Digest", "");
      m.put("ID", i.image().id().toString());
      m.put("Repository", name[0]);
      m.put("SharedSize", Format.humanSize(i.sharedSize()));
      m.put("Size", Format.size(i.image().size()));
      m.put("Tag", name[1]);
      m.put("UniqueSize", Format.humanSize(i.uniqueSize()));
      m.put("VirtualSize", Format.humanSize(i.image().size()));
      return m;
    }

    /** As docker: the first tag (by full name) only; an image without tags is {@code <none>}. */
    private static String[] name(ImageUsage i) {
      List<Reference> tags = i.image().repoTags();
      if (tags.isEmpty()) {
        return new String[] {"<none>", "<none>"};
      }
      return new String[] {tags.getFirst().familiarName(), tags.getFirst().tag()};
    }

    /** Go's zero time (year 1), which docker's command line shows as no time at all. */
    private static final long GO_ZERO_TIME = -62_135_596_800L;

    private static String since(ImageUsage i, Instant now) {
      long created = i.image().created().getEpochSecond();
      return created == GO_ZERO_TIME ? "N/A" : Format.since(Instant.ofEpochSecond(created), now);
    }
  }
}
