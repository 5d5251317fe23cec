package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.LibtrustSigner.SigningKey;
import dev.cairn.image.Schema1Fixtures.Entry;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Compares the strong IDs of whole generated schema1 manifests with the Go reference's {@code
 * chain} mode: several layers each, v1Compatibility objects from {@link V1Generator} (some with
 * values of the wrong type, which both must reject) given a proper id/parent chain, half of them
 * signed and indented as Docker Distribution writes them. The seed is fresh each run ({@link
 * Seeds}); the count is set with -Dcairn.schema1.count.
 */
class Schema1DifferentialTest {

  @Test
  void strongIdsMatchGoOnGeneratedManifests() throws Exception {
    long seed = Seeds.of(Schema1DifferentialTest.class);
    int count = Integer.getInteger("cairn.schema1.count", 250);
    V1Generator gen = new V1Generator(seed);
    Random random = new Random(Long.reverse(seed)); // not the generator's own sequence
    SigningKey key = SigningKey.ec("secp256r1");

    List<String> mismatches = new ArrayList<>();
    int accepted = 0;
    int rejected = 0;
    for (int c = 0; c < count; c++) {
      List<Entry> entries = new ArrayList<>();
      String parent = "";
      int layers = 1 + random.nextInt(6);
      for (int k = 0; k < layers; k++) {
        String id = gen.hex64();
        String v1 = null;
        while (v1 == null) {
          v1 = withIdAndParent(gen.document(), id, parent);
        }
        entries.add(new Entry("sha256:" + gen.hex64(), v1));
        parent = id;
      }
      Collections.reverse(entries); // the manifest lists the top first
      byte[] body =
          random.nextBoolean()
              ? LibtrustSigner.sign(Schema1Fixtures.pretty(entries), key)
              : Schema1Fixtures.bytes(Schema1Fixtures.manifest(entries));

      String ours;
      try {
        ours = lines(Schema1Manifest.parse(body));
      } catch (CairnException e) {
        ours = "error: " + e.getMessage();
      }
      GoOracle.Run go = GoOracle.run(body, "chain");
      boolean goAccepts = go.exit() == 0;
      if (goAccepts != !ours.startsWith("error: ") || (goAccepts && !go.out().equals(ours))) {
        mismatches.add(
            "manifest:\n"
                + new String(body, StandardCharsets.UTF_8)
                + "\n  cairn: "
                + ours
                + "\n  go:    "
                + (goAccepts ? go.out() : "error: " + go.err()));
      }
      if (goAccepts) {
        accepted++;
      } else {
        rejected++;
      }
    }
    System.out.printf(
        "schema1 chain oracle: %d manifests: %d accepted by both, %d rejected, %d mismatches%n",
        count, accepted, rejected, mismatches.size());

    assertThat(mismatches)
        .as(
            "mismatches with Go (replay with %s), first:%n%s",
            Seeds.replay(), mismatches.isEmpty() ? "" : mismatches.getFirst())
        .isEmpty();
    assertThat(accepted).as("manifests both accept").isGreaterThan(count / 10);
    assertThat(rejected).as("manifests both reject").isGreaterThan(count / 20);
  }

  /** The output of {@code cairn manifest ids}: strong ID, v1 ID and blobSum per image, base up. */
  private static String lines(Schema1Manifest m) {
    List<Schema1Image> images = m.images();
    List<Digest> ids = m.strongIds();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < images.size(); i++) {
      b.append(ids.get(i).hex())
          .append(' ')
          .append(images.get(i).id())
          .append(' ')
          .append(images.get(i).blobSum())
          .append('\n');
    }
    return b.toString();
  }

  /**
   * Appends {@code id} and {@code parent} as the object's last members (so they win over any
   * earlier or case-variant key, as in Go); null for a document that is not a JSON object, whose ID
   * the Go reference would not validate while cairn rejects it (ARCHITECTURE.md, Strong IDs).
   */
  private static String withIdAndParent(String doc, String id, String parent) {
    byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
    JsonValue v;
    try {
      v = Json.parse(bytes);
    } catch (CairnException e) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      return null;
    }
    String head = new String(bytes, 0, o.end() - 1, StandardCharsets.UTF_8);
    String tail =
        new String(bytes, o.end() - 1, bytes.length - o.end() + 1, StandardCharsets.UTF_8);
    return head
        + (o.members().isEmpty() ? "" : ",")
        + "\"id\":\""
        + id
        + "\",\"parent\":\""
        + parent
        + "\""
        + tail;
  }
}
