package dev.cairn.distribution;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.image.ChainId;
import dev.cairn.image.Descriptor;
import dev.cairn.image.GoTime;
import dev.cairn.image.ImageConfig;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.ImageManifest;
import dev.cairn.image.Schema1Image;
import dev.cairn.image.Schema1Manifest;
import dev.cairn.json.GoJsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Chooses the graph ID of every node of an image, reusing what the store already holds when it
 * verifies (ARCHITECTURE.md: Strong IDs, ChainID nodes, Reuse and probing). Callers hold the
 * store-wide pull lock.
 */
final class Plans {
  /** Far beyond any real collision chain; a longer one means a corrupt or hostile store. */
  private static final int MAX_PROBES = 64;

  private Plans() {}

  /** Checks that an existing node is the one the pull would register as node {@code i}. */
  @FunctionalInterface
  interface Check {
    boolean verify(String id, int i, String parent) throws IOException;
  }

  /**
   * ARCHITECTURE.md, Reuse and probing: starting at {@code id}, replace it by {@code
   * hex(sha256(ascii(id)))} until it is absent from the graph or present and verifying.
   */
  static String probe(Graph graph, String id, int i, String parent, Check check)
      throws IOException {
    for (int n = 0; n < MAX_PROBES; n++) {
      if (!graph.exists(id) || check.verify(id, i, parent)) {
        return id;
      }
      id = next(id);
    }
    throw CairnException.invalid(
        "image " + id + ": more than " + MAX_PROBES + " colliding IDs in the store");
  }

  static String next(String id) {
    return Digest.sha256(id.getBytes(StandardCharsets.US_ASCII)).hex();
  }

  // ------------------------------------------------ schema1 (ARCHITECTURE.md, Strong IDs)

  /** The nodes chosen, base first, and the check that vouches for an existing node. */
  record Plan(List<NodePlan> nodes, Check check) {
    /** Re-verifies node {@code p} against the store as it is now. */
    boolean recheck(NodePlan p) throws IOException {
      return check.verify(p.id(), p.index(), p.parent());
    }
  }

  static Plan schema1(Graph graph, Schema1Manifest manifest) throws IOException {
    List<Schema1Image> images = manifest.images();
    List<Digest> strong = manifest.strongIds();
    Check check = (id, i, parent) -> verifySchema1(graph, id, parent, images.get(i), strong, i);
    List<NodePlan> out = new ArrayList<>(images.size());
    boolean reuse = true;
    String below = null;
    for (int i = 0; i < images.size(); i++) {
      Schema1Image img = images.get(i);
      String strongHex = strong.get(i).hex();
      String chosen;
      if (reuse && graph.exists(strongHex)) {
        if (check.verify(strongHex, i, below)) {
          chosen = strongHex;
        } else {
          reuse = false;
          chosen = probe(graph, next(strongHex), i, below, check);
        }
      } else if (reuse && graph.exists(img.id()) && check.verify(img.id(), i, below)) {
        chosen = img.id();
      } else {
        reuse = false;
        chosen = probe(graph, strongHex, i, below, check);
      }
      byte[] json =
          ImageConfig.of(img.v1Compatibility(), img.blobSum(), i == 0 ? null : strong.get(i - 1));
      out.add(
          new NodePlan(
              i,
              chosen,
              below,
              json,
              img.v1Compatibility(),
              img.blobSum(),
              -1,
              null,
              graph.exists(chosen)));
      below = chosen;
    }
    return new Plan(List.copyOf(out), check);
  }

  /**
   * The schema1 check of reuse: the node has a layer digest, its parent is the ID chosen below, and
   * its stored v1Compatibility (a Docker 1.8 node: its json) with that digest hashes to the strong
   * ID this image has.
   */
  private static boolean verifySchema1(
      Graph graph, String id, String parent, Schema1Image img, List<Digest> strong, int i)
      throws IOException {
    Node n = graph.node(id).orElse(null);
    if (n == null || n.layerDigest() == null || !Objects.equals(n.parent(), parent)) {
      return false;
    }
    try {
      byte[] v1 = graph.v1Compatibility(id).orElse(null);
      if (v1 == null) {
        v1 = graph.rawJSON(id);
      }
      Digest d = ImageConfig.strongId(v1, n.layerDigest(), i == 0 ? null : strong.get(i - 1));
      return d.equals(strong.get(i));
    } catch (CairnException e) {
      return false; // unreadable metadata cannot vouch for the node
    }
  }

  // ------------------------------------- schema2 / OCI (ARCHITECTURE.md, ChainID nodes)

  static Plan schema2(Graph graph, ImageManifest manifest, ImageConfigFile config)
      throws IOException {
    return schema2(graph, manifest.config().digest(), config, manifest.layers());
  }

  /**
   * The ChainID nodes of an image known by its config; {@code layers} gives each node's blob, or is
   * null when there are no blobs (a load from an archive).
   */
  static Plan schema2(
      Graph graph, Digest configDigest, ImageConfigFile config, List<Descriptor> layers)
      throws IOException {
    List<Digest> diffIds = config.diffIds();
    List<Digest> chain = ChainId.of(diffIds);
    int top = diffIds.size() - 1;
    Check check =
        (id, i, parent) -> {
          Node n = graph.node(id).orElse(null);
          if (n == null || !Objects.equals(n.parent(), parent)) {
            return false;
          }
          try {
            Digest diffId = n.diffId() != null ? n.diffId() : graph.diffId(id);
            if (!diffId.equals(diffIds.get(i))) {
              return false;
            }
            return i < top || Digest.sha256(graph.rawJSON(id)).equals(configDigest);
          } catch (CairnException e) {
            return false;
          }
        };
    List<NodePlan> out = new ArrayList<>(diffIds.size());
    String below = null;
    for (int i = 0; i <= top; i++) {
      String start = i < top ? chain.get(i).hex() : configDigest.hex();
      String chosen = probe(graph, start, i, below, check);
      Descriptor layer = layers == null ? null : layers.get(i);
      byte[] json =
          i < top ? intermediateJson(chosen, below, config.layerCreated(i)) : config.bytes();
      out.add(
          new NodePlan(
              i,
              chosen,
              below,
              json,
              null,
              layer == null ? null : layer.digest(),
              layer == null ? -1 : layer.size(),
              diffIds.get(i),
              graph.exists(chosen)));
      below = chosen;
    }
    return new Plan(List.copyOf(out), check);
  }

  /** A small v1-style JSON for a node below the top. */
  static byte[] intermediateJson(String id, String parent, GoTime created) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("id").string(id);
    if (parent != null) {
      w.punct(',').name("parent").string(parent);
    }
    if (created != null) {
      w.punct(',').name("created").string(created.format());
    }
    return w.punct('}').toByteArray();
  }

  /** The node IDs of a plan, base first. */
  static List<String> ids(List<NodePlan> plan) {
    return plan.stream().map(NodePlan::id).toList();
  }
}
