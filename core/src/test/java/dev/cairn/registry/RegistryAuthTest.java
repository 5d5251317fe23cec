package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic and Bearer authentication against the real registry, over what an open one received. */
class RegistryAuthTest {
  @TempDir static Path temp;
  static Path storage;
  static OciLayouts.Image image;

  @BeforeAll
  static void pushWhileOpen() throws Exception {
    storage = temp.resolve("storage");
    OciLayouts layout = new OciLayouts(temp.resolve("layout"));
    image = layout.image("amd64", List.of(Map.of("secret/file", "private bytes\n")));
    layout.tag("1", image.manifest());
    try (RegistryServer open = RegistryServer.start(storage, temp, "")) {
      Tools.push(layout.dir(), "1", open.host(), "test/app");
    }
  }

  private static UnauthorizedCheck unauthorized() {
    return new UnauthorizedCheck();
  }

  private record UnauthorizedCheck() {
    void of(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String... parts) {
      var a =
          assertThatThrownBy(call)
              .isInstanceOfSatisfying(
                  CairnException.class,
                  e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAUTHORIZED));
      for (String p : parts) {
        a.hasMessageContaining(p);
      }
      a.hasMessageNotContaining("secret");
    }
  }

  @Test
  void basicAuthWithHtpasswd() throws Exception {
    String auth = RegistryServer.htpasswdAuth(temp, "alice", "secret");
    try (RegistryServer reg = RegistryServer.start(storage, temp, auth)) {
      try (Registry anonymous = Registry.open(reg.host(), RegistryOptions.defaults())) {
        unauthorized()
            .of(() -> anonymous.manifest("test/app", "1"), "requires a user name and password");
      }
      RegistryOptions wrong =
          RegistryOptions.defaults()
              .withCredentials(
                  CredentialSource.of(reg.host(), Credentials.basic("alice", "wrong-password")));
      try (Registry r = Registry.open(reg.host(), wrong)) {
        unauthorized()
            .of(
                () -> r.manifest("test/app", "1"),
                "fetching manifest 1 of test/app from " + reg.host(),
                "UNAUTHORIZED");
      }
      RegistryOptions right =
          RegistryOptions.defaults()
              .withCredentials(
                  CredentialSource.of(reg.host(), Credentials.basic("alice", "secret")));
      try (Registry r = Registry.open(reg.host(), right)) {
        int before = RegistryClientTest.pings(reg.requestsUntil(all -> true)).size();
        assertThat(r.ping()).isEqualTo("registry/2.0");
        // The challenge (401), then the same request with the password, accepted.
        List<RegistryServer.Request> after =
            RegistryClientTest.pings(
                reg.requestsUntil(all -> RegistryClientTest.pings(all).size() > before + 1));
        assertThat(after.subList(before, after.size()))
            .containsExactly(
                new RegistryServer.Request("GET", "/v2/", 401),
                new RegistryServer.Request("GET", "/v2/", 200));
        assertThat(r.manifest("test/app", "1").bytes()).isEqualTo(image.manifest().bytes());
        OciLayouts.Blob layer = image.layers().getFirst();
        try (InputStream in = r.blob("test/app", layer.digest(), layer.size())) {
          assertThat(in.readAllBytes()).isEqualTo(layer.bytes());
        }
      }
    }
  }

  @Test
  void bearerTokensFromATokenServerAreCachedPerScope() throws Exception {
    try (TokenServer tokens = new TokenServer("alice", "secret");
        RegistryServer reg = RegistryServer.start(storage, temp, tokenAuth(tokens))) {
      Path ca = Files.writeString(temp.resolve("token-ca.pem"), tokens.certificatePem());
      RegistryOptions options =
          RegistryOptions.defaults()
              .withCaCertificates(List.of(ca))
              .withCredentials(
                  CredentialSource.of(reg.host(), Credentials.basic("alice", "secret")));
      try (Registry r = Registry.open(reg.host(), options)) {
        assertThat(r.manifest("test/app", "1").bytes()).isEqualTo(image.manifest().bytes());
        OciLayouts.Blob layer = image.layers().getFirst();
        try (InputStream in = r.blob("test/app", layer.digest(), layer.size())) {
          assertThat(in.readAllBytes()).isEqualTo(layer.bytes());
        }
        assertThat(r.manifest("test/app", image.manifest().digest().toString()).digest())
            .isEqualTo(image.manifest().digest());
        // one token for the first 401, reused for the blob and the second manifest
        assertThat(tokens.issued()).isEqualTo(1);
        assertThat(tokens.scopesAsked).containsOnly("repository:test/app:pull");
        assertThat(r.authenticator().cachedTokens()).isEqualTo(1);
      }
    }
  }

  @Test
  void aRejectedTokenIsRefreshedOnce() throws Exception {
    try (TokenServer tokens = new TokenServer("alice", "secret");
        RegistryServer reg = RegistryServer.start(storage, temp, tokenAuth(tokens))) {
      Path ca = Files.writeString(temp.resolve("token-ca2.pem"), tokens.certificatePem());
      RegistryOptions options =
          RegistryOptions.defaults()
              .withCaCertificates(List.of(ca))
              .withCredentials(
                  CredentialSource.of(reg.host(), Credentials.basic("alice", "secret")));
      try (Registry r = Registry.open(reg.host(), options)) {
        assertThat(r.ping()).isEqualTo("registry/2.0"); // learns the Bearer challenge
        assertThat(tokens.issued()).as("tokens after the ping").isEqualTo(1);
        tokens.issueExpired(1);
        assertThat(r.manifest("test/app", "1").digest()).isEqualTo(image.manifest().digest());
        // ping's token, the expired one the registry refused, and its replacement
        assertThat(tokens.issued()).isEqualTo(3);
      }
    }
  }

  @Test
  void anonymousTokensGrantNothingAndTheDenialIsReported() throws Exception {
    try (TokenServer tokens = new TokenServer("alice", "secret");
        RegistryServer reg = RegistryServer.start(storage, temp, tokenAuth(tokens))) {
      Path ca = Files.writeString(temp.resolve("token-ca3.pem"), tokens.certificatePem());
      try (Registry r =
          Registry.open(reg.host(), RegistryOptions.defaults().withCaCertificates(List.of(ca)))) {
        unauthorized()
            .of(
                () -> r.manifest("test/app", "1"),
                "fetching manifest 1 of test/app",
                "UNAUTHORIZED");
        // the token after the first 401, and exactly one refresh after the second
        assertThat(tokens.issued()).isEqualTo(2);
      }
    }
  }

  @Test
  void tokenServerNotTrustedFailsClearly() throws Exception {
    try (TokenServer tokens = new TokenServer("alice", "secret");
        RegistryServer reg = RegistryServer.start(storage, temp, tokenAuth(tokens))) {
      try (Registry r = Registry.open(reg.host(), RegistryOptions.defaults())) {
        assertThatThrownBy(() -> r.manifest("test/app", "1"))
            .isInstanceOfSatisfying(
                CairnException.class,
                e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAVAILABLE))
            .hasMessageContaining("getting a token for " + reg.host() + " from 127.0.0.1")
            .hasMessageContaining("TLS handshake with 127.0.0.1:");
      }
    }
  }

  private static String tokenAuth(TokenServer tokens) throws Exception {
    return tokens.registryAuth(temp);
  }
}
