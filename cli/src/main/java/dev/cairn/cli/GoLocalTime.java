package dev.cairn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * Times as docker's command line prints an image's {@code CreatedAt}: Go's {@code time.Unix(sec,
 * 0).String()}, in the zone Go takes for local time on Linux. That zone comes from {@code TZ} as Go
 * reads it: unset, {@code /etc/localtime}; empty or {@code UTC}, UTC; {@code [:]/path}, that file;
 * {@code [:]Name}, {@code Name} under {@code /usr/share/zoneinfo} (or Go's other zone directories);
 * a file that cannot be read as a zone, UTC. The abbreviation is the zone file's ({@code CEST},
 * {@code +04}), as Go prints it, not the JDK's names.
 */
final class GoLocalTime {
  private static final List<String> ZONE_DIRECTORIES =
      List.of("usr/share/zoneinfo", "usr/share/lib/zoneinfo", "usr/lib/locale/TZ", "etc/zoneinfo");
  private static final long MAX_FILE = 10 << 20; // Go reads no larger zone file

  private final ZoneFile zone; // null: UTC

  private GoLocalTime(ZoneFile zone) {
    this.zone = zone;
  }

  /** The local time of a command line run in {@code environment}, its files under {@code /}. */
  static GoLocalTime of(Map<String, String> environment) {
    return of(environment, Path.of("/"));
  }

  /** The same, with every file Go would read looked up under {@code root}. */
  static GoLocalTime of(Map<String, String> environment, Path root) {
    String tz = environment.get("TZ");
    if (tz == null) {
      return new GoLocalTime(load(root, "etc/localtime"));
    }
    if (tz.startsWith(":")) {
      tz = tz.substring(1);
    }
    if (tz.startsWith("/")) {
      return new GoLocalTime(load(root, tz.substring(1)));
    }
    if (!tz.isEmpty() && !tz.equals("UTC")) {
      for (String dir : ZONE_DIRECTORIES) {
        ZoneFile z = load(root, dir + "/" + tz);
        if (z != null) {
          return new GoLocalTime(z);
        }
      }
    }
    return new GoLocalTime(null);
  }

  private static ZoneFile load(Path root, String name) {
    try {
      Path file = root.resolve(name);
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_FILE) {
        return null;
      }
      return ZoneFile.parse(Files.readAllBytes(file));
    } catch (IOException | java.nio.file.InvalidPathException e) {
      return null; // as Go: a zone that cannot be read leaves UTC
    }
  }

  /** The local zone's offset from UTC at {@code sec}, in seconds. */
  int offsetAt(long sec) {
    return zone == null ? 0 : zone.at(sec).offset();
  }

  /** {@code time.Unix(sec, 0).String()}: {@code 2006-01-02 15:04:05 -0700 MST}. */
  String format(long sec) {
    ZoneFile.Local local = zone == null ? new ZoneFile.Local(0, "UTC") : zone.at(sec);
    LocalDateTime t = LocalDateTime.ofEpochSecond(sec + local.offset(), 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(32);
    pad(b, t.getYear(), 4).append('-');
    pad(b, t.getMonthValue(), 2).append('-');
    pad(b, t.getDayOfMonth(), 2).append(' ');
    pad(b, t.getHour(), 2).append(':');
    pad(b, t.getMinute(), 2).append(':');
    pad(b, t.getSecond(), 2).append(' ');
    numeric(b, local.offset()).append(' ');
    return (local.abbreviation().isEmpty()
            ? numeric(b, local.offset())
            : b.append(local.abbreviation()))
        .toString();
  }

  /** Go's -0700: whole minutes toward zero, so the sign is that of the minutes. */
  private static StringBuilder numeric(StringBuilder b, int offset) {
    int minutes = offset / 60;
    b.append(minutes < 0 ? '-' : '+');
    minutes = Math.abs(minutes);
    return pad(pad(b, minutes / 60, 2), minutes % 60, 2);
  }

  private static StringBuilder pad(StringBuilder b, int v, int width) {
    String s = Integer.toString(Math.abs(v));
    if (v < 0) {
      b.append('-');
    }
    return b.append("0".repeat(Math.max(0, width - s.length()))).append(s);
  }
}
