package dev.cairn.image;

import dev.cairn.digest.Digest;
import dev.cairn.json.GoJsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Small, readable schema1 test data: image IDs, blobSums and v1Compatibility documents. */
final class Schema1Fixtures {
  private Schema1Fixtures() {}

  /** A stable 64-hex legacy ID named after {@code n}. */
  static String id(String n) {
    return Digest.sha256(("image " + n).getBytes(StandardCharsets.UTF_8)).hex();
  }

  /** A stable sha256 blobSum named after {@code n}. */
  static String blob(String n) {
    return Digest.sha256(("layer " + n).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * A v1Compatibility in the shape Docker 1.9 wrote; no parent key when {@code parent} is empty.
   */
  static String v1(String id, String parent) {
    return "{\"id\":\""
        + id
        + "\""
        + (parent.isEmpty() ? "" : ",\"parent\":\"" + parent + "\"")
        + ",\"created\":\"2015-09-08T21:30:30.807853054Z\",\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo <x> & y\"]},\"docker_version\":\"1.9.0\",\"config\":{\"Env\":[\"PATH=/bin\"]},\"architecture\":\"amd64\",\"os\":\"linux\",\"Size\":42}";
  }

  /** A manifest's entries, top first. */
  record Entry(String blobSum, String v1) {}

  /** A well-formed chain of images named {@code names}, given top first. */
  static List<Entry> chain(String... names) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      String parent = i + 1 < names.length ? id(names[i + 1]) : "";
      entries.add(new Entry(blob(names[i]), v1(id(names[i]), parent)));
    }
    return entries;
  }

  /** The compact unsigned manifest of {@code entries}. */
  static String manifest(List<Entry> entries) {
    return manifest(1, entries);
  }

  static String manifest(long schemaVersion, List<Entry> entries) {
    return LibtrustSigner.manifest(
        schemaVersion,
        entries.stream().map(Entry::blobSum).toList(),
        entries.stream().map(Entry::v1).toList());
  }

  /** The manifest as Docker Distribution writes it before signing: indented by three spaces. */
  static byte[] pretty(List<Entry> entries) {
    return GoJsonWriter.indent(bytes(manifest(entries)), "   ");
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
