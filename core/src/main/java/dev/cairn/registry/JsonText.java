package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry's small documents (error bodies, tokens, tag lists, credential files, the fields a
 * manifest check reads) as plain Java values, parsed by {@link Json}: objects become maps (the last
 * duplicate wins, as in Go), arrays lists, numbers BigDecimal, null {@link #NULL}.
 */
final class JsonText {
  /** The JSON null. */
  static final Object NULL = new Object();

  private JsonText() {}

  static Object parse(byte[] utf8) {
    return convert(Json.parse(utf8));
  }

  static Object parse(String text) {
    return parse(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The object's member {@code key} when it is of {@code type}, else null. */
  static <T> T member(Object object, String key, Class<T> type) {
    if (object instanceof Map<?, ?> m && type.isInstance(m.get(key))) {
      return type.cast(m.get(key));
    }
    return null;
  }

  /**
   * A number; one whose exponent BigDecimal cannot hold is bad input, as Go's float64 refuses it.
   */
  private static BigDecimal number(String text) {
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw CairnException.invalid("number " + text + " is out of range");
    }
  }

  private static Object convert(JsonValue v) {
    return switch (v) {
      case JsonValue.JsonObject o -> {
        Map<String, Object> m = new LinkedHashMap<>();
        for (JsonValue.Member member : o.members()) {
          m.put(member.key(), convert(member.value()));
        }
        yield m;
      }
      case JsonValue.JsonArray a -> {
        List<Object> l = new ArrayList<>(a.items().size());
        for (JsonValue item : a.items()) {
          l.add(convert(item));
        }
        yield l;
      }
      case JsonValue.JsonString s -> s.value();
      case JsonValue.JsonNumber n -> number(n.text());
      case JsonValue.JsonBool b -> b.value();
      case JsonValue.JsonNull n -> NULL;
    };
  }
}
