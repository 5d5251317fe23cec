package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the authenticator keeps between requests: which challenge it answers, how long a token
 * serves, and when it refuses for want of credentials.
 */
class AuthenticatorStateTest {
  ScriptedRegistry tokens;
  HttpClient http;
  final MovableClock clock = new MovableClock();

  /** A clock a test moves by hand; tokens expire by it, not by the wall. */
  static final class MovableClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @BeforeEach
  void start() throws IOException {
    AtomicInteger issued = new AtomicInteger();
    tokens =
        ScriptedRegistry.start(
            ex ->
                ScriptedRegistry.send(
                    ex, 200, "{\"token\":\"t" + issued.incrementAndGet() + "\"}"));
    http = HttpClient.newHttpClient();
  }

  @AfterEach
  void stop() {
    http.close();
    tokens.close();
  }

  Authenticator authenticator(CredentialSource credentials) {
    return new Authenticator(
        "reg", true, RegistryOptions.defaults().withCredentials(credentials), uri -> http, clock);
  }

  Challenge bearer() {
    return new Challenge("bearer", Map.of("realm", "http://" + tokens.host() + "/token"));
  }

  static final Challenge BASIC = new Challenge("basic", Map.of("realm", "reg"));

  @Test
  void aTokenServesItsScopeUntilFiveSecondsBeforeItExpires() throws IOException {
    Authenticator auth = authenticator(CredentialSource.none());
    auth.unauthorized(List.of(bearer()), "repository:a:pull");
    assertThat(auth.authorization("repository:a:pull")).hasValue("Bearer t1");
    clock.now = clock.now.plusSeconds(54);
    assertThat(auth.authorization("repository:a:pull")).hasValue("Bearer t1");
    clock.now = clock.now.plusSeconds(1);
    assertThat(auth.authorization("repository:a:pull")).hasValue("Bearer t2");
    assertThat(tokens.requests)
        .extracting(ScriptedRegistry.Request::query)
        .containsExactly("scope=repository%3Aa%3Apull", "scope=repository%3Aa%3Apull");
  }

  @Test
  void anotherThreadMayFetchATokenAfterOneWasFetched() throws Exception {
    Authenticator auth = authenticator(CredentialSource.none());
    auth.unauthorized(List.of(bearer()), "repository:a:pull");
    java.util.concurrent.atomic.AtomicReference<Optional<String>> got =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread other =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    got.set(auth.authorization("repository:b:pull"));
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
    // A guard against a lock left held, not a measure: the fetch takes milliseconds.
    other.join(Duration.ofSeconds(30));
    assertThat(other.isAlive()).isFalse();
    assertThat(got.get()).hasValue("Bearer t2");
  }

  @Test
  void aPingAnswerOfferingBothSchemesIsAnsweredWithBearer() throws IOException {
    Authenticator auth = authenticator(CredentialSource.of("reg", Credentials.basic("u", "p")));
    auth.learn(List.of(BASIC, bearer()));
    assertThat(auth.authorization("repository:a:pull")).hasValue("Bearer t1");
    // The token request carries the user's credentials, as docker's does.
    assertThat(tokens.requests.getFirst().header("Authorization")).isEqualTo("Basic dTpw");
  }

  @Test
  void aPingAnswerOfferingBasicAloneIsAnsweredWithTheUsersPassword() throws IOException {
    Authenticator auth = authenticator(CredentialSource.of("reg", Credentials.basic("u", "p")));
    auth.learn(List.of(BASIC));
    assertThat(auth.authorization(null)).hasValue("Basic dTpw");
    assertThat(tokens.requests).isEmpty();
  }

  @Test
  void anIdentityTokenIsNoAnswerToBasic() throws IOException {
    Authenticator auth =
        authenticator(CredentialSource.of("reg", Credentials.identityToken("refresh")));
    auth.learn(List.of(BASIC));
    assertThat(auth.authorization(null)).isEmpty();
    assertThatThrownBy(() -> auth.unauthorized(List.of(BASIC), null))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAUTHORIZED))
        .hasMessage("reg requires a user name and password and none are configured for it");
  }

  @Test
  void a401WithoutAChallengeOrWithAnUnknownOneIsRefusedNamingIt() {
    Authenticator auth = authenticator(CredentialSource.none());
    assertThatThrownBy(() -> auth.unauthorized(List.of(), null))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAUTHORIZED))
        .hasMessage("reg answered 401 without a WWW-Authenticate");
    assertThatThrownBy(() -> auth.unauthorized(List.of(new Challenge("negotiate", Map.of())), null))
        .isInstanceOfSatisfying(
            CairnException.class,
            e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.UNAUTHORIZED))
        .hasMessage("reg asks for an unsupported authentication scheme: negotiate");
  }

  @Test
  void aTokenShowsOnlyItsExpiry() {
    assertThat(new Authenticator.Token("secret", Instant.EPOCH))
        .hasToString("Token[expires 1970-01-01T00:00:00Z]");
  }

  @Test
  void aTokenAnswerOfExactly64KiBIsRead() {
    String head = "{\"token\":\"!~\",\"pad\":\"";
    String json = head + "x".repeat(RegistryErrors.MAX_ERROR_BODY - head.length() - 2) + "\"}";
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    assertThat(body).hasSize(RegistryErrors.MAX_ERROR_BODY);
    assertThat(Authenticator.token(body, "w", Instant.EPOCH))
        .isEqualTo(new Authenticator.Token("!~", Instant.EPOCH.plusSeconds(55)));
    byte[] over = (json + " ").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Authenticator.token(over, "w", Instant.EPOCH))
        .hasMessage("w: token answer larger than 64 KiB");
  }

  @Test
  void anInterruptedTokenRequestEndsInAnInterruptedIoExceptionKeepingTheFlag() {
    Authenticator auth = authenticator(CredentialSource.none());
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> auth.unauthorized(List.of(bearer()), "repository:a:pull"))
          .isInstanceOf(java.io.InterruptedIOException.class)
          .hasMessage("getting a token for reg from 127.0.0.1: interrupted");
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
  }

  @ParameterizedTest(name = "U+{0}")
  @ValueSource(ints = {0x20, 0x7f})
  void aTokenWithASpaceOrAControlCharacterIsRefused(int ch) {
    String json = "{\"token\":\"a" + Character.toString(ch) + "b\"}";
    assertThatThrownBy(
            () -> Authenticator.token(json.getBytes(StandardCharsets.UTF_8), "w", Instant.EPOCH))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessage("w: the token holds characters that cannot be sent in a header");
  }
}
