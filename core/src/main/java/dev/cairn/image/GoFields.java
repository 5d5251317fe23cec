package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonNull;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.JsonValue.Member;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An object's members decoded into a fixed set of fields the way Go's encoding/json fills a struct
 * (exact name first, else case-insensitive; the last matching key wins; unknown keys ignored), so
 * that cairn reads a manifest or config exactly as the Go tools that wrote and serve it do.
 */
final class GoFields {
  private final String where;
  private final JsonValue[] values;

  private GoFields(String where, JsonValue[] values) {
    this.where = where;
    this.values = values;
  }

  static GoFields of(JsonValue v, String where, String... names) {
    if (!(v instanceof JsonObject o)) {
      throw CairnException.invalid(where + ": expected a JSON object, got " + v.typeName());
    }
    Map<String, Integer> exact = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      exact.put(names[i], i);
    }
    JsonValue[] values = new JsonValue[names.length];
    for (Member m : o.members()) {
      int f = GoDecoder.field(names, exact, m.key());
      if (f >= 0) {
        values[f] = m.value();
      }
    }
    return new GoFields(where, values);
  }

  /** The raw value of field {@code i}, or null when absent or JSON null. */
  JsonValue value(int i) {
    JsonValue v = values[i];
    return v instanceof JsonNull ? null : v;
  }

  String string(int i, String name) {
    JsonValue v = value(i);
    if (v == null) {
      return null;
    }
    if (v instanceof JsonString s) {
      return s.value();
    }
    throw typeError(name, "a string", v);
  }

  String required(int i, String name) {
    String s = string(i, name);
    if (s == null || s.isEmpty()) {
      throw CairnException.invalid(where + ": " + name + " is missing");
    }
    return s;
  }

  long int64(int i, String name, long absent) {
    JsonValue v = value(i);
    return v == null ? absent : GoDecoder.int64(where + "." + name, v, absent);
  }

  boolean bool(int i, String name) {
    JsonValue v = value(i);
    return v != null && GoDecoder.bool(where + "." + name, v, false);
  }

  Digest digest(int i, String name) {
    String s = required(i, name);
    if (!Digest.isValid(s)) {
      throw CairnException.invalid(
          where + ": " + name + " " + CairnException.quote(s) + " is not a valid digest");
    }
    return Digest.parse(s);
  }

  List<JsonValue> array(int i, String name) {
    JsonValue v = value(i);
    if (v == null) {
      return List.of();
    }
    if (v instanceof JsonArray a) {
      return a.items();
    }
    throw typeError(name, "an array", v);
  }

  List<String> strings(int i, String name) {
    List<String> out = new ArrayList<>();
    for (JsonValue item : array(i, name)) {
      if (!(item instanceof JsonString s)) {
        throw typeError(name + "[]", "a string", item);
      }
      out.add(s.value());
    }
    return List.copyOf(out);
  }

  /** A string-to-string object (annotations, labels); the last duplicate key wins. */
  Map<String, String> stringMap(int i, String name) {
    JsonValue v = value(i);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof JsonObject o)) {
      throw typeError(name, "an object", v);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Member m : o.members()) {
      if (!(m.value() instanceof JsonString s)) {
        throw typeError(name + "." + m.key(), "a string", m.value());
      }
      out.remove(m.key());
      out.put(m.key(), s.value());
    }
    return Collections.unmodifiableMap(out);
  }

  private CairnException typeError(String name, String wanted, JsonValue got) {
    return CairnException.invalid(
        where + ": " + name + " must be " + wanted + ", not " + got.typeName());
  }
}
