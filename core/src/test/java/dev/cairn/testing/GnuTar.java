package dev.cairn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GNU {@code tar -x} as the reference extractor: tars applied in order into one directory, owners
 * (as root), modes, xattrs and times kept, directory times set last as cairn sets them. Whiteouts
 * are plain files to it: give it tars without any.
 */
public final class GnuTar {
  private GnuTar() {}

  /**
   * Extracts {@code tars} in order into a fresh directory under {@code parent}, with {@code
   * options} added to each {@code tar -x} (say {@code --recursive-unlink}); returns the directory.
   */
  public static Path extract(Path parent, List<String> options, byte[]... tars)
      throws IOException, InterruptedException {
    Path tar = Tools.require("tar");
    Path dir = Files.createTempDirectory(parent, "gnu-tar");
    Path file = Files.createTempFile(parent, "layer", ".tar");
    try {
      for (byte[] t : tars) {
        Files.write(file, t);
        List<String> cmd =
            new ArrayList<>(
                List.of(
                    tar.toString(),
                    "-x",
                    "-p",
                    "--numeric-owner",
                    "--delay-directory-restore",
                    "--xattrs",
                    "--xattrs-include=*"));
        if (Posix.geteuid() == 0) {
          cmd.add("--same-owner");
        }
        cmd.addAll(options);
        cmd.addAll(List.of("-f", file.toString(), "-C", dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", String.join(" ", cmd), log).isZero();
      }
    } finally {
      Files.delete(file);
    }
    return dir;
  }
}
