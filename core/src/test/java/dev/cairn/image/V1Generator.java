package dev.cairn.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Generates v1Compatibility documents that exercise every rule of strong IDs (ARCHITECTURE.md): key
 * order and whitespace, HTML-sensitive and line-separator characters, escapes and numbers kept as
 * written, raw non-ASCII, duplicate and case-variant keys, every docker_version shape, Cmd as a
 * string, absent/null/empty fields, time offsets and fractions, and wrong-typed values. Output is
 * valid UTF-8 (so it survives the trip to the Go oracle as a JSON string) and mostly valid JSON.
 */
final class V1Generator {
  private final Random r;

  /** Whether documents are for Docker 20.10's image struct rather than Docker 1.9's. */
  private final boolean engine;

  private final String[] imageKeys;
  private final String[] configKeys;

  V1Generator(long seed) {
    this(seed, false);
  }

  /**
   * With {@code engine}, documents hold the fields of Docker 20.10's image.Image and
   * container.Config too (variant, rootfs, history, os.version, os.features, Healthcheck, Shell,
   * StopTimeout...), as an image config blob does.
   */
  V1Generator(long seed, boolean engine) {
    this.r = new Random(seed);
    this.engine = engine;
    this.imageKeys = engine ? ENGINE_IMAGE_KEYS : IMAGE_KEYS;
    this.configKeys = engine ? ENGINE_CONFIG_KEYS : CONFIG_KEYS;
  }

  private static final String[] VERSIONS = {
    "1.9.0",
    "1.9.0-dev",
    "1.8.3",
    "1.8.3-rc1",
    "1.8.2",
    "",
    "v1.9",
    "17.03.1-ce",
    "1.6.2",
    "1.10.0",
    "1.8.10",
    "01.8.3",
    "+1.9",
    "-1.9",
    "1..8",
    "1.8.3.0",
    "1.8.3.-1",
    "1.8",
    "99999999999999999999.1",
    "9223372036854775807",
    "-99999999999999999999",
    "1.8.03",
    "1.8.2x",
    "2",
    "1.8.4",
    "1.7.1",
    "0.0.1",
    "1.8.3 ",
    " 1.9",
    "１.9"
  };

  private static final String[] VALID_TIMES = {
    "\"2015-09-08T21:30:30.807853054Z\"",
    "\"2015-09-08T21:30:30Z\"",
    "\"2015-09-08T21:30:30.100+02:00\"",
    "\"2015-09-08T21:30:30.000000000Z\"",
    "\"2015-09-08T21:30:30,5Z\"",
    "\"2015-09-08T5:30:30Z\"",
    "\"2016-02-29T00:00:00Z\"",
    "\"2015-09-08T21:30:30.1234567891234Z\"",
    "\"0001-01-01T00:00:00Z\"",
    "\"0000-01-01T00:00:00Z\"",
    "\"9999-12-31T23:59:59.999999999Z\"",
    "\"2015-09-08T21:30:30-00:00\"",
    "\"2015-09-08T21:30:30+00:00\"",
    "\"2015-09-08T21:30:30-07:30\"",
    "\"2015-09-08T21:30:30+-5:30\"",
    "\"2015-09-08T21:30:30+24:00\"",
    "\"2015-09-08T21:30:30+05:60\"",
    "\"2015-09-08T21:30:30+99:99\"",
    "null",
    "\"2000-02-29T12:00:00.5+01:00\""
  };

  private static final String[] BAD_TIMES = {
    "\"2015-02-29T00:00:00Z\"",
    "\"2015-13-01T00:00:00Z\"",
    "\"2015-09-08t21:30:30Z\"",
    "\"2015-09-08T21:30:30z\"",
    "\"2015-09-08T24:00:00Z\"",
    "\"2015-09-08T21:60:00Z\"",
    "\"2015-09-08T21:30:60Z\"",
    "\"2015-09-08T21:30:30.Z\"",
    "\"2015-09-08T21:30:30\"",
    "\"2015-9-08T21:30:30Z\"",
    "\"2015-09-08T21:30:30Z \"",
    "\"2015\\u002d09-08T21:30:30Z\"",
    "\"\"",
    "\"2015-04-31T00:00:00Z\"",
    "\"1900-02-29T00:00:00Z\"",
    "5",
    "true",
    "{}",
    "[\"2015-09-08T21:30:30Z\"]"
  };

