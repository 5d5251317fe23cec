package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonBool;
import dev.cairn.json.JsonValue.JsonNull;
import dev.cairn.json.JsonValue.JsonNumber;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.json.JsonValue.Member;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes v1 image JSON into {@link V1Image} with the observable behaviour of Go's encoding/json
 * (Go 1.19) on Docker 1.9's structs: case-insensitive field names with Go's folding (including the
 * Kelvin sign and long s), null leaving scalars untouched, duplicates decoding into what an earlier
 * one left (maps and structs merge; slices reuse their backing array), and strSlice accepting a
 * string or an array.
 */
final class GoDecoder {
  private GoDecoder() {}

  static V1Image decodeV1Image(byte[] json) {
    return decodeV1Image(Json.parse(json));
  }

  static V1Image decodeV1Image(JsonValue root) {
    ImageState img = new ImageState();
    switch (root) {
      case JsonObject o -> img.decode(o);
      case JsonNull n -> {} // Go leaves the zero image
      default -> throw typeError("", "an object", root);
    }
    return img.build();
  }

  // Field names in Go's order; the index is the switch key below.
  private static final String[] IMAGE_FIELDS = {
    "id", "parent", "comment", "created", "container", "container_config", "docker_version",
    "author", "config", "architecture", "os", "Size", "parent_id", "layer_id"
  };
  private static final String[] CONFIG_FIELDS = {
    "Hostname",
    "Domainname",
    "User",
    "AttachStdin",
    "AttachStdout",
    "AttachStderr",
    "ExposedPorts",
    "PublishService",
    "Tty",
    "OpenStdin",
    "StdinOnce",
    "Env",
    "Cmd",
    "Image",
    "Volumes",
    "WorkingDir",
    "Entrypoint",
    "NetworkDisabled",
    "MacAddress",
    "OnBuild",
    "Labels",
    "StopSignal"
  };
  private static final Map<String, Integer> IMAGE_INDEX = index(IMAGE_FIELDS);
  private static final Map<String, Integer> CONFIG_INDEX = index(CONFIG_FIELDS);

