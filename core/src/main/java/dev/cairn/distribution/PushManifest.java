package dev.cairn.distribution;

import dev.cairn.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The schema2 or OCI manifest of a pushed image, indented as docker's push writes it (Go's
 * MarshalIndent with three spaces).
 */
final class PushManifest {
  private PushManifest() {}

  /** A blob as the manifest names it. */
  record Blob(Digest digest, long size, String mediaType) {}

  /** The manifest of type {@code type} ({@code DOCKER_MANIFEST} or {@code OCI_MANIFEST}). */
  static byte[] of(String type, Blob config, List<Blob> layers) {
    StringBuilder b = new StringBuilder();
    b.append("{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"")
        .append(type)
        .append("\",\n   \"config\": ");
    descriptor(b, config, "   ");
    b.append(",\n   \"layers\": [");
    for (int i = 0; i < layers.size(); i++) {
      b.append(i == 0 ? "\n      " : ",\n      ");
      descriptor(b, layers.get(i), "      ");
    }
    b.append(layers.isEmpty() ? "]\n}" : "\n   ]\n}");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void descriptor(StringBuilder b, Blob blob, String indent) {
    String in = indent + "   ";
    b.append("{\n")
        .append(in)
        .append("\"mediaType\": \"")
        .append(blob.mediaType())
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
