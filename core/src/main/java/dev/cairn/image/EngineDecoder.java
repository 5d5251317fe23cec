package dev.cairn.image;

import static dev.cairn.image.GoDecoder.bool;
import static dev.cairn.image.GoDecoder.emptyStructMap;
import static dev.cairn.image.GoDecoder.field;
import static dev.cairn.image.GoDecoder.int64;
import static dev.cairn.image.GoDecoder.strSlice;
import static dev.cairn.image.GoDecoder.string;
import static dev.cairn.image.GoDecoder.stringMap;
import static dev.cairn.image.GoDecoder.time;
import static dev.cairn.image.GoDecoder.typeError;

import dev.cairn.image.GoDecoder.GoSlice;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonNull;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.Member;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes image JSON into {@link EngineImage} the way Go's encoding/json fills Docker 20.10's
 * image.Image and container.Config (the structs of Docker 1.9 that {@link GoDecoder} reads stay as
 * they were: strong IDs depend on them). Field names in Go's order; the index is the switch key.
 */
final class EngineDecoder {
  private EngineDecoder() {}

  private static final String[] IMAGE_FIELDS = {
    "comment",
    "created",
    "container",
    "container_config",
    "docker_version",
    "author",
    "config",
    "architecture",
    "variant",
    "os",
    "rootfs",
    "history",
    "os.version",
    // Decoded for their types only: docker refuses an image whose JSON has them wrong.
    "id",
    "parent",
    "Size",
    "os.features"
  };
  private static final String[] CONFIG_FIELDS = {
    "Hostname",
    "Domainname",
    "User",
    "AttachStdin",
    "AttachStdout",
    "AttachStderr",
    "ExposedPorts",
    "Tty",
    "OpenStdin",
    "StdinOnce",
    "Env",
    "Cmd",
    "Healthcheck",
    "ArgsEscaped",
    "Image",
    "Volumes",
    "WorkingDir",
    "Entrypoint",
    "NetworkDisabled",
    "MacAddress",
    "OnBuild",
    "Labels",
    "StopSignal",
    "StopTimeout",
    "Shell"
  };
  private static final String[] HEALTH_FIELDS = {
    "Test", "Interval", "Timeout", "StartPeriod", "Retries"
  };
  private static final String[] HISTORY_FIELDS = {
    "created", "author", "created_by", "comment", "empty_layer"
  };
  private static final String[] ROOTFS_FIELDS = {"type", "diff_ids"};
  private static final Map<String, Integer> IMAGE_INDEX = index(IMAGE_FIELDS);
  private static final int ROOTFS = 10;
  private static final int HISTORY = 11;
  private static final int OS_VERSION = 12;
  private static final int OS_FEATURES = 16;
  private static final Map<String, Integer> CONFIG_INDEX = index(CONFIG_FIELDS);
  private static final Map<String, Integer> HEALTH_INDEX = index(HEALTH_FIELDS);
  private static final Map<String, Integer> HISTORY_INDEX = index(HISTORY_FIELDS);
  private static final Map<String, Integer> ROOTFS_INDEX = index(ROOTFS_FIELDS);

