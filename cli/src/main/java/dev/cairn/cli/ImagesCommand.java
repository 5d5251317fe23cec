package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.store.Image;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
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
      "With -a, also the intermediate nodes of every image's chain."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {ExitStatus.OK, ExitStatus.INVALID, ExitStatus.CONFLICT, ExitStatus.UNAVAILABLE})
final class ImagesCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = {"-a", "--all"},
      description = "Show intermediate nodes too.")
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
      description = "Only images of this repository (and tag).")
  String filter;

  /** One line of the listing. */
  record Row(String repository, String tag, String digest, Image image) {}

  @Override
  public Integer call() throws IOException {
    if (!format.equals("table") && !format.equals("json")) {
      throw CairnException.invalid(
          "--format must be table or json, not " + CairnException.quote(format));
    }
    PrintWriter out = spec.commandLine().getOut();
    List<Row> rows = new ArrayList<>();
    try (Store store = main.openStore()) {
      for (Image img : store.images(all)) {
        List<Reference> tags = img.tags();
        if (tags.isEmpty()) {
          String digest =
              img.digests().isEmpty() ? "<none>" : img.digests().getFirst().digest().toString();
          String repo =
              img.digests().isEmpty() ? "<none>" : img.digests().getFirst().familiarName();
          rows.add(new Row(repo, "<none>", digest, img));
        } else {
          for (Reference t : tags) {
            rows.add(new Row(t.familiarName(), t.tag(), digestOf(img, t), img));
          }
        }
      }
    }
    if (filter != null) {
      Reference f = Reference.parse(filter);
      // "alpine" lists every tag of alpine; "alpine:3" only that one.
      boolean tagGiven = filter.substring(filter.lastIndexOf('/') + 1).contains(":");
      rows.removeIf(
          r -> !r.repository().equals(f.familiarName()) || tagGiven && !r.tag().equals(f.tag()));
    }
    if (quiet) {
      Set<String> seen = new LinkedHashSet<>();
      for (Row r : rows) {
        seen.add(id(r.image()));
      }
      seen.forEach(out::println);
      return 0;
    }
    Instant now = Instant.now();
    if (format.equals("json")) {
      for (Row r : rows) {
        GoJsonWriter w = new GoJsonWriter();
        w.punct('{');
        w.name("Containers").string("N/A").punct(',');
        w.name("CreatedAt")
            .string(r.image().created() == null ? "" : r.image().created().toString())
            .punct(',');
        w.name("CreatedSince").string(Format.since(r.image().created(), now)).punct(',');
        w.name("Digest").string(r.digest()).punct(',');
        w.name("ID").string(id(r.image())).punct(',');
        w.name("Repository").string(r.repository()).punct(',');
        w.name("SharedSize").string("N/A").punct(',');
        w.name("Size").string(Format.size(r.image().size())).punct(',');
        w.name("Tag").string(r.tag()).punct(',');
        w.name("UniqueSize").string("N/A").punct(',');
        w.name("VirtualSize").string(Format.size(r.image().size()));
        w.punct('}');
        out.println(new String(w.toByteArray(), StandardCharsets.UTF_8));
      }
      return 0;
    }
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
    for (Row r : rows) {
      table.add(
          new String[] {
            r.repository(),
            r.tag(),
            id(r.image()),
            Format.since(r.image().created(), now),
            Format.size(r.image().size())
          });
    }
    Format.table(table).forEach(out::println);
    return 0;
  }

  private static String digestOf(Image img, Reference tag) {
    for (Reference d : img.digests()) {
      if (d.name().equals(tag.name())) {
        return d.digest().toString();
      }
    }
    return "<none>";
  }

  private String id(Image img) {
    return noTrunc ? img.id().toString() : Format.shortId(img.top().id());
  }
}
