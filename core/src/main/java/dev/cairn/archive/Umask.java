package dev.cairn.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process umask, read without changing it (umask(2) would race with other threads). */
final class Umask {
  private Umask() {}

  private static volatile int cached = -1;

  static int current() throws IOException {
    int u = cached;
    if (u < 0) {
      u = 022;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Umask:")) {
          u = Integer.parseInt(line.substring(6).trim(), 8);
        }
      }
      cached = u;
    }
    return u;
  }
}
