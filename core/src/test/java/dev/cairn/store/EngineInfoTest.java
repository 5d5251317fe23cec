package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What docker info tells of the machine and the store ({@link EngineInfo}). */
class EngineInfoTest {
  @TempDir Path root;
  @TempDir Path elsewhere;

  @Test
  void theOperatingSystemIsTheOsReleasePrettyNameWithoutItsQuotes() {
    String release =
        """
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME='Debian GNU/Linux'
        # a comment=with an equals sign
        VERSION_ID="12"
        ID=debian
        """;
    assertThat(EngineInfo.Machine.osRelease(release))
        .containsEntry("PRETTY_NAME", "Debian GNU/Linux 12 (bookworm)")
        .containsEntry("NAME", "Debian GNU/Linux")
        .containsEntry("VERSION_ID", "12")
        .containsEntry("ID", "debian")
        .hasSize(4);
  }

  @Test
  void theMemoryIsMemTotalInBytes() {
    assertThat(EngineInfo.Machine.memTotal("MemFree: 10 kB\nMemTotal:       24683792 kB\n"))
        .isEqualTo(24683792L * 1024);
    assertThat(EngineInfo.Machine.memTotal("")).isZero();
  }

  @Test
  void aStoreHasOneIdWhateverPathLeadsToIt() throws Exception {
    try (Store store = Store.open(root, StoreOptions.defaults().withDriver("vfs"))) {
      EngineInfo info = store.engineInfo();
      Path link = java.nio.file.Files.createSymbolicLink(elsewhere.resolve("link"), root);
      assertThat(info.id()).isEqualTo(EngineInfo.idOf(link));
      assertThat(info.id()).isNotEqualTo(EngineInfo.idOf(elsewhere));
      assertThat(info.driver()).isEqualTo("vfs");
      assertThat(info.root()).isEqualTo(root);
      assertThat(info.images()).isZero();
      assertThat(info.driverStatus()).extracting(e -> e.getKey()).doesNotContain("Driver");
    }
  }
}
