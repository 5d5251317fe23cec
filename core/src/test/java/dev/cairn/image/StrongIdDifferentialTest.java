package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.testing.Seeds;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compares imageConfig and the strong ID with the Go reference (real encoding/json) on generated
 * v1Compatibility documents. The seed is fresh each run ({@link Seeds}); the count is set with
 * -Dcairn.oracle.count.
 */
class StrongIdDifferentialTest {

  record Case(String v1, String layer, String parent) {}

  @Test
  void imageConfigMatchesGoOnGeneratedDocuments() throws Exception {
    long seed = Seeds.of(StrongIdDifferentialTest.class);
    int count = Integer.getInteger("cairn.oracle.count", 12_000);
    V1Generator gen = new V1Generator(seed);
    List<Case> cases = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String parent = gen.chance(75) ? "sha256:" + gen.hex64() : "";
      cases.add(new Case(gen.document(), "sha256:" + gen.hex64(), parent));
    }

    Process oracle = GoOracle.start();
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (OutputStream out = oracle.getOutputStream()) {
                    for (Case c : cases) {
                      GoJsonWriter w = new GoJsonWriter();
                      w.punct('{').name("v1").string(c.v1()).punct(',');
                      w.name("layer").string(c.layer()).punct(',');
                      w.name("parent").string(c.parent()).punct('}').punct('\n');
                      out.write(w.toByteArray());
                    }
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });

    List<String> mismatches = new ArrayList<>();
    int errors = 0;
    int fallbacks = 0;
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(oracle.getInputStream(), StandardCharsets.UTF_8))) {
      for (Case c : cases) {
        String line = in.readLine();
        assertThat(line).as("oracle answer").isNotNull();
        JsonObject answer = (JsonObject) Json.parse(line.getBytes(StandardCharsets.UTF_8));
        String goError = stringField(answer, "error");
        String goConfig = stringField(answer, "config");
        String ours;
        String ourId = null;
        byte[] v1 = c.v1().getBytes(StandardCharsets.UTF_8);
        try {
          Digest parent = c.parent().isEmpty() ? null : Digest.parse(c.parent());
          byte[] config = ImageConfig.of(v1, Digest.parse(c.layer()), parent);
          ours = new String(config, StandardCharsets.UTF_8);
          ourId = Digest.sha256(config).toString();
          if (ImageConfig.versionLess(V1Image.decode(v1).dockerVersion(), "1.8.3")) {
            fallbacks++;
          }
        } catch (CairnException e) {
          ours = null;
          if (goError == null) {
            mismatches.add(describe(c, "error: " + e.getMessage(), goConfig));
          }
          errors++;
          continue;
        }
        if (goError != null) {
          mismatches.add(describe(c, ours, "error: " + goError));
        } else if (!ours.equals(goConfig) || !ourId.equals(stringField(answer, "id"))) {
          mismatches.add(describe(c, ours, goConfig));
        }
      }
    }
    writer.join();
    oracle.waitFor();
    System.out.printf(
        "strong ID oracle: %d documents: %d rejected by both, %d via the pre-1.8.3 fallback, %d hashed as written, %d mismatches%n",
        count, errors, fallbacks, count - errors - fallbacks, mismatches.size());

    assertThat(mismatches)
        .as(
            "mismatches with Go (replay with %s), first ones:%n%s",
            Seeds.replay(),
            String.join("\n", mismatches.subList(0, Math.min(5, mismatches.size()))))
        .isEmpty();
    // The generator must really reach both branches and the error paths.
    assertThat(errors).as("documents Go rejects").isBetween(count / 50, count / 2);
    assertThat(fallbacks).as("documents taking the pre-1.8.3 fallback").isGreaterThan(count / 10);
    assertThat(count - errors - fallbacks)
        .as("documents hashed as written")
        .isGreaterThan(count / 10);
  }

  private static String stringField(JsonObject o, String key) {
    JsonValue v = o.get(key);
    return v instanceof JsonString s ? s.value() : null;
  }

  private static String describe(Case c, String ours, String go) {
    return "input v1: "
        + c.v1()
        + "\n  layer "
        + c.layer()
        + " parent "
        + c.parent()
        + "\n  cairn: "
        + ours
        + "\n  go:    "
        + go;
  }
}
