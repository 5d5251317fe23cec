package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.graph.Node;
import dev.cairn.image.V1Image;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonBool;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.store.Image;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn history}: one row per layer step, newest first, as docker shows it. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
      "Show how an image was built: one row per step, newest first.",
      "Steps that made no layer (ENV, CMD, ...) show <missing> as their image."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.NOT_FOUND,
      ExitStatus.CONFLICT,
      ExitStatus.UNAVAILABLE
    })
final class HistoryCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the node IDs, top to base.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Do not shorten IDs and commands.")
  boolean noTrunc;

  @Parameters(paramLabel = "IMAGE", description = "Name, name:tag or image ID.")
  String image;

  /** One step; {@code node} is null for a step that made no layer. */
  record Step(Node node, Instant created, String createdBy, long size, String comment) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<Step> steps;
    try (Store store = main.openStore()) {
      Image img = store.image(image);
      steps = steps(store, img);
    }
    if (quiet) {
      for (Step s : steps.reversed()) {
        if (s.node() != null) {
          out.println(noTrunc ? "sha256:" + s.node().id() : Format.shortId(s.node().id()));
        }
      }
      return 0;
    }
    Instant now = Instant.now();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"});
    for (Step s : steps.reversed()) {
      String id =
          s.node() == null
              ? "<missing>"
              : noTrunc ? "sha256:" + s.node().id() : Format.shortId(s.node().id());
      String by = s.createdBy().replace('\t', ' ').replace('\n', ' ');
      rows.add(
          new String[] {
            id,
            Format.since(s.created(), now),
            noTrunc ? by : Format.ellipsis(by, 45),
            Format.size(s.size()),
            s.comment()
          });
    }
    Format.table(rows).forEach(out::println);
    return 0;
  }

  /** Steps base first: from the config's history when it has one, else one per node. */
  static List<Step> steps(Store store, Image img) throws IOException {
    JsonObject top = Json.parseObject(img.json(), "image " + img.top().id() + " json");
    if (top.get("history") instanceof JsonArray history && !history.items().isEmpty()) {
      List<Step> out = new ArrayList<>();
      int layer = 0;
      for (JsonValue v : history.items()) {
        if (!(v instanceof JsonObject h)) {
          throw CairnException.invalid(
              "image " + img.top().id() + ": a history entry is not an object");
        }
        boolean empty = h.get("empty_layer") instanceof JsonBool b && b.value();
        Node node = !empty && layer < img.chain().size() ? img.chain().get(layer++) : null;
        out.add(
            new Step(
                node,
                time(text(h.get("created"))),
                text(h.get("created_by")),
                node == null ? 0 : Math.max(0, store.graph().get(node.id()).size()),
                text(h.get("comment"))));
      }
      return out;
    }
    List<Step> out = new ArrayList<>();
    for (Node n : img.chain()) {
      V1Image v1 = V1Image.decode(store.graph().rawJSON(n.id()));
      List<String> cmd = v1.containerConfig().cmd();
      out.add(
          new Step(
              n,
              n.created(),
              cmd == null ? "" : String.join(" ", cmd),
              Math.max(0, store.graph().get(n.id()).size()),
              v1.comment()));
    }
    return out;
  }

  private static String text(JsonValue v) {
    return v instanceof JsonString s ? s.value() : "";
  }

  private static Instant time(String text) {
    try {
      return text.isEmpty() ? null : OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
