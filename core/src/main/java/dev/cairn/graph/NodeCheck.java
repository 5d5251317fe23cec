package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.digest.Digester;
import dev.cairn.driver.Driver;
import dev.cairn.image.ImageConfig;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.tarsplit.FileSource;
import dev.cairn.tarsplit.TarSplit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks of one node directory on its own ({@link Fsck}): its files parse as Docker 1.9 and
 * cairn read them, its ID is what its content makes it (a strong ID, a config digest), its driver
 * layer is there, and its layer rebuilds from tar-split to its DiffID, read once and written
 * nowhere. What needs other nodes (parents, ChainIDs, a config's DiffIDs) is left to {@link Fsck},
 * from the report.
 */
final class NodeCheck {
  /** Far beyond any real chain of probed IDs (ARCHITECTURE.md, Reuse and probing). */
  private static final int MAX_PROBES = 64;

  private NodeCheck() {}

  /**
   * What one node is, and what is wrong with it alone.
   *
   * @param parent the parent's ID, or null for a base or when unreadable
   * @param readable whether its json and metadata could be read (else its parent is unknown)
   * @param jsonDigest sha256 of its json, when it is a strong-ID or config node
   * @param parentIdClaim a strong-ID config's {@code parent_id}: its parent's strong ID
   * @param configDiffIds a config node's {@code rootfs.diff_ids}, else null
   * @param diffId the recorded DiffID, else the rebuilt one, else null
   * @param diffIdRecorded whether the node has a {@code diffid} file
   * @param badLayersize whether {@code layersize} is there but no number (fixable)
   * @param problems what is wrong beyond repair, one reason each
   */
  record Report(
      String id,
      String parent,
      boolean readable,
      Digest jsonDigest,
      Digest parentIdClaim,
      List<Digest> configDiffIds,
      Digest diffId,
      boolean diffIdRecorded,
      boolean badLayersize,
      List<String> problems) {}

  static Report check(Path nodeDir, String id, Driver driver) {
    List<String> problems = new ArrayList<>();
    Node n;
    byte[] json;
    try {
      n = NodeFiles.read(nodeDir, id);
      json = NodeFiles.readCapped(nodeDir.resolve(NodeFiles.JSON), 8 << 20, "json");
      if (json == null) {
        throw CairnException.invalid("json is missing");
      }
    } catch (CairnException e) {
      problems.add(e.getMessage());
      return new Report(id, null, false, null, null, null, null, false, false, problems);
    } catch (IOException e) {
      problems.add("cannot be read: " + describe(e));
      return new Report(id, null, false, null, null, null, null, false, false, problems);
    }
    JsonObject obj = Json.parseObject(json, "json"); // parsed once already by read
    boolean layerThere = driver.exists(id);
    if (!layerThere) {
      problems.add("its " + driver.name() + " layer is missing");
    }
    if (!n.imageConfig()) { // a config's own fields are the image's, not the graph's
      JsonValue idValue = obj.get("id");
      if (idValue instanceof JsonString s
          && !s.value().isEmpty()
          && !NodeFiles.stripSha256(s.value()).equals(id)) {
        problems.add(
            "its json names image "
                + CairnException.quote(s.value())
                + " (Docker 1.9 refuses a node stored under another ID)");
      }
    }
    boolean badLayersize = false;
    try {
      badLayersize = badLayersize(nodeDir);
    } catch (IOException e) {
      problems.add("layersize cannot be read: " + describe(e));
    }
    Digest jsonDigest = null;
    Digest parentIdClaim = null;
    List<Digest> configDiffIds = null;
    if (obj.get("layer_id") != null) {
      jsonDigest = Digest.sha256(json);
      parentIdClaim = strongIdChecks(nodeDir, n, obj, jsonDigest, problems);
    } else if (n.imageConfig()) {
      jsonDigest = Digest.sha256(json);
      if (!isProbeOf(id, jsonDigest)) {
        problems.add("its ID is not its config's digest " + jsonDigest);
      }
      try {
        configDiffIds = ImageConfigFile.parse(json).diffIds();
      } catch (CairnException e) {
        problems.add("its config: " + e.getMessage());
      }
    }
    Digest diffId = n.diffId();
    if (layerThere) {
      Digest rebuilt = rebuild(nodeDir, id, driver, n.diffId(), problems);
      diffId = diffId != null ? diffId : rebuilt;
    }
    return new Report(
        id,
        n.parent(),
        true,
        jsonDigest,
        parentIdClaim,
        configDiffIds,
        diffId,
        n.diffId() != null,
        badLayersize,
        problems);
  }

  /**
   * A schema1 node (ARCHITECTURE.md, Strong IDs): its json is its strong-ID config, so its ID is
   * the json's digest (or a probe of it), its stored v1Compatibility with its layer digest and
   * parent gives that json again, and its checksum is the config's {@code layer_id}.
   *
   * @return the config's {@code parent_id}, for the check against the parent
   */
  private static Digest strongIdChecks(
      Path nodeDir, Node n, JsonObject obj, Digest jsonDigest, List<String> problems) {
    if (!isProbeOf(n.id(), jsonDigest)) {
      problems.add("its ID is not its strong ID " + jsonDigest + " (the digest of its json)");
    }
    Digest layerId = digestField(obj, "layer_id", problems);
    Digest parentId = digestField(obj, "parent_id", problems);
    if (layerId != null && n.layerDigest() != null && !n.layerDigest().equals(layerId)) {
      problems.add("its checksum " + n.layerDigest() + " is not its json's layer_id " + layerId);
    }
    try {
      byte[] v1 =
          NodeFiles.readCapped(
              nodeDir.resolve(NodeFiles.V1_COMPATIBILITY), 8 << 20, NodeFiles.V1_COMPATIBILITY);
      if (v1 != null && layerId != null) {
        Digest strong = ImageConfig.strongId(v1, layerId, n.parent() == null ? null : parentId);
        if (!strong.equals(jsonDigest)) {
          problems.add(
              "its v1Compatibility gives strong ID " + strong + ", not its json's " + jsonDigest);
        }
      }
    } catch (CairnException e) {
      problems.add("its v1Compatibility: " + e.getMessage());
    } catch (IOException e) {
      problems.add("its v1Compatibility cannot be read: " + describe(e));
    }
    return parentId;
  }

  private static Digest digestField(JsonObject obj, String key, List<String> problems) {
    JsonValue v = obj.get(key);
    if (v == null || v instanceof JsonValue.JsonNull) {
      return null;
    }
    if (v instanceof JsonString s && Digest.isValid(s.value())) {
      return Digest.parse(s.value());
    }
    problems.add("its json's " + key + " is no digest");
    return null;
  }

  /** As Docker 1.9 reads it: a file that is there must hold a decimal integer, untrimmed. */
  private static boolean badLayersize(Path nodeDir) throws IOException {
    byte[] b = NodeFiles.readCapped(nodeDir.resolve(NodeFiles.LAYERSIZE), 4096, "layersize");
    if (b == null) {
      return false; // computed when first needed, by Docker and cairn alike
    }
    try {
      Long.parseLong(new String(b, StandardCharsets.UTF_8));
      return false;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /**
   * Rebuilds the layer tar from tar-split and the driver's files, hashing it on the way; each
   * file's CRC is checked by the assembly. Returns the tar's digest, or null when it cannot be
   * rebuilt (a problem is added then, unless the node never had metadata: a Docker 1.8 node).
   */
  private static Digest rebuild(
      Path nodeDir, String id, Driver driver, Digest recorded, List<String> problems) {
    Path meta = nodeDir.resolve(NodeFiles.TAR_DATA);
    if (!Files.exists(meta, LinkOption.NOFOLLOW_LINKS)) {
      if (recorded != null) {
        // cairn records tar-split before it records a DiffID; without it the tar is lost
        problems.add(NodeFiles.TAR_DATA + " is missing: its layer cannot be rebuilt to its DiffID");
      }
      return null;
    }
    DigestingSink sink = new DigestingSink();
    try (InputStream in = Files.newInputStream(meta);
        FileSource files = driver.files(id)) {
      TarSplit.assemble(in, files, sink);
    } catch (CairnException e) {
      problems.add("its layer does not rebuild: " + e.getMessage());
      return null;
    } catch (IOException e) {
      problems.add("its layer does not rebuild: " + describe(e));
      return null;
    }
    Digest rebuilt = sink.digester.digest();
    if (recorded != null && !recorded.equals(rebuilt)) {
      problems.add("its layer rebuilds to " + rebuilt + ", not to its DiffID " + recorded);
    }
    return rebuilt;
  }

  /**
   * Whether {@code id} is {@code start}'s hex or one of its probes, {@code hex(sha256(ascii(id)))}
   * repeated (ARCHITECTURE.md, Reuse and probing).
   */
  static boolean isProbeOf(String id, Digest start) {
    String probe = start.hex();
    for (int i = 0; i <= MAX_PROBES; i++) {
      if (probe.equals(id)) {
        return true;
      }
      probe = Digest.sha256(probe.getBytes(StandardCharsets.US_ASCII)).hex();
    }
    return false;
  }

  static String describe(IOException e) {
    if (e instanceof NoSuchFileException nf) {
      return nf.getFile() + ": no such file";
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  /** Hashes what is written, keeps nothing. */
  private static final class DigestingSink extends OutputStream {
    final Digester digester = Digester.sha256();

    @Override
    public void write(int b) {
      digester.update(new byte[] {(byte) b});
    }

    @Override
    public void write(byte[] b, int off, int len) {
      digester.update(b, off, len);
    }
  }
}
