package dev.cairn.serve;

import dev.cairn.CairnException;
import dev.cairn.store.DiskUsage;
import dev.cairn.store.EngineJson;
import dev.cairn.store.Store;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** The store as a whole: {@code info} and {@code system/df}. */
final class InfoRoutes implements Call.Routes {
  /** The kinds of objects {@code system/df?type=} takes (API 1.42). */
  private static final Set<String> TYPES = Set.of("container", "image", "volume", "build-cache");

  private final Store store;

  InfoRoutes(Store store) {
    this.store = store;
  }

  @Override
  public boolean answer(Call call) throws IOException {
    if (call.is("GET", "/info")) {
      call.json(
          200, EngineJson.info(store.engineInfo(), SystemRoutes.serverVersion(), Instant.now()));
    } else if (call.is("GET", "/system/df")) {
      List<String> given = call.query().getValues("type");
      List<String> types = given == null ? List.of() : given;
      for (String t : types) {
        if (!TYPES.contains(t)) {
          throw CairnException.invalid("unknown object type: " + t);
        }
      }
      // cairn keeps images only: the other kinds, asked for or not, are always empty
      DiskUsage usage =
          types.isEmpty() || types.contains("image")
              ? store.diskUsage()
              : new DiskUsage(List.of(), 0, 0, 0, 0, 0);
      call.json(200, EngineJson.diskUsage(usage));
    } else {
      return false;
    }
    return true;
  }
}
