package dev.cairn.json;

import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.Member;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A JSON object as Go holds it in a {@code map[string]json.RawMessage}: the last duplicate key
 * wins, values stay as written, and {@link #encode} writes the keys sorted by their bytes with the
 * values compacted. Docker derives image configs and v1 JSON this way, so cairn does too.
 */
public final class RawObject {
  private final Map<String, Consumer<GoJsonWriter>> members;

  private RawObject(Map<String, Consumer<GoJsonWriter>> members) {
    this.members = members;
  }

  public static RawObject of(JsonObject object) {
    Map<String, Consumer<GoJsonWriter>> m = new HashMap<>(object.members().size() * 2);
    for (Member member : object.members()) {
      JsonValue v = member.value();
      m.put(member.key(), w -> w.raw(v));
    }
    return new RawObject(m);
  }

  /** Drops these keys (exact, case-sensitive names). */
  public RawObject remove(String... keys) {
    for (String k : keys) {
      members.remove(k);
    }
    return this;
  }

  public RawObject putString(String key, String value) {
    members.put(key, w -> w.string(value));
    return this;
  }

  /** Sets {@code key} to whatever {@code value} writes: one complete JSON value. */
  public RawObject put(String key, Consumer<GoJsonWriter> value) {
    members.put(key, value);
    return this;
  }

  public boolean has(String key) {
    return members.containsKey(key);
  }

  /** The object as Go's json.Marshal writes the map. */
  public byte[] encode() {
    List<String> keys = new ArrayList<>(members.keySet());
    keys.sort(GoJsonWriter.KEY_ORDER);
    GoJsonWriter w = new GoJsonWriter(256 + 64 * keys.size());
    w.punct('{');
    for (int i = 0; i < keys.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.name(keys.get(i));
      members.get(keys.get(i)).accept(w);
    }
    return w.punct('}').toByteArray();
  }
}
