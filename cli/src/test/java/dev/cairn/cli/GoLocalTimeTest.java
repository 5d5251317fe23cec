package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image's CreatedAt as docker's command line prints it: Go's {@code time.Unix(sec, 0).String()}
 * in Go's local zone. Held against Go itself (src/test/go/localtime) for every zone file of this
 * machine, for each way of setting {@code TZ}, and for zone files made by hand.
 */
class GoLocalTimeTest {
  @TempDir Path dir;

  private static final Path ZONEINFO = Path.of("/usr/share/zoneinfo");

  /** 2023-11-14 22:13:20 UTC (winter) and 2024-07-01 12:00:00 UTC (summer). */
  private static final long WINTER = 1_700_000_000L;

  private static final long SUMMER = 1_719_835_200L;

  @Test
  void aZoneFilePrintsItsOwnAbbreviationAndOffset() throws IOException {
    Path berlin =
        write(
            "berlin",
            tzif(
                '2', new long[0], new int[0], types(3600, 0, "CET"), "CET-1CEST,M3.5.0,M10.5.0/3"));
    Path dubai =
        write("dubai", tzif('2', new long[0], new int[0], types(14400, 0, "+04"), "<+04>-4"));
    GoLocalTime b = GoLocalTime.of(Map.of("TZ", berlin.toString()));
    assertThat(b.format(WINTER)).isEqualTo("2023-11-14 23:13:20 +0100 CET");
    assertThat(b.format(SUMMER)).isEqualTo("2024-07-01 14:00:00 +0200 CEST");
    assertThat(GoLocalTime.of(Map.of("TZ", ":" + dubai)).format(WINTER))
        .isEqualTo("2023-11-15 02:13:20 +0400 +04");
  }

