package dev.cairn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The private dockerd the differential tests compare cairn with. */
class DockerEngineTest {
  @Test
  void answersOnItsOwnSocketAndLeavesNothingBehindWhenClosed() throws Exception {
    Path dir;
    long pid;
    try (DockerEngine docker = DockerEngine.start()) {
      dir = docker.dir();
      assertThat(docker.docker("version", "--format", "{{.Server.Version}}")).startsWith("20.10.");
      assertThat(docker.docker("info", "--format", "{{.Driver}} {{.DockerRootDir}}").strip())
          .isEqualTo("overlay2 " + dir.resolve("data"));
      pid = Long.parseLong(Files.readString(dir.resolve("dockerd.pid")).strip());
      assertThat(ProcessHandle.of(pid)).isPresent();
    }
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(dir.toString());
    assertThat(dir).doesNotExist();
  }
}