  private static Map<String, Integer> index(String[] names) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], i);
    }
    return m;
  }

  static EngineImage image(byte[] json) {
    return decode(json, false);
  }

  /**
   * Decodes {@code json} as docker's image.V1Image, which a schema1 pull reads each v1Compatibility
   * into: the fields of image.Image that V1Image lacks ({@code rootfs}, {@code history}, {@code
   * os.version}, {@code os.features}) are unknown keys there, whatever their values.
   */
  static EngineImage v1Image(byte[] json) {
    return decode(json, true);
  }

  private static EngineImage decode(byte[] json, boolean v1Only) {
    ImageState img = new ImageState(v1Only);
    switch (Json.parse(json)) {
      case JsonObject o -> img.decode(o);
      case JsonNull n -> {} // Go leaves the zero image
      case JsonValue v -> throw typeError("", "an object", v);
    }
    return img.build();
  }

  static boolean hasRootFs(JsonObject o) {
    boolean rootFs = false;
    for (Member m : o.members()) {
      if (field(IMAGE_FIELDS, IMAGE_INDEX, m.key()) == ROOTFS) {
        try {
          rootFs = rootFs(IMAGE_FIELDS[ROOTFS], m.value()); // the last one wins
        } catch (dev.cairn.CairnException e) {
          return false;
        }
      }
    }
    return rootFs;
  }

  /**
   * Whether {@code rootfs} is set after decoding {@code v} into it (image.RootFS: a type string and
   * a list of DiffID strings; null leaves the pointer nil).
   */
  private static boolean rootFs(String path, JsonValue v) {
    return switch (v) {
      case JsonNull n -> false;
      case JsonObject r -> {
        GoSlice diffIds = new GoSlice();
        for (Member m : r.members()) {
          switch (field(ROOTFS_FIELDS, ROOTFS_INDEX, m.key())) {
            case 0 -> string(path + ".type", m.value(), "");
            case 1 -> diffIds.decode(path + ".diff_ids", m.value());
            default -> {}
          }
        }
        yield true;
      }
      default -> throw typeError(path, "an object", v);
    };
  }

  private static final class ImageState {
    final boolean v1Only;
    String comment = "";
    GoTime created = GoTime.ZERO;
    String container = "";
    final ConfigState containerConfig = new ConfigState();
    String dockerVersion = "";
    String author = "";
    ConfigState config;
    String architecture = "";
    String variant = "";
    String os = "";
    boolean rootFs;
    final HistorySlice history = new HistorySlice();
    String osVersion = "";
    final GoSlice osFeatures = new GoSlice();

    ImageState(boolean v1Only) {
      this.v1Only = v1Only;
    }

    void decode(JsonObject o) {
      for (Member m : o.members()) {
        int f = field(IMAGE_FIELDS, IMAGE_INDEX, m.key());
        if (f < 0
            || v1Only && (f == ROOTFS || f == HISTORY || f == OS_VERSION || f == OS_FEATURES)) {
          continue;
        }
        String name = IMAGE_FIELDS[f];
        JsonValue v = m.value();
        switch (f) {
          case 0 -> comment = string(name, v, comment);
          case 1 -> created = time(name, v, created);
          case 2 -> container = string(name, v, container);
          case 3 -> containerConfig.decodeStruct(name, v);
          case 4 -> dockerVersion = string(name, v, dockerVersion);
          case 5 -> author = string(name, v, author);
          case 6 -> {
            if (v instanceof JsonNull) {
              config = null;
            } else {
              if (config == null) {
                config = new ConfigState();
              }
              config.decodeStruct(name, v);
            }
          }
          case 7 -> architecture = string(name, v, architecture);
          case 8 -> variant = string(name, v, variant);
          case 9 -> os = string(name, v, os);
          case ROOTFS -> rootFs = rootFs(name, v);
          case HISTORY -> history.decode(name, v);
          case OS_VERSION -> osVersion = string(name, v, osVersion);
          case 13, 14 -> string(name, v, "");
          case 15 -> int64(name, v, 0);
          case OS_FEATURES -> osFeatures.decode(name, v);
          default -> throw new IllegalStateException();
        }
      }
    }

    EngineImage build() {
      return new EngineImage(
          comment,
          created,
          container,
          containerConfig.build(),
          dockerVersion,
          author,
          config == null ? null : config.build(),
          architecture,
          variant,
          os,
          osVersion,
          history.toList(),
          rootFs);
    }
  }

  /**
   * image.History entries as a Go slice of structs: decoding a second {@code history} reuses the
   * backing array, so an entry the later array leaves null, or whose fields it leaves out, keeps
   * what the earlier one put there (the growth and truncation of {@link GoSlice}).
   */
  private static final class HistorySlice {
    private static final EngineImage.History ZERO =
        new EngineImage.History(GoTime.ZERO, "", "", "", false);
    private EngineImage.History[] backing = new EngineImage.History[0];
    private int len;

    void decode(String path, JsonValue v) {
      switch (v) {
        case JsonNull n -> {
          backing = new EngineImage.History[0];
          len = 0;
        }
        case JsonArray a -> {
          int i = 0;
          for (JsonValue item : a.items()) {
            if (i >= backing.length) {
              EngineImage.History[] grown =
                  new EngineImage.History[Math.max(backing.length + backing.length / 2, 4)];
              Arrays.fill(grown, ZERO);
              System.arraycopy(backing, 0, grown, 0, len);
              backing = grown;
            }
            len = Math.max(len, i + 1);
            backing[i] = step(path + "[" + i + "]", item, backing[i]);
            i++;
          }
          len = i;
          if (i == 0) {
            backing = new EngineImage.History[0];
          }
        }
        default -> throw typeError(path, "an array", v);
      }
    }

    List<EngineImage.History> toList() {
      return List.of(Arrays.copyOf(backing, len));
    }
  }

  private static EngineImage.History step(String path, JsonValue v, EngineImage.History current) {
    GoTime created = current.created();
    String author = current.author();
    String createdBy = current.createdBy();
    String comment = current.comment();
    boolean empty = current.emptyLayer();
    switch (v) {
      case JsonNull n -> {}
      case JsonObject o -> {
        for (Member m : o.members()) {
          int f = field(HISTORY_FIELDS, HISTORY_INDEX, m.key());
          if (f < 0) {
            continue;
          }
          String name = path + "." + HISTORY_FIELDS[f];
          JsonValue x = m.value();
          switch (f) {
            case 0 -> created = time(name, x, created);
            case 1 -> author = string(name, x, author);
            case 2 -> createdBy = string(name, x, createdBy);
            case 3 -> comment = string(name, x, comment);
            case 4 -> empty = bool(name, x, empty);
            default -> throw new IllegalStateException();
          }
        }
      }
      default -> throw typeError(path, "an object", v);
    }
    return new EngineImage.History(created, author, createdBy, comment, empty);
  }

  private static final class ConfigState {
    String hostname = "";
    String domainname = "";
    String user = "";
    boolean attachStdin;
    boolean attachStdout;
    boolean attachStderr;
    Set<String> exposedPorts;
    boolean tty;
    boolean openStdin;
    boolean stdinOnce;
    final GoSlice env = new GoSlice();
    List<String> cmd;
    HealthState healthcheck;
    boolean argsEscaped;
    String image = "";
    Set<String> volumes;
    String workingDir = "";
    List<String> entrypoint;
    boolean networkDisabled;
    String macAddress = "";
    final GoSlice onBuild = new GoSlice();
    Map<String, String> labels;
    String stopSignal = "";
    Long stopTimeout;
    List<String> shell;

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
        case 7 -> tty = bool(name, v, tty);
        case 8 -> openStdin = bool(name, v, openStdin);
        case 9 -> stdinOnce = bool(name, v, stdinOnce);
        case 10 -> env.decode(name, v);
        case 11 -> cmd = strSlice(name, v);
        case 12 -> {
          if (v instanceof JsonNull) {
            healthcheck = null; // a nil pointer again
          } else {
            if (healthcheck == null) {
              healthcheck = new HealthState();
            }
            healthcheck.decodeStruct(name, v);
          }
        }
        case 13 -> argsEscaped = bool(name, v, argsEscaped);
        case 14 -> image = string(name, v, image);
        case 15 -> volumes = emptyStructMap(name, v, volumes);
        case 16 -> workingDir = string(name, v, workingDir);
        case 17 -> entrypoint = strSlice(name, v);
        case 18 -> networkDisabled = bool(name, v, networkDisabled);
        case 19 -> macAddress = string(name, v, macAddress);
        case 20 -> onBuild.decode(name, v);
        case 21 -> labels = stringMap(name, v, labels);
        case 22 -> stopSignal = string(name, v, stopSignal);
        case 23 ->
            stopTimeout =
                v instanceof JsonNull
                    ? null
                    : int64(name, v, stopTimeout == null ? 0 : stopTimeout);
        case 24 -> shell = strSlice(name, v);
        default -> throw new IllegalStateException();
      }
    }

    EngineConfig build() {
      return new EngineConfig(
          hostname,
          domainname,
          user,
          attachStdin,
          attachStdout,
          attachStderr,
          frozen(exposedPorts),
          tty,
          openStdin,
          stdinOnce,
          env.toList(),
          cmd == null ? null : List.copyOf(cmd),
          healthcheck == null ? null : healthcheck.build(),
          argsEscaped,
          image,
          frozen(volumes),
          workingDir,
          entrypoint == null ? null : List.copyOf(entrypoint),
          networkDisabled,
          macAddress,
          onBuild.toList(),
          labels == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(labels)),
          stopSignal,
          stopTimeout,
          shell == null ? null : List.copyOf(shell));
    }

    private static Set<String> frozen(Set<String> s) {
      return s == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(s));
    }
  }

  private static final class HealthState {
    final GoSlice test = new GoSlice();
    long interval;
    long timeout;
    long startPeriod;
    long retries;

    void decodeStruct(String path, JsonValue v) {
      if (!(v instanceof JsonObject o)) {
        throw typeError(path, "an object", v);
      }
      for (Member m : o.members()) {
        int f = field(HEALTH_FIELDS, HEALTH_INDEX, m.key());
        if (f < 0) {
          continue;
        }
        String name = path + "." + HEALTH_FIELDS[f];
        JsonValue x = m.value();
        switch (f) {
          case 0 -> test.decode(name, x);
          case 1 -> interval = int64(name, x, interval);
          case 2 -> timeout = int64(name, x, timeout);
          case 3 -> startPeriod = int64(name, x, startPeriod);
          case 4 -> retries = int64(name, x, retries);
          default -> throw new IllegalStateException();
        }
      }
    }

    EngineConfig.Health build() {
      return new EngineConfig.Health(test.toList(), interval, timeout, startPeriod, retries);
    }
  }
}