  @Test
  void anEmptyOrUnknownZoneIsUtcAndNoTzIsTheMachinesLocaltime() throws IOException {
    assertThat(GoLocalTime.of(Map.of("TZ", "")).format(WINTER))
        .isEqualTo("2023-11-14 22:13:20 +0000 UTC");
    assertThat(GoLocalTime.of(Map.of("TZ", "No/Such_Zone")).format(WINTER))
        .isEqualTo("2023-11-14 22:13:20 +0000 UTC");
    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("etc"));
    Files.write(
        root.resolve("etc/localtime"),
        tzif('2', new long[0], new int[0], types(-18000, 0, "EST"), "EST5EDT,M3.2.0,M11.1.0"));
    assertThat(GoLocalTime.of(Map.of(), root).format(SUMMER))
        .isEqualTo("2024-07-01 08:00:00 -0400 EDT");
    assertThat(GoLocalTime.of(Map.of(), dir.resolve("nothing")).format(SUMMER))
        .isEqualTo("2024-07-01 12:00:00 +0000 UTC");
  }

  @Test
  void everyZoneOfThisMachinePrintsAsGoPrintsIt() throws Exception {
    Tools.requireThat(Files.isDirectory(ZONEINFO), "no zone files in " + ZONEINFO);
    List<String> zones = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ZONEINFO)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = ZONEINFO.relativize(f).toString();
        if (!name.startsWith("posix/") && isTzif(f)) { // posix/ repeats the others
          zones.add(name);
        }
      }
    }
    assertThat(zones).hasSizeGreaterThan(100);
    StringBuilder input = new StringBuilder();
    List<String> cairn = new ArrayList<>();
    for (String zone : zones) {
      GoLocalTime local = GoLocalTime.of(Map.of("TZ", zone));
      for (long sec : instants()) {
        input.append(zone).append(' ').append(sec).append('\n');
        cairn.add(zone + " " + sec + ": " + local.format(sec));
      }
    }
    List<String> go = labelled(go(null, input.toString()), input);
    if (!cairn.equals(go)) { // AssertJ's report of a few hundred thousand lines takes long
      for (int i = 0; i < cairn.size(); i++) {
        assertThat(cairn.get(i)).isEqualTo(go.get(i));
      }
    }
  }

  @Test
  void tzChoosesTheZoneAsGoDoes() throws Exception {
    List<String> values = new ArrayList<>();
    values.add(null); // unset: /etc/localtime
    values.addAll(List.of("", ":", "UTC", ":UTC", "No/Such_Zone", "<+05>-5", "/no/such/file"));
    if (Files.isDirectory(ZONEINFO)) {
      values.addAll(
          List.of(
              "Europe/Berlin",
              ":Europe/Berlin",
              "Asia/Dubai",
              "America/St_Johns",
              "Australia/Lord_Howe",
              "EST5EDT",
              ZONEINFO.resolve("Asia/Kolkata").toString(),
              ":" + ZONEINFO.resolve("Pacific/Chatham")));
    }
    for (String tz : values) {
      Map<String, String> env = new HashMap<>();
      if (tz != null) {
        env.put("TZ", tz);
      }
      assertTimes(tz, env);
    }
  }

  @Test
  void handMadeZoneFilesReadAsGoReadsThem() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    long y2000 = 946_684_800L;
    long[] some = {-2_000_000_000L, 0, y2000, 1_600_000_000L};
    int[] idx = {1, 2, 1, 2};
    byte[] lmtStdDst = types(3208, 0, "LMT", 3600, 0, "CET", 7200, 1, "CEST");
    files.put(
        "slim",
        tzif('2', new long[0], new int[0], types(3600, 0, "CET"), "CET-1CEST,M3.5.0,M10.5.0/3"));
    files.put("fat", tzif('2', some, idx, lmtStdDst, "CET-1CEST,M3.5.0,M10.5.0/3"));
    files.put("v3", tzif('3', some, idx, lmtStdDst, "CET-1CEST,M3.5.0,M10.5.0/3"));
    files.put("v1", tzif((char) 0, some, idx, lmtStdDst, null));
    files.put("v4", tzif('4', some, idx, lmtStdDst, "CET-1CEST,M3.5.0,M10.5.0/3"));
    files.put("no types", tzif('2', new long[0], new int[0], new byte[0], "UTC0"));
    byte[] fat = files.get("fat");
    files.put("truncated", java.util.Arrays.copyOf(fat, fat.length - 40));
    files.put("no footer", tzif('2', some, idx, lmtStdDst, null));
    files.put("bad footer", tzif('2', some, idx, lmtStdDst, "x"));
    files.put(
        "south",
        tzif(
            '2',
            new long[] {0},
            new int[] {0},
            types(36000, 0, "AEST"),
            "AEST-10AEDT,M10.1.0,M4.1.0/3"));
    files.put(
        "julian",
        tzif('2', new long[0], new int[0], types(-3600, 0, "AAA"), "AAA1BBB,J60/25,300/-1"));
    files.put("us default", tzif('2', new long[0], new int[0], types(-18000, 0, "EST"), "EST5EDT"));
    files.put(
        "dst offset",
        tzif(
            '2',
            new long[0],
            new int[0],
            types(-12600, 0, "NST"),
            "NST3:30NDT2:30,M3.2.0/0:01,M11.1.0/0:01"));
    files.put(
        "odd offsets",
        tzif(
            '2',
            new long[] {-1_000_000_000L, 0},
            new int[] {1, 2},
            types(-2670, 0, "MMT", -30, 0, "", 3599, 1, "X"),
            null));
    files.put(
        "dst first",
        tzif(
            '2',
            new long[] {0},
            new int[] {1},
            types(0, 0, "A", 3600, 1, "B", 1800, 0, "C"),
            null));
    List<Long> instants = new ArrayList<>(instants());
    instants.addAll(aroundChanges());
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path file = write(f.getKey().replace(' ', '-'), f.getValue());
      assertTimes(f.getKey(), Map.of("TZ", file.toString()), instants);
    }
  }

  /**
   * Every half hour, a second before it, a minute after it and a second before that, in the months
   * where the hand-made rules change (late February to early April, late September to early
   * November) of a year before 2000, of leap years, and of one beyond 2037.
   */
  private static List<Long> aroundChanges() {
    List<Long> out = new ArrayList<>();
    for (int year : new int[] {1999, 2000, 2024, 2038}) {
      for (int[] span : new int[][] {{2, 25, 4, 10}, {9, 25, 11, 10}}) {
        long from = LocalDate.of(year, span[0], span[1]).toEpochDay() * 86_400L;
        long to = LocalDate.of(year, span[2], span[3]).toEpochDay() * 86_400L;
        for (long sec = from; sec < to; sec += 1800) {
          out.addAll(List.of(sec - 1, sec, sec + 59, sec + 60));
        }
      }
    }
    return out;
  }

  private void assertTimes(String what, Map<String, String> env) throws Exception {
    assertTimes(what, env, instants());
  }

  /** cairn's times against Go's for the local zone of {@code env}. */
  private void assertTimes(String what, Map<String, String> env, List<Long> instants)
      throws Exception {
    StringBuilder input = new StringBuilder();
    List<String> cairn = new ArrayList<>();
    GoLocalTime local = GoLocalTime.of(env);
    for (long sec : instants) {
      input.append("- ").append(sec).append('\n');
      cairn.add("- " + sec + ": " + local.format(sec));
    }
    List<String> go = labelled(go(env, input.toString()), input);
    for (int i = 0; i < cairn.size(); i++) {
      assertThat(cairn.get(i)).as("TZ=%s", what).isEqualTo(go.get(i));
    }
  }

  private static List<String> labelled(List<String> out, CharSequence input) {
    List<String> in = input.toString().lines().toList();
    assertThat(out).hasSameSizeAs(in);
    List<String> labelled = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      labelled.add(in.get(i) + ": " + out.get(i));
    }
    return labelled;
  }

  /** Go's zero time, the 32-bit limits, and dates from 1880 to 2100, denser around 2037. */
  private static List<Long> instants() {
    List<Long> out =
        new ArrayList<>(
            List.of(-62_135_596_800L, -2_147_483_649L, -2_147_483_648L, -1L, 0L, 2_147_483_647L));
    for (long sec = -2_840_140_800L; sec < 4_102_444_800L; sec += 211 * 86_400L + 3_607) {
      out.add(sec);
    }
    long from =
        LocalDate.of(2036, 1, 1).toEpochSecond(java.time.LocalTime.MIDNIGHT, ZoneOffset.UTC);
    for (long sec = from; sec < from + 5 * 365 * 86_400L; sec += 13 * 86_400L + 1_801) {
      out.add(sec);
    }
    return out;
  }

  /** What the Go program printed for {@code input}, run with TZ from {@code env} (null: as is). */
  private static List<String> go(Map<String, String> env, String input) throws Exception {
    Path binary = Tools.goBinary(Path.of("src/test/go/localtime"));
    ProcessBuilder pb = new ProcessBuilder(binary.toString());
    pb.environment().remove("ZONEINFO");
    if (env != null) {
      pb.environment().remove("TZ");
      pb.environment().putAll(env);
    }
    return Tools.runGo(pb, input);
  }

  private static boolean isTzif(Path f) throws IOException {
    try (var in = Files.newInputStream(f)) {
      return new String(in.readNBytes(4), StandardCharsets.US_ASCII).equals("TZif");
    }
  }

  private Path write(String name, byte[] data) throws IOException {
    return Files.write(dir.resolve(name), data);
  }

  /** ttinfo entries: offset, is-DST (0 or 1), abbreviation, repeated. */
  private static byte[] types(Object... fields) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < fields.length; i += 3) {
      b.writeBytes(
          (fields[i] + "," + fields[i + 1] + "," + fields[i + 2] + ";")
              .getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }

  /**
   * A TZif file: {@code version} 0 gives 32-bit data only, any other an empty 32-bit block and then
   * the 64-bit data and the footer (none when null). {@code types} as {@link #types}.
   */
  private static byte[] tzif(char version, long[] when, int[] index, byte[] types, String footer)
      throws IOException {
    List<String[]> ttinfo = new ArrayList<>();
    for (String t : new String(types, StandardCharsets.UTF_8).split(";")) {
      if (!t.isEmpty()) {
        ttinfo.add(t.split(",", -1));
      }
    }
    ByteArrayOutputStream chars = new ByteArrayOutputStream();
    List<Integer> charIndex = new ArrayList<>();
    for (String[] t : ttinfo) {
      charIndex.add(chars.size());
      chars.writeBytes(t[2].getBytes(StandardCharsets.US_ASCII));
      chars.write(0);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    boolean v1Only = version == 0;
    header(
        out,
        version,
        v1Only ? when.length : 0,
        v1Only ? ttinfo.size() : 0,
        v1Only ? chars.size() : 0);
    if (!v1Only) {
      header(out, version, when.length, ttinfo.size(), chars.size());
    }
    for (long w : when) {
      if (v1Only) {
        out.writeInt((int) w);
      } else {
        out.writeLong(w);
      }
    }
    for (int i : index) {
      out.writeByte(i);
    }
    for (int i = 0; i < ttinfo.size(); i++) {
      out.writeInt(Integer.parseInt(ttinfo.get(i)[0]));
      out.writeByte(Integer.parseInt(ttinfo.get(i)[1]));
      out.writeByte(charIndex.get(i));
    }
    out.write(chars.toByteArray());
    if (!v1Only && footer != null) {
      out.write(('\n' + footer + '\n').getBytes(StandardCharsets.US_ASCII));
    }
    return bytes.toByteArray();
  }

  private static void header(DataOutputStream out, char version, int times, int types, int chars)
      throws IOException {
    out.writeBytes("TZif");
    out.writeByte(version);
    out.write(new byte[15]);
    for (int count : new int[] {0, 0, 0, times, types, chars}) {
      out.writeInt(count);
    }
  }
}
