package dev.cairn.image;

import dev.cairn.CairnException;
import java.util.Locale;

/**
 * The platform an image runs on: OS, CPU architecture and, for ARM and x86-64, the variant ({@code
 * v7}, {@code v8}, {@code v3}). Names are kept in their normalised form ({@code amd64}, not {@code
 * x86_64}; ARM's default variant filled in), so equal platforms compare equal.
 *
 * @param os the OS, e.g. {@code linux}
 * @param architecture the architecture in Go's naming ({@code amd64}, {@code arm64}, {@code arm})
 * @param variant the variant, or the empty string when the architecture has none
 */
public record Platform(String os, String architecture, String variant) {

  public Platform {
    if (os == null || os.isEmpty() || architecture == null || architecture.isEmpty()) {
      throw CairnException.invalid("a platform needs an OS and an architecture");
    }
    os = os.toLowerCase(Locale.ROOT);
    String arch = architecture.toLowerCase(Locale.ROOT);
    String v = variant == null ? "" : variant.toLowerCase(Locale.ROOT);
    switch (arch) {
      case "x86_64", "x86-64", "amd64" -> {
        arch = "amd64";
        v = v.equals("v1") ? "" : v;
      }
      case "aarch64", "arm64" -> {
        arch = "arm64";
        v = v.equals("8") || v.equals("v8") ? "" : v;
      }
      case "armhf" -> {
        arch = "arm";
        v = v.isEmpty() ? "v7" : v;
      }
      case "armel" -> {
        arch = "arm";
        v = v.isEmpty() ? "v6" : v;
      }
      case "arm" -> v = v.isEmpty() ? "v7" : v.matches("[5-8]") ? "v" + v : v;
      case "i386", "i686" -> arch = "386";
      default -> {}
    }
    architecture = arch;
    variant = v;
  }

  /**
   * Parses {@code os/arch[/variant]} as {@code --platform} takes it, e.g. {@code linux/arm64/v8}.
   */
  public static Platform parse(String text) {
    String[] parts = text == null ? new String[0] : text.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw CairnException.invalid(
          "invalid platform "
              + CairnException.quote(String.valueOf(text))
              + ": expected os/arch or os/arch/variant, e.g. linux/arm64/v8");
    }
    for (String p : parts) {
      if (!p.matches("[A-Za-z0-9_.-]*")) {
        throw CairnException.invalid(
            "invalid platform " + CairnException.quote(text) + ": unexpected characters");
      }
    }
    return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
  }

  /** The platform of this JVM's host, e.g. {@code linux/amd64}. */
  public static Platform host() {
    return host(System.getProperty("os.name", "linux"), System.getProperty("os.arch", "amd64"));
  }

  /** The platform of a host whose JVM names its OS and CPU {@code osName} and {@code osArch}. */
  static Platform host(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    if (os.startsWith("mac")) {
      os = "darwin";
    } else if (os.startsWith("windows")) {
      os = "windows";
    }
    return new Platform(os, osArch, "");
  }

  /**
   * How well an image for {@code candidate} runs on this platform: -1 when it cannot, else higher
   * is better. An exact match wins; an older variant of the same architecture runs too (an {@code
   * amd64/v3} host runs {@code v1} and {@code v2} images, an {@code arm/v7} host {@code v6} and
   * {@code v5} ones), and the newest such variant is preferred.
   */
  public int score(Platform candidate) {
    if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
      return -1;
    }
    if (variant.equals(candidate.variant)) {
      return 100;
    }
    int want = level(variant);
    int have = level(candidate.variant);
    if (want < 0 || have < 0 || have > want) {
      return -1;
    }
    return have;
  }

  // amd64 micro-architecture levels (absent = v1) and ARM versions; -1 for anything else.
  private int level(String v) {
    if (v.isEmpty()) {
      return architecture.equals("amd64") ? 1 : architecture.equals("arm64") ? 8 : -1;
    }
    if (v.matches("v[1-9]")) {
      return v.charAt(1) - '0';
    }
    return -1;
  }

  /** {@code os/arch[/variant]}, as {@link #parse} reads it. */
  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
