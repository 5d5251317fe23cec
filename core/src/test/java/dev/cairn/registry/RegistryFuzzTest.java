package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.CairnException;
import dev.cairn.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** What a registry, a token server or a machine's configuration says: understood, or refused. */
class RegistryFuzzTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void challengesParseIntoSchemesAndLowercaseParameters(byte[] lines) throws Exception {
    // One WWW-Authenticate header value per line.
    List<String> headers = List.of(new String(lines, StandardCharsets.ISO_8859_1).split("\n", -1));
    Fuzz.rejectsCleanly(
        () -> {
          for (Challenge c : Challenge.parse(headers)) {
            assertThat(c.scheme()).isNotEmpty().isLowerCase();
            assertThat(c.params().keySet()).allSatisfy(k -> assertThat(k).isLowerCase());
          }
        });
  }

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void aTokenAnswerGivesAHeaderSafeTokenThatExpiresLaterOrIsRefused(byte[] body) throws Exception {
    Fuzz.rejectsCleanly(
        () -> {
          Authenticator.Token t = Authenticator.token(body, "token", NOW);
          assertThat(t.value()).isNotEmpty().matches("[\\x21-\\x7e]+");
          assertThat(t.expires()).isAfter(NOW);
        });
  }

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void aRegistriesConfIsReadOrRefusedNamingTheFile(byte[] toml) throws Exception {
    Path dir = Files.createTempDirectory("registries-conf");
    Path file = dir.resolve("registries.conf");
    try {
      Files.write(file, toml);
      Fuzz.rejectsCleanly(
          () -> {
            try {
              RegistriesConf.read(file);
            } catch (CairnException e) {
              assertThat(e.getMessage()).contains(file.toString());
              throw e;
            }
          });
    } finally {
      Files.deleteIfExists(file);
      Files.delete(dir);
    }
  }

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void aDaemonJsonIsReadOrRefusedNamingTheFile(byte[] json) throws Exception {
    Path file = Files.createTempFile("daemon", ".json");
    try {
      Files.write(file, json);
      Fuzz.rejectsCleanly(
          Set.of(CairnException.Kind.INVALID),
          () -> {
            try {
              DaemonJson.read(file);
            } catch (CairnException e) {
              assertThat(e.getMessage()).contains(file.toString());
              throw e;
            }
          });
    } finally {
      Files.delete(file);
    }
  }
}
