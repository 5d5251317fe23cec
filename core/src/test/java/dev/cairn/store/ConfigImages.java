package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.image.ChainId;
import dev.cairn.testing.DockerSave;
import dev.cairn.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Images made of an image config and ChainID nodes, loaded from docker archives as a pull would
 * place them, with the creation time and labels a test needs.
 */
final class ConfigImages {
  private ConfigImages() {}

  /** A layer of one file of {@code size} bytes. */
  static byte[] layer(String name, int size) {
    return TarBuilder.tar().file(name, "x".repeat(size)).bytes();
  }

  /** An image: its config (made of {@code created}, {@code labels} JSON and the layers), tags. */
  record Img(byte[] config, List<byte[]> layers, List<String> tags) {
    static Img of(String created, String labels, List<byte[]> layers, String... tags) {
      String diffIds =
          layers.stream()
              .map(l -> '"' + Digest.sha256(l).toString() + '"')
              .collect(Collectors.joining(","));
      byte[] config =
          ("{\"created\":\"%s\",\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":"
                  + "{\"Labels\":%s},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}")
              .formatted(created, labels, diffIds)
              .getBytes(StandardCharsets.UTF_8);
      return new Img(config, layers, List.of(tags));
    }

    /** The image ID: its config's digest, the ID of its top node. */
    String id() {
      return Digest.sha256(config).hex();
    }

    /** The ChainID of each layer, base first. */
    List<String> chain() {
      return ChainId.of(layers.stream().map(Digest::sha256).toList()).stream()
          .map(Digest::toString)
          .toList();
    }
  }

  static void load(Store store, Img... images) throws IOException {
    List<DockerSave.Image> saved =
        java.util.Arrays.stream(images)
            .map(i -> new DockerSave.Image(i.config(), i.layers(), i.tags()))
            .toList();
    store.load(new ByteArrayInputStream(DockerSave.of(saved).bytes()));
  }
}
