package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The two published Docker 1.9 cases: config bytes and ID must match exactly. */
class StrongIdVectorsTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"pre1.9", "post1.9"})
  void publishedVectorMatchesByteForByte(String name) throws IOException {
    byte[] v1 = resource(name, "v1compatibility");
    Digest layer = Digest.parse(text(name, "layer_id"));
    Digest parent = Digest.parse(text(name, "parent_id"));

    byte[] config = ImageConfig.of(v1, layer, parent);

    assertThat(new String(config, StandardCharsets.UTF_8))
        .isEqualTo(new String(resource(name, "expected_config"), StandardCharsets.UTF_8).strip());
    assertThat(Digest.sha256(config)).hasToString(text(name, "expected_computed_id"));
    assertThat(ImageConfig.strongId(v1, layer, parent))
        .hasToString(text(name, "expected_computed_id"));
  }

  private static String text(String name, String file) throws IOException {
    return new String(resource(name, file), StandardCharsets.UTF_8).strip();
  }

  static byte[] resource(String name, String file) throws IOException {
    try (InputStream in =
        StrongIdVectorsTest.class.getResourceAsStream("/strongid/" + name + "/" + file)) {
      return in.readAllBytes();
    }
  }
}
