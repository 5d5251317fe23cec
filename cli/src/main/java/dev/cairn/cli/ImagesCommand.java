package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.store.EngineJson;
import dev.cairn.store.ImageFilter;
import dev.cairn.store.ImageSummary;
import dev.cairn.store.ListedImage;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn images}: the table docker shows. */
@Command(
    name = "images",
    mixinStandardHelpOptions = true,
    description = {
      "List images: one row per tag, and untagged images as <none>.",
      "With -a, also the images below others: each image of a Docker 1.9-style chain. The"
          + " layers of an image are no images and never listed."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {ExitStatus.OK, ExitStatus.INVALID, ExitStatus.CONFLICT, ExitStatus.UNAVAILABLE})
final class ImagesCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = {"-a", "--all"},
      description = "Show intermediate images too.")
  boolean all;

  @Option(
      names = {"-q", "--quiet"},
      description = "Show only image IDs.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Show full image IDs.")
  boolean noTrunc;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "table (default) or json (one JSON object per line).")
  String format = "table";

  @Parameters(
      arity = "0..1",
      paramLabel = "REPOSITORY[:TAG]",
      description =
          "Only images of this repository (and tag): the same as --filter reference=REPOSITORY[:TAG].")
  String filter;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "KEY=VALUE",
      description = {
        "Only the images every filter keeps, as docker's: dangling=true|false,"
            + " reference=PATTERN (a glob over the name and tag as docker shows them: alp*,"
            + " localhost:5000/foo/*:v1; an image keeps only the names that match),"
            + " label=KEY[=VALUE], before=IMAGE, since=IMAGE, until=TIME (a duration such as"
            + " 24h, a date or time, or Unix seconds); repeatable."
      })
  List<String> filters = new ArrayList<>();

  @Option(names = "--digests", description = "Show digests.")
  boolean digests;

  /** One line of the listing. */
  record Row(String repository, String tag, String digest, ImageSummary image) {}

  @Override
  public Integer call() throws IOException {
    if (!format.equals("table") && !format.equals("json")) {
      throw CairnException.invalid(
          "--format must be table or json, not " + CairnException.quote(format));
    }
    PrintWriter out = spec.commandLine().getOut();
    Instant now = Instant.now();
    ImageFilter imageFilter = imageFilter(now);
    if (quiet && imageFilter.byReferenceOnly()) {
      // IDs alone: the images' JSON is not read. An image shows when a row of it would.
      Predicate<Reference> match = imageFilter.referenceMatch();
      Set<String> seen = new LinkedHashSet<>();
      try (Store store = main.openStore()) {
        for (ListedImage img : store.listedImages(all)) {
          if (imageFilter.references().isEmpty() || img.references().stream().anyMatch(match)) {
            seen.add(noTrunc ? img.id().toString() : Format.shortId(img.id().hex()));
          }
        }
      }
      print(out, seen);
      return 0;
    }
    List<Row> rows = new ArrayList<>();
    try (Store store = main.openStore()) {
      for (ImageSummary img : store.imageSummaries(all, imageFilter)) {
        rows.addAll(rows(img));
      }
    }
    if (quiet) {
      Set<String> seen = new LinkedHashSet<>();
      rows.forEach(r -> seen.add(id(r.image())));
      print(out, seen);
      return 0;
    }
    if (format.equals("json")) {
      List<String> lines = new ArrayList<>(rows.size());
      GoLocalTime local = GoLocalTime.of(main.environment().variables());
      for (Row r : rows) {
        // docker's command line gets whole seconds from the engine, and prints them in local time
        long created = r.image().created().getEpochSecond();
        SequencedMap<String, String> m = new LinkedHashMap<>();
        m.put("Containers", "N/A");
        m.put("CreatedAt", local.format(created));
        m.put("CreatedSince", created == GO_ZERO_TIME ? "" : since(created, now));
        m.put("Digest", r.digest());
        m.put("ID", id(r.image()));
        m.put("Repository", r.repository());
        m.put("SharedSize", "N/A");
        m.put("Size", Format.size(r.image().size()));
        m.put("Tag", r.tag());
        m.put("UniqueSize", "N/A");
        m.put("VirtualSize", Format.humanSize(r.image().size()));
        lines.add(EngineJson.strings(m));
      }
      print(out, lines);
      return 0;
    }
    List<String[]> table = new ArrayList<>();
    table.add(
        digests
            ? new String[] {"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"}
            : new String[] {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
    for (Row r : rows) {
      long created = r.image().created().getEpochSecond();
      List<String> cells = new ArrayList<>(List.of(r.repository(), r.tag()));
      if (digests) {
        cells.add(r.digest());
      }
      cells.addAll(
          List.of(
              id(r.image()),
              created == GO_ZERO_TIME ? "N/A" : since(created, now),
              Format.size(r.image().size())));
      table.add(cells.toArray(String[]::new));
    }
    print(out, Format.table(table));
    return 0;
  }

  // One write for the whole listing: the writer flushes at every line, which for tens of thousands
  // of images is as many system calls.
  private static void print(PrintWriter out, Iterable<String> lines) {
    StringBuilder b = new StringBuilder();
    String newline = System.lineSeparator();
    for (String line : lines) {
      b.append(line).append(newline);
    }
    out.print(b);
    out.flush();
  }

  /**
   * The rows docker's command line makes of one image: one per tag (with --digests, one per tag and
   * digest of its repository), one for each repository named only by digest, and a {@code <none>}
   * row for an image without names.
   */
  private List<Row> rows(ImageSummary img) {
    if (img.repoTags().isEmpty() && img.repoDigests().isEmpty()) {
      return List.of(new Row("<none>", "<none>", "<none>", img));
    }
    if (img.repoTags().size() == 1 && img.repoDigests().isEmpty()) { // most images: one tag
      Reference t = img.repoTags().getFirst();
      return List.of(new Row(t.familiarName(), t.tag(), "<none>", img));
    }
    Map<String, List<String>> tagsByRepo = new LinkedHashMap<>();
    for (Reference t : img.repoTags()) {
      tagsByRepo.computeIfAbsent(t.familiarName(), k -> new ArrayList<>()).add(t.tag());
    }
    Map<String, List<String>> digestsByRepo = new LinkedHashMap<>();
    for (Reference d : img.repoDigests()) {
      digestsByRepo
          .computeIfAbsent(d.familiarName(), k -> new ArrayList<>())
          .add(d.digest().toString());
    }
    List<Row> out = new ArrayList<>();
    tagsByRepo.forEach(
        (repo, tags) -> {
          List<String> ds = digestsByRepo.remove(repo);
          for (String tag : tags) {
            if (!digests || ds == null) {
              out.add(new Row(repo, tag, "<none>", img));
            } else {
              ds.forEach(d -> out.add(new Row(repo, tag, d, img)));
            }
          }
        });
    digestsByRepo.forEach(
        (repo, ds) -> {
          if (digests) {
            ds.forEach(d -> out.add(new Row(repo, "<none>", d, img)));
          } else {
            out.add(new Row(repo, "<none>", "", img));
          }
        });
    return out;
  }

  /**
   * The filters given, as docker's command line sends them: keys in lower case, and the positional
   * REPOSITORY[:TAG] as a reference filter.
   */
  private ImageFilter imageFilter(Instant now) {
    List<String> given = new ArrayList<>();
    for (String f : filters) {
      int eq = f.indexOf('=');
      given.add(eq < 0 ? f : f.substring(0, eq).strip().toLowerCase(Locale.ROOT) + f.substring(eq));
    }
    if (filter != null) {
      given.add("reference=" + filter);
    }
    if (given.isEmpty()) {
      return ImageFilter.NONE;
    }
    GoLocalTime local = GoLocalTime.of(main.environment().variables());
    return ImageFilter.of(
        given, now, ZoneOffset.ofTotalSeconds(local.offsetAt(now.getEpochSecond())));
  }

  /** Go's zero time (year 1), which docker's command line shows as no time at all. */
  private static final long GO_ZERO_TIME = -62_135_596_800L;

  private static String since(long created, Instant now) {
    return Format.since(Instant.ofEpochSecond(created), now);
  }

  private String id(ImageSummary img) {
    return noTrunc ? img.id().toString() : Format.shortId(img.id().hex());
  }
}
