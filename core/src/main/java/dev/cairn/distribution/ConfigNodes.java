package dev.cairn.distribution;

import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.image.ImageConfigFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The graph nodes of an image known only by its config, with the IDs a pull would give them
 * (ARCHITECTURE.md, ChainID nodes: ChainIDs below the top, the config digest on top, probing past
 * nodes that do not verify). For callers outside a pull that register such images, such as a load
 * from an archive.
 */
public final class ConfigNodes {
  private final Plans.Plan plan;

  private ConfigNodes(Plans.Plan plan) {
    this.plan = plan;
  }

  /**
   * One node, base first.
   *
   * @param id the node ID chosen (ChainID, config digest or a probed ID), 64 hex
   * @param parent the ID chosen for the node below, or null for the base
   * @param json the node's image JSON: the config itself on top, a small v1-style object below
   * @param diffId the DiffID its layer must have
   * @param exists whether the graph already holds the node and it verified
   */
  public record ConfigNode(String id, String parent, byte[] json, Digest diffId, boolean exists) {
    public ConfigNode {
      json = json.clone();
    }

    @Override
    public byte[] json() {
      return json.clone();
    }
  }

  /** Chooses the IDs for {@code config}'s layers against what {@code graph} holds now. */
  public static ConfigNodes plan(Graph graph, ImageConfigFile config) throws IOException {
    return new ConfigNodes(Plans.schema2(graph, config.digest(), config, null));
  }

  /** The nodes, base first. */
  public List<ConfigNode> nodes() {
    List<ConfigNode> out = new ArrayList<>(plan.nodes().size());
    for (NodePlan p : plan.nodes()) {
      out.add(new ConfigNode(p.id(), p.parent(), p.json(), p.diffId(), p.exists()));
    }
    return List.copyOf(out);
  }

  /**
   * Whether node {@code i} as it is in the graph now is the one the plan wants; for a node that
   * appeared after planning (another process registered it).
   */
  public boolean verify(int i) throws IOException {
    return plan.recheck(plan.nodes().get(i));
  }
}
