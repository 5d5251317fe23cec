package dev.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.image.Platform;
import dev.cairn.image.Reference;
import dev.cairn.registry.CredentialSource;
import dev.cairn.registry.Credentials;
import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.TokenServer;
import dev.cairn.registry.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from the real registry behind Basic (htpasswd) and Bearer (token server) auth. */
class PullAuthTest {
  @TempDir static Path temp;
  @TempDir Path store;
  static Path storage;
  static OciLayouts.Image image;

  @BeforeAll
  static void pushWhileOpen() throws Exception {
    storage = temp.resolve("storage");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    image =
        layout.image(
            "amd64", List.of(Map.of("etc/os", "private base\n"), Map.of("app/run", "private\n")));
    layout.tag("1", image.manifest());
    try (RegistryServer open = RegistryServer.start(storage, temp, "")) {
      Tools.push(layout.dir(), "1", open.host(), "test/private");
    }
  }

  private static PullOptions amd64() {
    return PullOptions.defaults().withPlatform(Platform.parse("linux/amd64"));
  }

  private static void assertPulled(PullFixture f, PullResult r) throws Exception {
    assertThat(r.imageId()).isEqualTo(image.config().digest());
    assertThat(r.nodeIds()).hasSize(2).allMatch(f.graph::exists);
    Path top = f.graph.driver().get(r.topNodeId());
    try {
      assertThat(Files.readString(top.resolve("etc/os"))).isEqualTo("private base\n");
      assertThat(Files.readString(top.resolve("app/run"))).isEqualTo("private\n");
    } finally {
      f.graph.driver().put(r.topNodeId());
    }
  }

  @Test
  void basicAuthCredentialsReachEveryRequestOfThePull() throws Exception {
    String auth = RegistryServer.htpasswdAuth(temp, "alice", "secret");
    try (RegistryServer reg = RegistryServer.start(storage, temp, auth)) {
      Reference ref = Reference.parse(reg.host() + "/test/private:1");
      try (PullFixture anonymous = new PullFixture(store.resolve("a"))) {
        assertThatThrownBy(() -> anonymous.puller.pull(ref, amd64(), ProgressListener.NONE))
            .isInstanceOfSatisfying(
                CairnException.class,
                e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAUTHORIZED))
            .hasMessageContaining("pulling " + ref.familiar());
        assertThat(anonymous.graph.map()).isEmpty();
      }
      try (PullFixture f =
          new PullFixture(
              store.resolve("b"),
              o ->
                  o.withCredentials(
                      CredentialSource.of(reg.host(), Credentials.basic("alice", "secret"))))) {
        assertPulled(f, f.puller.pull(ref, amd64(), ProgressListener.NONE));
        assertThat(f.tags).containsEntry(ref, image.config().digest().hex());
      }
    }
  }

  @Test
  void bearerTokenIsFetchedOnceAndServesEveryBlob() throws Exception {
    try (TokenServer tokens = new TokenServer("alice", "secret");
        RegistryServer reg = RegistryServer.start(storage, temp, tokens.registryAuth(temp))) {
      Path ca = Files.writeString(temp.resolve("token-ca.pem"), tokens.certificatePem());
      Reference ref = Reference.parse(reg.host() + "/test/private:1");
      try (PullFixture f =
          new PullFixture(
              store,
              o ->
                  o.withCaCertificates(List.of(ca))
                      .withCredentials(
                          CredentialSource.of(reg.host(), Credentials.basic("alice", "secret"))))) {
        assertPulled(f, f.puller.pull(ref, amd64(), ProgressListener.NONE));
        // one token after the manifest's 401, reused for the config and both layers
        assertThat(tokens.issued()).isEqualTo(1);
        assertThat(tokens.scopesAsked).containsOnly("repository:test/private:pull");
      }
    }
  }
}
