package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.JsonValue.JsonNumber;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code v2metadata} file of a node directory: the {@link KnownBlob}s its layer is known under,
 * newest first, at most {@link #CAP} (as Docker 1.10 kept per DiffID). Docker 1.9's tools ignore
 * the file; the node's {@code checksum} stays what the first pull wrote.
 */
final class KnownBlobs {
  static final String FILE = "v2metadata";
  static final int CAP = 50;
  private static final int MAX_BYTES = 1 << 20;

  private KnownBlobs() {}

  static final NodeRecords<KnownBlob> RECORDS =
      new NodeRecords<>(FILE, KnownBlobs::read, KnownBlobs::encode);

  /** The entries of the file in {@code dir}: none when absent. */
  static List<KnownBlob> read(Path dir) throws IOException {
    return NodeRecords.readArray(dir, FILE, MAX_BYTES, KnownBlobs::entry);
  }

  /**
   * Parses the file's bytes.
   *
   * @throws CairnException INVALID saying what is wrong
   */
  static List<KnownBlob> parse(byte[] bytes) {
    return NodeRecords.parseArray(bytes, FILE, KnownBlobs::entry);
  }

  private static KnownBlob entry(JsonObject o) {
    if (!(o.get("Digest") instanceof JsonString d)
        || !(o.get("Size") instanceof JsonNumber size)
        || !(o.get("MediaType") instanceof JsonString type)
        || !(o.get("Host") instanceof JsonString host)
        || !(o.get("Repository") instanceof JsonString repo)) {
      throw CairnException.invalid(
          FILE + ": an entry lacks Digest, Size, MediaType, Host or Repository");
    }
    long n;
    try {
      n = Long.parseLong(size.text());
    } catch (NumberFormatException e) {
      throw CairnException.invalid(FILE + ": Size " + size.text() + " is not an integer");
    }
    Digest digest;
    try {
      digest = Digest.parse(d.value());
    } catch (CairnException e) {
      throw e.in(FILE);
    }
    return new KnownBlob(digest, n, type.value(), host.value(), repo.value());
  }

  /** The list with {@code entry} first, its older copy dropped, cut to {@link #CAP}. */
  static List<KnownBlob> with(List<KnownBlob> old, KnownBlob entry) {
    List<KnownBlob> out = new ArrayList<>(old.size() + 1);
    out.add(entry);
    for (KnownBlob k : old) {
      if (!k.samePlace(entry) && out.size() < CAP) {
        out.add(k);
      }
    }
    return out;
  }

  static byte[] encode(List<KnownBlob> entries) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('[');
    for (int i = 0; i < entries.size(); i++) {
      KnownBlob k = entries.get(i);
      if (i > 0) {
        w.punct(',');
      }
      w.punct('{').name("Digest").string(k.digest().toString());
      w.punct(',').name("Size").number(k.size());
      w.punct(',').name("MediaType").string(k.mediaType());
      w.punct(',').name("Host").string(k.host());
      w.punct(',').name("Repository").string(k.repository());
      w.punct('}');
    }
    return w.punct(']').toByteArray();
  }
}
