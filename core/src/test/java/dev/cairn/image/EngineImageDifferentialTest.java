package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.testing.Seeds;
import dev.cairn.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Holds {@link EngineImage#decode}, {@link EngineEncoder} and {@link Schema1Config} against a Go
 * program that decodes and encodes with copies of Docker 20.10's own structs and Go's encoding/json
 * (src/test/go/engineimage), on generated image JSON: wrong types, duplicate and case-folded keys,
 * nulls, Go's slice reuse. The seed is printed and can be replayed with -Dcairn.seed;
 * -Dcairn.oracle.count sets how many documents.
 */
class EngineImageDifferentialTest {
  private static final int COUNT = Integer.getInteger("cairn.oracle.count", 6_000);

  @Test
  void imageJsonDecodesAndEncodesAsDockersStructsDo() throws Exception {
    long seed = Seeds.of(EngineImageDifferentialTest.class);
    V1Generator gen = new V1Generator(seed, true);
    List<String> docs = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      docs.add(gen.document());
    }
    int[] errors = {0};
    List<String> mismatches =
        compare(
            docs,
            (w, doc) -> w.name("image").string(doc),
            (doc, go) -> {
              String ours;
              try {
                ours = describe(EngineImage.decode(doc.getBytes(StandardCharsets.UTF_8)));
              } catch (CairnException e) {
                errors[0]++;
                return go.get("error") != null ? null : "error: " + e.getMessage();
              }
              String theirs =
                  go.get("error") != null
                      ? "error: " + text(go, "error")
                      : String.join(
                          "\n",
                          text(go, "config"),
                          text(go, "container_config"),
                          text(go, "v1"),
                          text(go, "history"),
                          text(go, "rootfs"),
                          text(go, "os_version"));
              return ours.equals(theirs) ? null : ours;
            });
    report("image JSON", seed, mismatches);
    assertThat(errors[0]).as("documents refused").isBetween(COUNT / 50, COUNT / 2);
  }

  @Test
  void schema1ConfigsAreWhatDockersPullMakes() throws Exception {
    long seed = Seeds.of(EngineImageDifferentialTest.class) + 1;
    V1Generator gen = new V1Generator(seed, true);
    Random r = new Random(seed);
    record Image(List<String> v1, List<Digest> diffIds) {}
    List<Image> images = new ArrayList<>(COUNT / 2);
    for (int i = 0; i < COUNT / 2; i++) {
      int n = 1 + r.nextInt(3);
      List<String> v1 = new ArrayList<>();
      List<Digest> diffIds = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        v1.add(gen.document());
        diffIds.add(Digest.parse("sha256:" + gen.hex64()));
      }
      images.add(new Image(v1, diffIds));
    }
    int[] made = {0};
    List<String> mismatches =
        compare(
            images,
            (w, img) -> {
              w.name("schema1").punct('[');
              for (int k = 0; k < img.v1().size(); k++) {
                if (k > 0) {
                  w.punct(',');
                }
                w.string(img.v1().get(k));
              }
              w.punct(']').punct(',').name("diff_ids").punct('[');
              for (int k = 0; k < img.diffIds().size(); k++) {
                if (k > 0) {
                  w.punct(',');
                }
                w.string(img.diffIds().get(k).toString());
              }
              w.punct(']');
            },
            (img, go) -> {
              String ours;
              try {
                List<byte[]> v1 =
                    img.v1().stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
                ours = new String(Schema1Config.of(v1, img.diffIds()), StandardCharsets.UTF_8);
              } catch (CairnException e) {
                return go.get("error") != null ? null : "error: " + e.getMessage();
              }
              made[0]++;
              return ours.equals(text(go, "config")) ? null : ours;
            });
    report("schema1 config", seed, mismatches);
    assertThat(made[0]).as("configs made").isGreaterThan(COUNT / 10);
  }

  // Cases the generator found; the expected values are what the Go program printed for them.
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a wrong-typed id is refused | {"id":5} | field id: expected a string, got number
          a wrong-typed parent is refused | {"parent":true} | field parent: expected a string
          a fractional Size is refused | {"Size":1.5} | field Size: cannot decode number
          a rootfs type that is no string is refused | {"rootfs":{"type":5}} \
            | field rootfs.type: expected a string
          DiffIDs that are no list are refused | {"rootfs":{"diff_ids":"x"}} \
            | field rootfs.diff_ids: expected an array of strings
          os.features of numbers are refused | {"os.features":[1]} \
            | field os.features[0]: expected a string
          a history step that is no object is refused | {"history":[5]} \
            | field history[0]: expected an object
          """)
  void imageJsonOfTheWrongTypesIsRefusedAsDockerRefusesIt(
      String name, String json, String message) {
    assertThatThrownBy(() -> EngineImage.decode(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining(message);
    assertThat(EngineImage.hasRootFs(Json.parseObject(json.getBytes(StandardCharsets.UTF_8), "t")))
        .isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          an empty rootfs object | {"rootfs":{}} | true
          rootfs with its fields | {"rootfs":{"type":"layers","diff_ids":[]}} | true
          the key in another case, as Go matches it | {"RootFS":{}} | true
          no rootfs | {"history":[]} | false
          a null rootfs | {"rootfs":null} | false
          a later rootfs wins | {"rootfs":{},"rootfs":null} | false
          a later object wins too | {"rootfs":null,"rootfs":{}} | true
          """)
  void whetherImageJsonHasARootfsIsWhatDecodingItSays(String name, String json, boolean has) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThat(EngineImage.hasRootFs(Json.parseObject(bytes, "t"))).isEqualTo(has);
    assertThat(EngineImage.decode(bytes).hasRootFs()).isEqualTo(has);
  }

  @Test
  void aRepeatedHistoryDecodesIntoWhatTheEarlierOneLeft() {
    EngineImage img =
        EngineImage.decode(
            """
            {"history":[{"author":"a","empty_layer":true},{"author":"b"},{"author":"c"}],
             "history":[{"comment":"x"}],"history":[null,null]}"""
                .getBytes(StandardCharsets.UTF_8));
    assertThat(img.history())
        .containsExactly(
            new EngineImage.History(GoTime.ZERO, "a", "", "x", true),
            new EngineImage.History(GoTime.ZERO, "b", "", "", false));
  }

  @Test
  void aSchema1PullReadsV1ImagesWithoutTheFieldsOfAConfig() {
    byte[] v1 =
        """
        {"rootfs":5,"history":true,"os.version":1,"os.features":{},"docker_version":"1.9"}"""
            .getBytes(StandardCharsets.UTF_8);
    byte[] config =
        Schema1Config.of(List.of(v1), List.of(Digest.parse("sha256:" + "a".repeat(64))));
    assertThat(new String(config, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"docker_version\":\"1.9\",\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],"
                + "\"os.features\":{},\"os.version\":1,\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"sha256:"
                + "a".repeat(64)
                + "\"]}}");
  }

  /** What the oracle prints for an image, in its order and form. */
  private static String describe(EngineImage img) {
    GoJsonWriter history = new GoJsonWriter().punct('[');
    for (int i = 0; i < img.history().size(); i++) {
      EngineImage.History h = img.history().get(i);
      if (i > 0) {
        history.punct(',');
      }
      history.punct('{').name("created").string(h.created().format()).punct(',');
      history.name("author").string(h.author()).punct(',');
      history.name("created_by").string(h.createdBy()).punct(',');
      history.name("comment").string(h.comment()).punct(',');
      history.name("empty_layer").bool(h.emptyLayer()).punct('}');
    }
    history.punct(']');
    return String.join(
        "\n",
        config(w -> EngineEncoder.config(w, img.config())),
        config(w -> EngineEncoder.config(w, img.containerConfig())),
        new String(EngineEncoder.v1Image(img), StandardCharsets.UTF_8),
        new String(history.toByteArray(), StandardCharsets.UTF_8),
        Boolean.toString(img.hasRootFs()),
        img.osVersion());
  }

  private static String config(Consumer<GoJsonWriter> write) {
    GoJsonWriter w = new GoJsonWriter();
    write.accept(w);
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  interface Request<T> {
    void write(GoJsonWriter w, T item);
  }

  interface Judge<T> {
    /** Null when cairn agrees with Go's answer, else what cairn made of it. */
    String judge(T item, JsonObject go);
  }

  /** Sends every item to the oracle and collects the disagreements, described. */
  private static <T> List<String> compare(List<T> items, Request<T> request, Judge<T> judge)
      throws Exception {
    Path oracle = Tools.goBinary(Path.of("src/test/go/engineimage"));
    Process p =
        new ProcessBuilder(oracle.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (OutputStream out = p.getOutputStream()) {
                    for (T item : items) {
                      GoJsonWriter w = new GoJsonWriter().punct('{');
                      request.write(w, item);
                      out.write(w.punct('}').punct('\n').toByteArray());
                    }
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
    List<String> mismatches = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (T item : items) {
        String line = in.readLine();
        assertThat(line).as("oracle answer").isNotNull();
        JsonObject go = (JsonObject) Json.parse(line.getBytes(StandardCharsets.UTF_8));
        String ours = judge.judge(item, go);
        if (ours != null) {
          mismatches.add("input: " + item + "\n  cairn: " + ours + "\n  go:    " + line);
        }
      }
    }
    writer.join();
    assertThat(p.waitFor()).as("oracle exit").isZero();
    return mismatches;
  }

  private static void report(String what, long seed, List<String> mismatches) {
    System.out.printf("%s oracle (seed %d): %d mismatches%n", what, seed, mismatches.size());
    assertThat(mismatches)
        .as(
            "%s mismatches with Go (seed %d), first ones:%n%s",
            what, seed, String.join("\n", mismatches.subList(0, Math.min(5, mismatches.size()))))
        .isEmpty();
  }

  private static String text(JsonObject o, String key) {
    JsonValue v = o.get(key);
    return v instanceof JsonString s ? s.value() : null;
  }
}
