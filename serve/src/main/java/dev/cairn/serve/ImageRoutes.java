package dev.cairn.serve;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.store.EngineJson;
import dev.cairn.store.ImageFilter;
import dev.cairn.store.PruneOptions;
import dev.cairn.store.PruneReport;
import dev.cairn.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** The images of the store: list, inspect, history, tag, remove, prune. */
final class ImageRoutes implements Call.Routes {
  private final Store store;

  ImageRoutes(Store store) {
    this.store = store;
  }

  @Override
  public boolean answer(Call call) throws IOException {
    String name;
    if (call.is("GET", "/images/json")) {
      ImageFilter filter =
          ImageFilter.of(filters(call.param("filters")), Instant.now(), ZoneId.systemDefault());
      call.json(200, EngineJson.summaries(store.imageSummaries(call.flag("all"), filter)));
    } else if ((name = call.image("GET", "/json")) != null) {
      call.json(200, EngineJson.inspect(Call.image(name, store::inspect)));
    } else if ((name = call.image("GET", "/history")) != null) {
      call.json(200, EngineJson.history(Call.image(name, store::history)));
    } else if ((name = call.image("POST", "/tag")) != null) {
      String repo = call.param("repo");
      String tag = call.param("tag");
      if (repo == null || repo.isEmpty()) {
        throw CairnException.invalid("repository name (repo) cannot be empty");
      }
      Reference target =
          Reference.parse(repo + ":" + (tag == null || tag.isEmpty() ? "latest" : tag));
      Call.image(name, n -> store.tag(n, target));
      call.empty(201);
    } else if ((name = call.image("DELETE", "")) != null) {
      boolean force = call.flag("force");
      boolean noPrune = call.flag("noprune");
      call.json(200, removals(Call.image(name, n -> store.remove(n, force, noPrune))));
    } else if (call.is("POST", "/images/prune")) {
      PruneReport report =
          store.prune(
              PruneOptions.of(
                  false, filters(call.param("filters")), Instant.now(), ZoneId.systemDefault()));
      if (report.failure() != null && report.removals().isEmpty()) {
        throw report.failure() instanceof IOException io
            ? io
            : new IOException(report.failure().getMessage(), report.failure());
      }
      call.json(200, pruned(report));
    } else {
      return false;
    }
    return true;
  }

  /** dockerd's answer to a delete: one object per untagging and per deletion. */
  private static byte[] removals(List<Store.Removal> done) {
    GoJsonWriter w = new GoJsonWriter();
    removals(w, done);
    return w.toByteArray();
  }

  private static void removals(GoJsonWriter w, List<Store.Removal> done) {
    w.punct('[');
    for (int i = 0; i < done.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.punct('{').name(done.get(i).action()).string(done.get(i).what()).punct('}');
    }
    w.punct(']');
  }

  /** dockerd's prune answer: what went (null for nothing) and the space it freed. */
  private static byte[] pruned(PruneReport report) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("ImagesDeleted");
    if (report.removals().isEmpty()) {
      w.ascii("null");
    } else {
      removals(w, report.removals());
    }
    w.punct(',').name("SpaceReclaimed").number(report.spaceReclaimed()).punct('}');
    return w.toByteArray();
  }

  /**
   * The API's {@code filters} parameter, {@code {"key":{"value":true},…}} or {@code
   * {"key":["value",…]}}, as the {@code key=value} filters the store takes; none when absent.
   */
  static List<String> filters(String json) {
    List<String> out = new ArrayList<>();
    if (json == null || json.isBlank()) {
      return out;
    }
    JsonValue v;
    try {
      v = Json.parse(json.getBytes(StandardCharsets.UTF_8));
    } catch (CairnException e) {
      throw CairnException.invalid("invalid filters: " + e.getMessage());
    }
    if (!(v instanceof JsonValue.JsonObject o)) {
      throw CairnException.invalid("invalid filters: not a JSON object");
    }
    for (JsonValue.Member key : o.members()) {
      switch (key.value()) {
        case JsonValue.JsonObject values -> {
          for (JsonValue.Member value : values.members()) {
            out.add(key.key() + "=" + value.key());
          }
        }
        // the older form, {"key":["value",…]}, which dockerd still reads and docker-java sends
        case JsonValue.JsonArray values -> {
          for (JsonValue value : values.items()) {
            if (!(value instanceof JsonValue.JsonString text)) {
              throw CairnException.invalid(
                  "invalid filters: a value of " + key.key() + " is not a string");
            }
            out.add(key.key() + "=" + text.value());
          }
        }
        default ->
            throw CairnException.invalid(
                "invalid filters: " + key.key() + " is not a set of values");
      }
    }
    return out;
  }
}
