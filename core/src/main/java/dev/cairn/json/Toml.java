package dev.cairn.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.cairn.CairnException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TOML files (registries.conf) read into plain values: tables as ordered maps, arrays as lists,
 * strings, booleans, longs and doubles (dates as their text). Jackson's TOML parser does the
 * reading; a file it cannot read is an error naming the file, the line and what is wrong.
 */
public final class Toml {
  private static final TomlMapper MAPPER = new TomlMapper();

  private Toml() {}

  /**
   * The document {@code src}, read from {@code file} (named in errors).
   *
   * @throws CairnException INVALID for a document that is not TOML
   */
  public static Map<String, Object> parse(byte[] src, String file) {
    JsonNode root;
    try {
      root = MAPPER.readTree(src);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null || at.getLineNr() < 1
              ? ""
              : ", line "
                  + at.getLineNr()
                  + (at.getColumnNr() > 0 ? ", column " + at.getColumnNr() : "");
      throw CairnException.invalid(file + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw CairnException.invalid(file + ": " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      return Map.of();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> table = (Map<String, Object>) value(root);
    return table;
  }

  private static Object value(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> out = new LinkedHashMap<>();
      n.properties().forEach(e -> out.put(e.getKey(), value(e.getValue())));
      return out;
    }
    if (n.isArray()) {
      List<Object> out = new ArrayList<>(n.size());
      n.forEach(item -> out.add(value(item)));
      return out;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      return n.longValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    return n.asText();
  }
}
