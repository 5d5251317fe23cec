package dev.cairn.distribution;

import dev.cairn.image.MediaType;
import dev.cairn.registry.UploadedBlob;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The schema2 or OCI manifest of a pushed image, indented as docker's push writes it (Go's
 * MarshalIndent with three spaces).
 */
final class PushManifest {
  private PushManifest() {}

  static byte[] of(boolean oci, UploadedBlob config, List<UploadedBlob> layers) {
    String configType = oci ? MediaType.OCI_CONFIG : MediaType.DOCKER_CONFIG;
    String layerType = oci ? MediaType.OCI_LAYER_GZIP : MediaType.DOCKER_LAYER;
    StringBuilder b = new StringBuilder();
    b.append("{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"")
        .append(oci ? MediaType.OCI_MANIFEST : MediaType.DOCKER_MANIFEST)
        .append("\",\n   \"config\": ");
    descriptor(b, configType, config, "   ");
    b.append(",\n   \"layers\": [");
    for (int i = 0; i < layers.size(); i++) {
      b.append(i == 0 ? "\n      " : ",\n      ");
      descriptor(b, layerType, layers.get(i), "      ");
    }
    b.append(layers.isEmpty() ? "]\n}" : "\n   ]\n}");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void descriptor(StringBuilder b, String type, UploadedBlob blob, String indent) {
    String in = indent + "   ";
    b.append("{\n")
        .append(in)
        .append("\"mediaType\": \"")
        .append(type)
        .append("\",\n")
        .append(in)
        .append("\"size\": ")
        .append(blob.size())
        .append(",\n")
        .append(in)
        .append("\"digest\": \"")
        .append(blob.digest())
        .append("\"\n")
        .append(indent)
        .append('}');
  }
}
