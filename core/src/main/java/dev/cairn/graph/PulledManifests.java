package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.MediaType;
import dev.cairn.image.Schema1Manifest;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The {@code v2manifests} file of an image's top node: the {@link PulledManifest}s it was pulled
 * with, one per registry and repository, newest first, at most {@link #CAP} and {@link #MAX_BYTES}
 * in all (the oldest go). The bytes are kept in base64.
 */
final class PulledManifests {
  static final String FILE = "v2manifests";
  static final int CAP = 50;
  static final int MAX_BYTES = 8 << 20;

  private PulledManifests() {}

  static final NodeRecords<PulledManifest> RECORDS =
      new NodeRecords<>(FILE, PulledManifests::read, PulledManifests::encode);

  static List<PulledManifest> read(Path dir) throws IOException {
    return NodeRecords.readArray(dir, FILE, MAX_BYTES, PulledManifests::entry);
  }

  /**
   * Parses the file's bytes; every entry's bytes must hash to its digest (schema1 aside, whose
   * digest is over the payload).
   *
   * @throws CairnException INVALID saying what is wrong
   */
  static List<PulledManifest> parse(byte[] bytes) {
    return NodeRecords.parseArray(bytes, FILE, PulledManifests::entry);
  }

  private static PulledManifest entry(JsonObject o) {
    if (!(o.get("Digest") instanceof JsonString d)
        || !(o.get("MediaType") instanceof JsonString type)
        || !(o.get("Host") instanceof JsonString host)
        || !(o.get("Repository") instanceof JsonString repo)
        || !(o.get("Manifest") instanceof JsonString body)) {
      throw CairnException.invalid(
          FILE + ": an entry lacks Digest, MediaType, Host, Repository or Manifest");
    }
    Digest digest;
    byte[] manifest;
    try {
      digest = Digest.parse(d.value());
      manifest = Base64.getDecoder().decode(body.value());
    } catch (IllegalArgumentException e) {
      throw CairnException.invalid(FILE + ": a Manifest is not base64");
    } catch (CairnException e) {
      throw e.in(FILE);
    }
    Digest actual;
    try {
      // schema1's digest is over its payload, the signatures left out
      actual =
          MediaType.isSchema1(type.value())
              ? Schema1Manifest.parse(manifest).digest()
              : Digest.sha256(manifest);
    } catch (CairnException e) {
      throw e.in(FILE + ": the manifest kept as " + digest);
    }
    if (!actual.equals(digest)) {
      throw CairnException.invalid(
          FILE + ": the manifest kept as " + digest + " hashes to " + actual);
    }
    return new PulledManifest(digest, type.value(), manifest, host.value(), repo.value());
  }

  /** The list with {@code entry} first, the older one of its registry and repository dropped. */
  static List<PulledManifest> with(List<PulledManifest> old, PulledManifest entry) {
    List<PulledManifest> out = new ArrayList<>(old.size() + 1);
    out.add(entry);
    long bytes = entry.bytes().length;
    for (PulledManifest m : old) {
      boolean same = m.host().equals(entry.host()) && m.repository().equals(entry.repository());
      bytes += m.bytes().length;
      if (!same && out.size() < CAP && bytes * 4 / 3 < MAX_BYTES / 2) {
        out.add(m);
      }
    }
    return out;
  }

  static byte[] encode(List<PulledManifest> entries) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('[');
    for (int i = 0; i < entries.size(); i++) {
      PulledManifest m = entries.get(i);
      if (i > 0) {
        w.punct(',');
      }
      w.punct('{').name("Digest").string(m.digest().toString());
      w.punct(',').name("MediaType").string(m.mediaType());
      w.punct(',').name("Host").string(m.host());
      w.punct(',').name("Repository").string(m.repository());
      w.punct(',').name("Manifest").string(Base64.getEncoder().encodeToString(m.bytes()));
      w.punct('}');
    }
    return w.punct(']').toByteArray();
  }
}
