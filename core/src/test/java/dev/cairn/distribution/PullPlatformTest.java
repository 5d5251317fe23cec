package dev.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.image.Platform;
import dev.cairn.image.Reference;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image made for one platform alone (a single manifest, no list) against the platform a pull
 * asks for, as docker 20.10 judges it: refused when another platform was asked for, pulled as it is
 * when none was.
 */
class PullPlatformTest {
  @TempDir static Path temp;
  @TempDir Path store;
  static RegistryServer server;
  static OciLayouts.Image amd64;
  static OciLayouts.Image arm64;

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.start(temp.resolve("storage"), temp, "");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    amd64 = layout.image("amd64", List.of(Map.of("arch", "amd64")));
    arm64 = layout.image("arm64", List.of(Map.of("arch", "arm64")));
    layout.tag("amd64", amd64.manifest());
    layout.tag("arm64", arm64.manifest());
    Tools.push(layout.dir(), "amd64", server.host(), "test/one");
    Tools.push(layout.dir(), "arm64", server.host(), "test/one");
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static Reference ref(String tag) {
    return Reference.parse(server.host() + "/test/one:" + tag);
  }

  static PullOptions asking(String platform) {
    return PullOptions.defaults().withPlatform(Platform.parse(platform));
  }

  @Test
  void anImageForAnotherPlatformThanTheOneAskedForIsRefusedAndNothingIsRegistered()
      throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      assertThatThrownBy(() -> f.puller.pull(ref("amd64"), asking("linux/arm64"), e -> {}))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND))
          .hasMessage(
              "pulling "
                  + server.host()
                  + "/test/one:amd64: the image was found but does not match the specified"
                  + " platform: wanted linux/arm64, actual: linux/amd64");
      PullTest.assertStoreEmpty(f, store);
    }
  }

  @Test
  void anImageForTheAskedPlatformOrAVariantOfItIsPulled() throws Exception {
    try (PullFixture f = new PullFixture(store)) {
      PullResult r = f.puller.pull(ref("arm64"), asking("linux/arm64/v8"), e -> {});
      assertThat(r.imageId()).isEqualTo(arm64.config().digest());
    }
  }

  @Test
  void withoutAPlatformAskedForAnImageForAnotherOneIsPulledAsItIs() throws Exception {
    boolean armHost = Platform.host().architecture().equals("arm64");
    String other = armHost ? "amd64" : "arm64";
    OciLayouts.Image image = armHost ? amd64 : arm64;
    try (PullFixture f = new PullFixture(store)) {
      PullResult r = f.puller.pull(ref(other), PullOptions.defaults(), e -> {});
      assertThat(r.imageId()).isEqualTo(image.config().digest());
      assertThat(f.tags).containsEntry(ref(other), image.config().digest().hex());
    }
  }
}
