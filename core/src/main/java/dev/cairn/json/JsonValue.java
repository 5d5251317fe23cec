package dev.cairn.json;

import java.util.Arrays;
import java.util.List;

/**
 * A parsed JSON value that remembers where it came from: {@link #source()} and the span {@code
 * [start, end)} give the exact bytes as received, so a value can be decoded and still be re-emitted
 * or hashed as it was written.
 */
public sealed interface JsonValue {

  byte[] source();

  int start();

  int end();

  /** The value's bytes exactly as they appear in the source. */
  default byte[] raw() {
    return Arrays.copyOfRange(source(), start(), end());
  }

  /** The JSON type name, for error messages ("string", "object", ...). */
  String typeName();

  /** An object: members in document order, duplicates kept (callers decide which wins). */
  record JsonObject(byte[] source, int start, int end, List<Member> members) implements JsonValue {
    @Override
    public String typeName() {
      return "object";
    }

    /** The value of the last member whose key equals {@code key} exactly, as Go keeps it. */
    public JsonValue get(String key) {
      JsonValue found = null;
      for (Member m : members) {
        if (m.key().equals(key)) {
          found = m.value();
        }
      }
      return found;
    }
  }

  /** One {@code "key": value} pair; the key is decoded the way Go decodes strings. */
  record Member(String key, JsonValue value) {}

  record JsonArray(byte[] source, int start, int end, List<JsonValue> items) implements JsonValue {
    @Override
    public String typeName() {
      return "array";
    }
  }

  /** A string; {@link #value()} is decoded lazily with Go's rules. */
  record JsonString(byte[] source, int start, int end) implements JsonValue {
    public String value() {
      return GoText.unquote(source, start, end);
    }

    @Override
    public String typeName() {
      return "string";
    }
  }

  /** A number, kept as its text. */
  record JsonNumber(byte[] source, int start, int end) implements JsonValue {
    public String text() {
      return new String(source, start, end - start, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public String typeName() {
      return "number";
    }
  }

  record JsonBool(byte[] source, int start, int end, boolean value) implements JsonValue {
    @Override
    public String typeName() {
      return "bool";
    }
  }

  record JsonNull(byte[] source, int start, int end) implements JsonValue {
    @Override
    public String typeName() {
      return "null";
    }
  }
}
