package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonBool;
import dev.cairn.json.JsonValue.JsonNull;
import dev.cairn.json.JsonValue.JsonNumber;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What one check of the differential tests found to differ between docker and cairn, and the rule
 * for which differences may stay: only the mission's own, for images pulled as schema1 ({@link
 * #SCHEMA1}), keyed by the check and the field ({@code "inspect Id"}). Anything else fails the
 * check with both values.
 */
final class Differences {
  /**
   * The mission's differences, for an image pulled as schema1 only: it keeps the strong ID Docker
   * 1.9 gave it and the parent chain Docker 1.9 showed (a node per v1 image), where docker 20.10
   * shows the config digest of the image it converts the manifest to, without parents.
   */
  static final Map<String, String> SCHEMA1 =
      Map.ofEntries(
          Map.entry("inspect Id", "its Docker 1.9 strong ID"),
          Map.entry("inspect Parent", "its Docker 1.9 parent chain"),
          Map.entry("history IMAGE", "its Docker 1.9 parent chain, a node per step"),
          Map.entry("history -q", "its Docker 1.9 parent chain, a node per step"),
          Map.entry("images IMAGE ID", "its Docker 1.9 strong ID"),
          Map.entry("images ID", "its Docker 1.9 strong ID"),
          Map.entry("system df -v IMAGE ID", "its Docker 1.9 strong ID"),
          Map.entry("system df -v ID", "its Docker 1.9 strong ID"),
          Map.entry("image prune -a deleted", "its Docker 1.9 strong IDs, a node per v1 image"));

  /** Every allowed difference seen in this run, by the key that allowed it. */
  static final Map<String, List<Difference>> SEEN = new ConcurrentHashMap<>();

  /** One difference: where, and each side's value as text. */
  record Difference(
      DockerCorpus.Sample sample, String check, String field, String docker, String cairn) {
    @Override
    public String toString() {
      return "%s: %s %s: docker %s, cairn %s".formatted(sample, check, field, docker, cairn);
    }
  }

  private final DockerCorpus.Sample sample;
  private final String check;
  private final List<Difference> found = new ArrayList<>();

  Differences(DockerCorpus.Sample sample, String check) {
    this.sample = sample;
    this.check = check;
  }

  /** Records a difference when the two values are not equal. */
  void compare(String field, Object docker, Object cairn) {
    if (!Objects.equals(docker, cairn)) {
      add(field, docker, cairn);
    }
  }

  void add(String field, Object docker, Object cairn) {
    found.add(new Difference(sample, check, field, text(docker), text(cairn)));
  }

  /** Compares two JSON documents by value, member by member, and records what differs. */
  void compareJson(String field, JsonValue docker, JsonValue cairn) {
    compare(field, plain(docker), plain(cairn));
  }

  /** Fails with every difference that no rule allows; remembers the allowed ones. */
  void assertOnlyAllowed() {
    assertOnlyAllowed(List.of(this));
  }

  /** Fails with every difference of {@code all} that no rule allows. */
  static void assertOnlyAllowed(List<Differences> all) {
    List<String> unexpected = new ArrayList<>();
    for (Differences diffs : all) {
      for (Difference d : diffs.found) {
        String rule = allowedBy(d);
        if (rule == null) {
          unexpected.add(d.toString());
        } else {
          SEEN.computeIfAbsent(rule, k -> new CopyOnWriteArrayList<>()).add(d);
        }
      }
    }
    assertThat(unexpected).as("differences between docker and cairn").isEmpty();
  }

  private static String allowedBy(Difference d) {
    if (d.sample().schema1() && SCHEMA1.containsKey(d.check() + " " + d.field())) {
      return "schema1 (the mission's): " + d.check() + " " + d.field();
    }
    return null;
  }

  /** A JSON value as plain Java values: maps (sorted, the last duplicate wins), lists, text. */
  static Object plain(JsonValue v) {
    return switch (v) {
      case null -> ABSENT;
      case JsonObject o -> {
        Map<String, Object> m = new TreeMap<>();
        o.members().forEach(member -> m.put(member.key(), plain(member.value())));
        yield m;
      }
      case JsonArray a -> a.items().stream().map(Differences::plain).toList();
      case JsonString s -> s.value();
      case JsonNumber n -> new BigDecimal(n.text()).stripTrailingZeros();
      case JsonBool b -> b.value();
      case JsonNull n -> NULL;
    };
  }

  /** Whether a plain value is Go's zero value for its JSON type. */
  static boolean zero(Object v) {
    return v == NULL
        || Boolean.FALSE.equals(v)
        || "".equals(v)
        || v instanceof BigDecimal n && n.signum() == 0
        || v instanceof Map<?, ?> m && m.isEmpty()
        || v instanceof List<?> l && l.isEmpty();
  }

  /** JSON null, as a plain value. */
  static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  /** A member that is not there at all. */
  static final Object ABSENT =
      new Object() {
        @Override
        public String toString() {
          return "(absent)";
        }
      };

  private static String text(Object v) {
    return switch (v) {
      case null -> "(absent)";
      case String s -> '"' + s + '"';
      case BigDecimal n -> n.toPlainString();
      case Map<?, ?> m -> {
        Map<Object, String> out = new LinkedHashMap<>();
        m.forEach((k, x) -> out.put(k, text(x)));
        yield out.toString();
      }
      case List<?> l -> l.stream().map(Differences::text).toList().toString();
      default -> v.toString();
    };
  }
}
