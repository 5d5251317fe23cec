package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.Reference;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.store.Image;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn inspect}: docker's image inspect JSON. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Show images as JSON, in the form docker inspect gives.",
      "Fields: Id, RepoTags, RepoDigests, Parent, Created, Config, Size and RootFS.Layers (the"
          + " DiffIDs, base first)."
    },
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {
      ExitStatus.OK,
      ExitStatus.INVALID,
      ExitStatus.NOT_FOUND,
      ExitStatus.CONFLICT,
      ExitStatus.UNAVAILABLE
    })
final class InspectCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Name, name:tag or image ID.")
  List<String> images;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GoJsonWriter w = new GoJsonWriter();
    int status = 0;
    int found = 0;
    try (Store store = main.openStore()) {
      w.punct('[');
      for (String name : images) {
        Image img;
        try {
          img = store.image(name);
        } catch (CairnException e) {
          // as docker does: the images found are printed, each failure reported on its own
          err.println("cairn: " + e.getMessage());
          status = Math.max(status, Main.exitCode(e.kind()));
          continue;
        }
        if (found++ > 0) {
          w.punct(',');
        }
        write(w, img, store.diffIds(img));
      }
      w.punct(']');
    }
    out.println(new String(GoJsonWriter.indent(w.toByteArray(), "    "), StandardCharsets.UTF_8));
    return status;
  }

  static void write(GoJsonWriter w, Image img, List<Digest> diffIds) {
    JsonObject json = Json.parseObject(img.json(), "image " + img.top().id() + " json");
    w.punct('{');
    w.name("Id").string(img.id().toString()).punct(',');
    w.name("RepoTags").punct('[');
    list(w, img.tags());
    w.punct(']').punct(',');
    w.name("RepoDigests").punct('[');
    list(w, img.digests());
    w.punct(']').punct(',');
    w.name("Parent").string(img.top().parent() == null ? "" : "sha256:" + img.top().parent());
    w.punct(',');
    w.name("Comment");
    raw(w, json.get("comment"), "\"\"");
    w.punct(',').name("Created");
    raw(w, json.get("created"), "\"\"");
    w.punct(',').name("DockerVersion");
    raw(w, json.get("docker_version"), "\"\"");
    w.punct(',').name("Author");
    raw(w, json.get("author"), "\"\"");
    w.punct(',').name("Config");
    raw(w, json.get("config"), "null");
    w.punct(',').name("Architecture");
    raw(w, json.get("architecture"), "\"\"");
    JsonValue variant = json.get("variant");
    if (variant != null) {
      w.punct(',').name("Variant").raw(variant);
    }
    w.punct(',').name("Os");
    raw(w, json.get("os"), "\"\"");
    w.punct(',').name("Size").number(img.size());
    w.punct(',').name("RootFS").punct('{').name("Type").string("layers");
    w.punct(',').name("Layers").punct('[');
    for (int i = 0; i < diffIds.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.string(diffIds.get(i).toString());
    }
    w.punct(']').punct('}');
    w.punct('}');
  }

  private static void list(GoJsonWriter w, List<Reference> refs) {
    for (int i = 0; i < refs.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.string(refs.get(i).familiar());
    }
  }

  private static void raw(GoJsonWriter w, JsonValue value, String absent) {
    if (value == null) {
      w.ascii(absent);
    } else {
      w.raw(value);
    }
  }
}
