package dev.cairn.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What {@code docker info} shows of an engine, for a store: its images, driver and root, and the
 * machine it runs on. cairn runs no containers: it has none to count.
 *
 * @param id a stable name for the store: the same root gives the same one
 * @param images every image of the store, as {@code docker images -a} counts them
 * @param driver the storage driver's name
 * @param driverStatus the driver's facts, in order, as name and value pairs
 * @param root the store's directory (docker's DockerRootDir)
 * @param insecureRegistries the hosts pulled from over plain HTTP besides loopback, sorted
 * @param machine the machine's facts
 */
public record EngineInfo(
    String id,
    int images,
    String driver,
    List<Map.Entry<String, String>> driverStatus,
    Path root,
    List<String> insecureRegistries,
    Machine machine) {

  public EngineInfo {
    driverStatus = List.copyOf(driverStatus);
    insecureRegistries = List.copyOf(insecureRegistries);
  }

  /**
   * The machine as docker info describes it.
   *
   * @param operatingSystem the distribution's PRETTY_NAME ({@code Debian GNU/Linux 12 (bookworm)}),
   *     else {@code Linux}
   * @param osVersion its VERSION_ID, or empty
   * @param architecture the kernel's name for it ({@code x86_64}, {@code aarch64})
   * @param kernelVersion the kernel's release
   * @param cpus the processors this process may use
   * @param memory the machine's memory in bytes, 0 when unknown
   * @param hostname the machine's name
   */
  public record Machine(
      String operatingSystem,
      String osVersion,
      String architecture,
      String kernelVersion,
      int cpus,
      long memory,
      String hostname) {

    /** This machine, read from /etc/os-release, /proc and the JVM. */
    public static Machine current() {
      Map<String, String> release = osRelease(read(Path.of("/etc/os-release")));
      String arch = System.getProperty("os.arch");
      return new Machine(
          release.getOrDefault("PRETTY_NAME", "Linux"),
          release.getOrDefault("VERSION_ID", ""),
          arch.equals("amd64") ? "x86_64" : arch,
          System.getProperty("os.version"),
          Runtime.getRuntime().availableProcessors(),
          memTotal(read(Path.of("/proc/meminfo"))),
          read(Path.of("/proc/sys/kernel/hostname")).strip());
    }

    /** The variables of an os-release file, their quotes removed. */
    static Map<String, String> osRelease(String text) {
      Map<String, String> out = new java.util.HashMap<>();
      for (String line : text.lines().toList()) {
        int eq = line.indexOf('=');
        if (eq > 0 && !line.startsWith("#")) {
          String v = line.substring(eq + 1).strip();
          if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'"))) {
            v = v.substring(1, v.length() - 1);
          }
          out.put(line.substring(0, eq).strip(), v);
        }
      }
      return out;
    }

    /** MemTotal of /proc/meminfo in bytes; 0 when absent. */
    static long memTotal(String meminfo) {
      for (String line : meminfo.lines().toList()) {
        if (line.startsWith("MemTotal:")) {
          String[] f = line.substring("MemTotal:".length()).strip().split("\\s+");
          return Long.parseLong(f[0]) * (f.length > 1 && f[1].equals("kB") ? 1024 : 1);
        }
      }
      return 0;
    }

    private static String read(Path p) {
      try {
        return Files.readString(p, StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        return ""; // not Linux, or hidden: the field stays empty, as docker leaves what it lacks
      }
    }
  }

  /** The ID of the store at {@code root}: a name-based UUID of its real path. */
  static String idOf(Path root) {
    Path real;
    try {
      real = root.toRealPath();
    } catch (IOException e) {
      real = root.toAbsolutePath();
    }
    return UUID.nameUUIDFromBytes(real.toString().getBytes(StandardCharsets.UTF_8)).toString();
  }
}