  private static final String[] IMAGE_KEYS = {
    "id", "parent", "comment", "created", "container", "container_config", "docker_version",
    "author", "config", "architecture", "os", "Size", "parent_id", "layer_id"
  };

  private static final String[] CONFIG_KEYS = {
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

  private static final String[] ENGINE_IMAGE_KEYS = {
    "id",
    "parent",
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
    "Size",
    "rootfs",
    "history",
    "os.version",
    "os.features",
    "throwaway",
    "parent_id",
    "layer_id"
  };

  private static final String[] ENGINE_CONFIG_KEYS = {
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
    "Shell",
    "PublishService"
  };

  private static final String[] UNKNOWN_CONFIG_KEYS = {
    "Memory", "MemorySwap", "CpuShares", "Cpuset", "PortSpecs", "VolumeDriver", "ArgsEscaped"
  };

  /** Whether the current document may hold values Go rejects. */
  private boolean hostile;

  boolean chance(int percent) {
    return r.nextInt(100) < percent;
  }

  <T> T pick(T[] xs) {
    return xs[r.nextInt(xs.length)];
  }

  /** One document. */
  String document() {
    int roll = r.nextInt(1000);
    if (roll < 3) {
      return pick(
          new String[] {"null", " null ", "[]", "\"x\"", "5", "{}", "{\"id\":1,}", "{\"a\" 1}"});
    }
    hostile = chance(25);
    List<String> members = new ArrayList<>();
    for (String key : imageKeys) {
      if (key.equals("created") ? chance(85) : chance(key.equals("docker_version") ? 90 : 55)) {
        members.add(member(variantKey(key), imageValue(key)));
      }
    }
    int extras = r.nextInt(4);
    for (int i = 0; i < extras; i++) {
      members.add(member(quote(randomString(6)), anyValue(2)));
    }
    if (chance(15)) {
      members.add(member("\"throwaway\"", "true"));
    }
    if (chance(20)) { // a duplicate of something already there
      String key = pick(imageKeys);
      members.add(member(variantKey(key), imageValue(key)));
    }
    Collections.shuffle(members, r);
    if (chance(10)) { // keys whose order sorts interestingly
      members.add(member(quote("Z" + randomString(2)), anyValue(1)));
      members.add(member(quote("é"), "1"));
      members.add(member(quote("\uD83D\uDE00"), "2"));
      members.add(member(quote("\uFFFD"), "3"));
    }
    return object(members);
  }

  private String object(List<String> members) {
    StringBuilder b = new StringBuilder();
    b.append(ws()).append('{');
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        b.append(ws()).append(',');
      }
      b.append(ws()).append(members.get(i));
    }
    return b.append(ws()).append('}').append(ws()).toString();
  }

  private String member(String key, String value) {
    return key + ws() + ":" + ws() + value;
  }

  private String ws() {
    if (!chance(15)) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      b.append(pick(new String[] {" ", "\t", "\n", "\r", "  "}));
    }
    return b.toString();
  }

  /** The key as written: usually exact, sometimes another case or a Unicode fold. */
  private String variantKey(String key) {
    int roll = r.nextInt(100);
    if (roll < 80) {
      return quote(key);
    }
    if (roll < 88) {
      return quote(key.toUpperCase(java.util.Locale.ROOT));
    }
    if (roll < 94) {
      StringBuilder b = new StringBuilder();
      for (char c : key.toCharArray()) {
        b.append(chance(50) ? Character.toUpperCase(c) : Character.toLowerCase(c));
      }
      return quote(b.toString());
    }
    if (roll < 97) {
      return quote(key.replace('s', 'ſ').replace('k', 'K').replace('S', 'ſ').replace('K', 'K'));
    }
    // An escaped key that decodes to the field name.
    return "\"" + "\\u00" + Integer.toHexString(key.charAt(0)) + key.substring(1) + "\"";
  }

  private String imageValue(String key) {
    if (hostile && chance(4)) {
      return anyValue(2); // often the wrong type
    }
    if (chance(5)) {
      return "null";
    }
    return switch (key) {
      case "id", "parent" -> chance(90) ? quote(hex64()) : randomStringValue();
      case "created" -> hostile && chance(30) ? pick(BAD_TIMES) : pick(VALID_TIMES);
      case "container_config", "config" -> config();
      case "docker_version" -> quote(pick(VERSIONS));
      case "Size" ->
          hostile
              ? pick(new String[] {"9223372036854775808", "1.5", "1e3", "\"5\"", "0"})
              : pick(new String[] {"0", "1", "-1", "123456789", "9223372036854775807", "-0"});
      case "parent_id", "layer_id" -> chance(80) ? quote("sha256:" + hex64()) : randomStringValue();
      case "rootfs" -> rootfs();
      case "history" -> history();
      case "os.features" -> stringArray(true);
      case "throwaway" -> hostile && chance(30) ? anyValue(1) : chance(50) ? "true" : "false";
      default -> randomStringValue();
    };
  }

  private String config() {
    List<String> members = new ArrayList<>();
    for (String key : configKeys) {
      if (chance(60)) {
        members.add(member(variantKey(key), configValue(key)));
      }
    }
    for (String key : UNKNOWN_CONFIG_KEYS) {
      if (chance(15)) {
        members.add(member(quote(key), anyValue(1)));
      }
    }
    if (chance(25)) { // duplicates: merging maps, reusing slices
      String key =
          engine && chance(40)
              ? pick(new String[] {"Healthcheck", "Shell", "StopTimeout"})
              : pick(
                  new String[] {
                    "Env", "OnBuild", "Labels", "ExposedPorts", "Volumes", "Cmd", "Hostname"
                  });
      members.add(member(variantKey(key), configValue(key)));
      members.add(member(quote(key), configValue(key)));
    }
    Collections.shuffle(members, r);
    return object(members);
  }

  private String configValue(String key) {
    if (hostile && chance(3)) {
      return anyValue(1);
    }
    if (chance(8)) {
      return "null";
    }
    return switch (key) {
      case "AttachStdin",
          "AttachStdout",
          "AttachStderr",
          "Tty",
          "OpenStdin",
          "StdinOnce",
          "NetworkDisabled" ->
          chance(50) ? "true" : "false";
      case "ExposedPorts", "Volumes" -> emptyStructMap();
      case "Env", "OnBuild" -> stringArray(true);
      case "Cmd", "Entrypoint", "Shell" -> chance(30) ? randomStringValue() : stringArray(true);
      case "Labels" -> labels();
      case "ArgsEscaped" -> chance(50) ? "true" : "false";
      case "StopTimeout" ->
          hostile
              ? pick(new String[] {"1.5", "\"10\"", "9223372036854775808", "10"})
              : pick(new String[] {"0", "10", "-1", "9223372036854775807"});
      case "Healthcheck" -> healthcheck();
      default -> randomStringValue();
    };
  }

  /** image.RootFS: a type and DiffIDs, sometimes of the wrong type. */
  private String rootfs() {
    List<String> m = new ArrayList<>();
    if (chance(90)) {
      m.add(member(variantKey("type"), hostile && chance(20) ? anyValue(1) : quote("layers")));
    }
    if (chance(80)) {
      String ids = hostile && chance(20) ? anyValue(1) : "[" + quote("sha256:" + hex64()) + "]";
      m.add(member(variantKey("diff_ids"), ids));
    }
    return object(m);
  }

  /** image.History entries; duplicates of the array decode into what the earlier one left. */
  private String history() {
    int n = r.nextInt(4);
    List<String> steps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (chance(8)) {
        steps.add(hostile && chance(40) ? anyValue(0) : "null");
        continue;
      }
      List<String> m = new ArrayList<>();
      for (String key : new String[] {"created", "author", "created_by", "comment"}) {
        if (chance(50)) {
          String v =
              key.equals("created")
                  ? hostile && chance(20) ? pick(BAD_TIMES) : pick(VALID_TIMES)
                  : hostile && chance(5) ? anyValue(0) : randomStringValue();
          m.add(member(variantKey(key), v));
        }
      }
      if (chance(40)) {
        m.add(member(variantKey("empty_layer"), hostile && chance(10) ? anyValue(0) : "true"));
      }
      Collections.shuffle(m, r);
      steps.add(object(m));
    }
    return "[" + String.join(",", steps) + "]";
  }

  /** container.HealthConfig: a test and durations in nanoseconds. */
  private String healthcheck() {
    List<String> m = new ArrayList<>();
    if (chance(70)) {
      m.add(member(variantKey("Test"), stringArray(true)));
    }
    for (String key : new String[] {"Interval", "Timeout", "StartPeriod", "Retries"}) {
      if (chance(50)) {
        String v =
            hostile && chance(20)
                ? pick(new String[] {"1.5", "\"1s\"", "null", "1e9"})
                : pick(new String[] {"0", "30000000000", "-1", "3", "null"});
        m.add(member(variantKey(key), v));
      }
    }
    return object(m);
  }

  private String emptyStructMap() {
    List<String> m = new ArrayList<>();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      String v =
          chance(85)
              ? "{}"
              : (chance(50) ? "null" : (!hostile || chance(50) ? "{\"x\":[1,2]}" : "\"bad\""));
      m.add(
          member(
              pick(
                  new String[] {
                    "\"80/tcp\"", "\"443/tcp\"", "\"/data\"", "\"/var/<log>\"", randomStringValue()
                  }),
              v));
    }
    return object(m);
  }

  private String labels() {
    List<String> m = new ArrayList<>();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      String v = chance(85) ? randomStringValue() : (!hostile || chance(70) ? "null" : "1");
      m.add(
          member(pick(new String[] {"\"a\"", "\"b\"", "\"maintainer\"", randomStringValue()}), v));
    }
    return object(m);
  }

  private String stringArray(boolean allowNull) {
    int n = r.nextInt(5);
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(',').append(ws());
      }
      if (allowNull && chance(10)) {
        b.append("null");
      } else if (hostile && chance(5)) {
        b.append("7");
      } else {
        b.append(randomStringValue());
      }
    }
    return b.append(']').toString();
  }

  private String anyValue(int depth) {
    int roll = r.nextInt(depth > 0 ? 9 : 6);
    return switch (roll) {
      case 0 -> "null";
      case 1 -> chance(50) ? "true" : "false";
      case 2 ->
          pick(
              new String[] {
                "0",
                "-0",
                "1.50",
                "1e10",
                "1E+2",
                "-12.5e-3",
                "123456789012345678901234567890",
                "0.000"
              });
      case 3, 4, 5 -> randomStringValue();
      case 6 -> {
        List<String> items = new ArrayList<>();
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
          items.add(anyValue(depth - 1));
        }
        yield ws() + "[" + ws() + String.join("," + ws(), items) + ws() + "]";
      }
      default -> {
        List<String> m = new ArrayList<>();
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
          m.add(member(randomStringValue(), anyValue(depth - 1)));
        }
        yield object(m);
      }
    };
  }

  private String randomStringValue() {
    return quote(randomString(12));
  }

  /** JSON string body pieces: plain text and every escape and character class that matters. */
  private String randomString(int maxPieces) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(maxPieces + 1);
    for (int i = 0; i < n; i++) {
      int roll = r.nextInt(30);
      b.append(
          switch (roll) {
            case 0 -> "<";
            case 1 -> ">";
            case 2 -> "&";
            case 3 -> "\u2028";
            case 4 -> "\u2029";
            case 5 -> "\\u2028";
            case 6 -> "\\\"";
            case 7 -> "\\\\";
            case 8 -> "\\/";
            case 9 -> "\\n";
            case 10 -> "\\u0001";
            case 11 -> "\\b";
            case 12 -> "\\f";
            case 13 -> "\\u00e9";
            case 14 -> "\\ud83d\\ude00";
            case 15 -> "\\ud800";
            case 16 -> "\\udc00x";
            case 17 -> "é";
            case 18 -> "中文";
            case 19 -> "\uD83D\uDE00";
            case 20 -> "\u007f";
            case 21 -> "\\u003C";
            case 22 -> "\\t";
            case 23 -> "\\r";
            case 24 -> "\\u001f";
            case 25 -> "\\u007f";
            case 26 -> "\\uFFFD";
            default -> randomAscii();
          });
    }
    return b.toString();
  }

  private String randomAscii() {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /:._-=+#@!?'";
    int n = 1 + r.nextInt(8);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static String quote(String body) {
    return "\"" + body + "\"";
  }

  String hex64() {
    StringBuilder b = new StringBuilder(64);
    for (int i = 0; i < 64; i++) {
      b.append("0123456789abcdef".charAt(r.nextInt(16)));
    }
    return b.toString();
  }
}