  private static Map<String, Integer> index(String[] names) {
    Map<String, Integer> m = new java.util.HashMap<>();
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], i);
    }
    return m;
  }

  /** The field a key decodes into: an exact name first, else Go's case folding; -1 if none. */
  static int field(String[] names, Map<String, Integer> exact, String key) {
    Integer i = exact.get(key);
    if (i != null) {
      return i;
    }
    for (int k = 0; k < names.length; k++) {
      if (foldEquals(names[k], key)) {
        return k;
      }
    }
    return -1;
  }

  /**
   * Go's case-insensitive match of an ASCII field name against a key: ASCII letters match either
   * case, and where the name has an s or k, the key may hold U+017F (ſ) or U+212A (K) there, since
   * Unicode folds those to s and k.
   */
  static boolean foldEquals(String name, String key) {
    int j = 0;
    for (int i = 0; i < name.length(); i++) {
      if (j >= key.length()) {
        return false;
      }
      char n = name.charAt(i);
      int k = key.codePointAt(j);
      j += Character.charCount(k);
      if (k == n) {
        continue;
      }
      char lower = Character.toLowerCase(n);
      boolean letter = lower >= 'a' && lower <= 'z';
      if (k < 0x80) {
        if (!letter || Character.toLowerCase((char) k) != lower) {
          return false;
        }
      } else if (!((lower == 's' && k == 0x017F) || (lower == 'k' && k == 0x212A))) {
        return false;
      }
    }
    return j == key.length();
  }

  private static final class ImageState {
    String id = "";
    String parent = "";
    String comment = "";
    GoTime created = GoTime.ZERO;
    String container = "";
    final ConfigState containerConfig = new ConfigState();
    String dockerVersion = "";
    String author = "";
    ConfigState config;
    String architecture = "";
    String os = "";
    long size;
    String parentId = "";
    String layerId = "";

    void decode(JsonObject o) {
      for (Member m : o.members()) {
        int f = field(IMAGE_FIELDS, IMAGE_INDEX, m.key());
        if (f < 0) {
          continue;
        }
        String name = IMAGE_FIELDS[f];
        JsonValue v = m.value();
        switch (f) {
          case 0 -> id = string(name, v, id);
          case 1 -> parent = string(name, v, parent);
          case 2 -> comment = string(name, v, comment);
          case 3 -> created = time(name, v, created);
          case 4 -> container = string(name, v, container);
          case 5 -> containerConfig.decodeStruct(name, v);
          case 6 -> dockerVersion = string(name, v, dockerVersion);
          case 7 -> author = string(name, v, author);
          case 8 -> {
            if (v instanceof JsonNull) {
              config = null;
            } else {
              if (config == null) {
                config = new ConfigState();
              }
              config.decodeStruct(name, v);
            }
          }
          case 9 -> architecture = string(name, v, architecture);
          case 10 -> os = string(name, v, os);
          case 11 -> size = int64(name, v, size);
          case 12 -> parentId = string(name, v, parentId);
          case 13 -> layerId = string(name, v, layerId);
          default -> throw new IllegalStateException();
        }
      }
    }

    V1Image build() {
      return new V1Image(
          id,
          parent,
          comment,
          created,
          container,
          containerConfig.build(),
          dockerVersion,
          author,
          config == null ? null : config.build(),
          architecture,
          os,
          size,
          parentId,
          layerId);
    }
  }

  private static final class ConfigState {
    String hostname = "";
    String domainname = "";
    String user = "";
    boolean attachStdin;
    boolean attachStdout;
    boolean attachStderr;
    Set<String> exposedPorts;
    String publishService = "";
    boolean tty;
    boolean openStdin;
    boolean stdinOnce;
    final GoSlice env = new GoSlice();
    List<String> cmd;
    String image = "";
    Set<String> volumes;
    String workingDir = "";
    List<String> entrypoint;
    boolean networkDisabled;
    String macAddress = "";
    final GoSlice onBuild = new GoSlice();
    Map<String, String> labels;
    String stopSignal = "";

    void decodeStruct(String path, JsonValue v) {
      switch (v) {
        case JsonNull n -> {}
        case JsonObject o -> {
          for (Member m : o.members()) {
            int f = field(CONFIG_FIELDS, CONFIG_INDEX, m.key());
            if (f >= 0) {
              decodeField(f, path + "." + CONFIG_FIELDS[f], m.value());
            }
          }
        }
        default -> throw typeError(path, "an object", v);
      }
    }

    private void decodeField(int f, String name, JsonValue v) {
      switch (f) {
        case 0 -> hostname = string(name, v, hostname);
        case 1 -> domainname = string(name, v, domainname);
        case 2 -> user = string(name, v, user);
        case 3 -> attachStdin = bool(name, v, attachStdin);
        case 4 -> attachStdout = bool(name, v, attachStdout);
        case 5 -> attachStderr = bool(name, v, attachStderr);
        case 6 -> exposedPorts = emptyStructMap(name, v, exposedPorts);
        case 7 -> publishService = string(name, v, publishService);
        case 8 -> tty = bool(name, v, tty);
        case 9 -> openStdin = bool(name, v, openStdin);
        case 10 -> stdinOnce = bool(name, v, stdinOnce);
        case 11 -> env.decode(name, v);
        case 12 -> cmd = strSlice(name, v);
        case 13 -> image = string(name, v, image);
        case 14 -> volumes = emptyStructMap(name, v, volumes);
        case 15 -> workingDir = string(name, v, workingDir);
        case 16 -> entrypoint = strSlice(name, v);
        case 17 -> networkDisabled = bool(name, v, networkDisabled);
        case 18 -> macAddress = string(name, v, macAddress);
        case 19 -> onBuild.decode(name, v);
        case 20 -> labels = stringMap(name, v, labels);
        case 21 -> stopSignal = string(name, v, stopSignal);
        default -> throw new IllegalStateException();
      }
    }

    ContainerConfig build() {
      return new ContainerConfig(
          hostname,
          domainname,
          user,
          attachStdin,
          attachStdout,
          attachStderr,
          frozen(exposedPorts),
          publishService,
          tty,
          openStdin,
          stdinOnce,
          env.toList(),
          cmd == null ? null : List.copyOf(cmd),
          image,
          frozen(volumes),
          workingDir,
          entrypoint == null ? null : List.copyOf(entrypoint),
          networkDisabled,
          macAddress,
          onBuild.toList(),
          labels == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(labels)),
          stopSignal);
    }

    private static Set<String> frozen(Set<String> s) {
      return s == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(s));
    }
  }

  /**
   * A Go slice whose elements decode to one string each ([]string, or a slice of one-field
   * structs): decoding an array reuses the backing array (what an earlier duplicate left survives
   * where this array has null, or an object without the field), grows it by half (at least to 4)
   * and truncates.
   */
  static final class GoSlice {
    /** Decodes one element into what the backing array holds at its index. */
    interface Element {
      String decode(String path, JsonValue v, String current);
    }

    private final Element element;
    private final String expected;
    private String[] backing;
    private int len;
    private boolean nil = true;

    GoSlice() {
      this(GoDecoder::string, "an array of strings");
    }

    GoSlice(Element element, String expected) {
      this.element = element;
      this.expected = expected;
    }

    void decode(String path, JsonValue v) {
      switch (v) {
        case JsonNull n -> {
          backing = null;
          len = 0;
          nil = true;
        }
        case JsonArray a -> {
          int i = 0;
          for (JsonValue item : a.items()) {
            int cap = backing == null ? 0 : backing.length;
            if (i >= cap) {
              int newCap = Math.max(cap + cap / 2, 4);
              String[] grown = new String[newCap];
              Arrays.fill(grown, "");
              if (backing != null) {
                System.arraycopy(backing, 0, grown, 0, len);
              }
              backing = grown;
            }
            if (i >= len) {
              len = i + 1;
            }
            backing[i] = element.decode(path + "[" + i + "]", item, backing[i]);
            i++;
          }
          if (i < len) {
            len = i;
          }
          if (i == 0) {
            backing = new String[0];
            len = 0;
          }
          nil = false;
        }
        default -> throw typeError(path, expected, v);
      }
    }

    List<String> toList() {
      return nil ? null : List.of(Arrays.copyOf(backing, len));
    }
  }

  /** A Go struct with one string field, as a slice element: null and a missing field keep it. */
  static GoSlice.Element structWith(String field) {
    return (path, v, current) ->
        switch (v) {
          case JsonNull n -> current;
          case JsonObject o -> {
            String value = current;
            for (Member m : o.members()) {
              if (foldEquals(field, m.key())) {
                value = string(path + "." + field, m.value(), value);
              }
            }
            yield value;
          }
          default -> throw typeError(path, "an object", v);
        };
  }

  static String string(String path, JsonValue v, String current) {
    return switch (v) {
      case JsonString s -> s.value();
      case JsonNull n -> current;
      default -> throw typeError(path, "a string", v);
    };
  }

  static boolean bool(String path, JsonValue v, boolean current) {
    return switch (v) {
      case JsonBool b -> b.value();
      case JsonNull n -> current;
      default -> throw typeError(path, "a boolean", v);
    };
  }

  /** Go's int64 decoding: an integer literal in range; fractions and exponents are errors. */
  static long int64(String path, JsonValue v, long current) {
    return switch (v) {
      case JsonNumber n -> {
        try {
          yield Long.parseLong(n.text());
        } catch (NumberFormatException e) {
          throw CairnException.invalid(
              "field "
                  + path
                  + ": cannot decode number "
                  + CairnException.quote(n.text())
                  + " as a 64-bit integer");
        }
      }
      case JsonNull n -> current;
      default -> throw typeError(path, "a number", v);
    };
  }

  static GoTime time(String path, JsonValue v, GoTime current) {
    if (v instanceof JsonNull) {
      return current;
    }
    try {
      return GoTime.parseJson(v.source(), v.start(), v.end());
    } catch (CairnException e) {
      throw e.in("field " + path);
    }
  }

  /** Docker's strSlice: a string becomes a one-element list; an array is decoded afresh. */
  static List<String> strSlice(String path, JsonValue v) {
    return switch (v) {
      case JsonNull n -> null;
      case JsonString s -> List.of(s.value());
      case JsonArray a -> {
        List<String> out = new ArrayList<>(a.items().size());
        for (JsonValue item : a.items()) {
          out.add(
              switch (item) {
                case JsonString s -> s.value();
                case JsonNull n -> "";
                default -> throw typeError(path, "a string or an array of strings", v);
              });
        }
        yield out;
      }
      default -> throw typeError(path, "a string or an array of strings", v);
    };
  }

  /**
   * A Go map[string]struct{}: a non-nil map is added to, and each value must be an object or null.
   */
  static Set<String> emptyStructMap(String path, JsonValue v, Set<String> current) {
    return switch (v) {
      case JsonNull n -> null;
      case JsonObject o -> {
        Set<String> out = current == null ? new HashSet<>() : current;
        for (Member m : o.members()) {
          if (!(m.value() instanceof JsonObject) && !(m.value() instanceof JsonNull)) {
            throw typeError(
                path + "[" + CairnException.quote(m.key()) + "]", "an object", m.value());
          }
          out.add(m.key());
        }
        yield out;
      }
      default -> throw typeError(path, "an object", v);
    };
  }

  /** A Go map[string]string: a non-nil map is added to; a null value stores "". */
  static Map<String, String> stringMap(String path, JsonValue v, Map<String, String> current) {
    return switch (v) {
      case JsonNull n -> null;
      case JsonObject o -> {
        Map<String, String> out = current == null ? new LinkedHashMap<>() : current;
        for (Member m : o.members()) {
          out.put(m.key(), string(path + "[" + CairnException.quote(m.key()) + "]", m.value(), ""));
        }
        yield out;
      }
      default -> throw typeError(path, "an object", v);
    };
  }

  static CairnException typeError(String path, String expected, JsonValue got) {
    String where = path.isEmpty() ? "the document" : "field " + path;
    return CairnException.invalid(where + ": expected " + expected + ", got " + got.typeName());
  }
}
