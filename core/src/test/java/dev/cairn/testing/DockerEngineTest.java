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

  @Test
  void itsTrustKeyIsOneCairnReadsAndWritesTheSameWay() throws Exception {
    try (DockerEngine docker = DockerEngine.start()) {
      Path theirs = docker.dir().resolve("key.json");
      dev.cairn.image.TrustKey key = dev.cairn.image.TrustKey.load(theirs);
      Path ours = docker.dir().resolve("cairn").resolve("key.json");
      dev.cairn.image.TrustKey.loadOrCreate(ours);

      assertThat(Files.readString(theirs)).contains("\"kid\":\"" + key.keyId() + "\"");
      // the same layout, values aside
      String shape = "\"[A-Za-z0-9_:-]+\"";
      assertThat(Files.readString(ours).replaceAll(shape, "V"))
          .isEqualTo(Files.readString(theirs).replaceAll(shape, "V"));
      assertThat(Files.getPosixFilePermissions(ours))
          .isEqualTo(Files.getPosixFilePermissions(theirs));
    }
  }
}
