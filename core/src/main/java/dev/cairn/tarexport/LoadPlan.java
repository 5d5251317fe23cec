package dev.cairn.tarexport;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.ConfigNodes;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.Reference;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonBool;
import dev.cairn.json.JsonValue.JsonNull;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Which images an archive holds and the node IDs a load gives them (ARCHITECTURE.md, Archives), so
 * that each image loads under the IDs that the tool which wrote the archive shows:
 *
 * <ul>
 *   <li>an archive without {@code manifest.json} (Docker 1.9 and older) holds one node per {@code
 *       <id>/} directory, under that ID;
 *   <li>a {@code manifest.json} entry that cairn's save marked with {@value #LEGACY_IDS} keeps the
 *       IDs of its {@code <id>/} directories: cairn writes the mark for an image whose IDs are not
 *       the ones its config gives (the strong IDs of a schema1 pull, a Docker 1.9 image's IDs,
 *       probed IDs);
 *   <li>any other entry (docker 1.10 and later, podman, skopeo, cairn's save of a schema2 or OCI
 *       image) gets the IDs a pull gives its config (ARCHITECTURE.md, ChainID nodes): ChainIDs
 *       below, the config digest on top, so its layers are shared with pulled images of the same
 *       content. The {@code <id>/} directories docker writes beside it for old loaders are not the
 *       image's IDs and are ignored.
 * </ul>
 *
 * <p>A mark rather than a guess from the directories: no other tool writes it, so docker's archives
 * are never taken for cairn's, and it covers every kind of ID cairn holds, Docker 1.9's included,
 * which nothing in an archive could verify. It grants no archive more than leaving out {@code
 * manifest.json} already does. Docker, podman and skopeo read manifest.json into their own fields
 * and pass over it.
 */
final class LoadPlan {
  /** The key of a manifest.json entry whose {@code <id>/} directories are the image's node IDs. */
  static final String LEGACY_IDS = "CairnLegacyIDs";

  /**
   * The key of a manifest.json entry keeping its IDs that lists every node's layer, base first,
   * when {@code Layers} leaves some out: docker's rootfs has no layer for a schema1 image's
   * throwaway v1 images, and its load wants {@code Layers} to match the config's DiffIDs.
   */
  static final String ALL_LAYERS = "CairnLayers";

  /** The file of a legacy directory that holds the node's v1Compatibility (cairn's save). */
  static final String V1_COMPATIBILITY = "v1Compatibility";

  /**
   * One node to have in the graph.
   *
   * @param diffId the DiffID its layer must have, or null when the archive names none
   * @param source the archive entry holding its layer (links not yet followed), or null for a node
   *     that only the store holds
   * @param v1Compatibility the node's v1Compatibility, or null
   */
  record Planned(
      String id, String parent, byte[] json, Digest diffId, String source, byte[] v1Compatibility) {
    Planned(String id, String parent, byte[] json, Digest diffId, String source) {
      this(id, parent, json, diffId, source, null);
    }
  }

  /** One image: its nodes base first and its tags. */
  record Image(List<Planned> nodes, List<Reference> refs) {
    String top() {
      return nodes.getLast().id();
    }
  }

  /**
   * One manifest.json entry.
   *
   * @param allLayers every node's layer ({@value #ALL_LAYERS}) when the entry keeps its IDs and
   *     {@code layers} leaves some out; else {@code layers}
   */
  record Item(
      String where,
      String config,
      List<String> layers,
      List<Reference> refs,
      boolean legacyIds,
      List<String> allLayers) {}

  private final Graph graph;
  private final Map<String, byte[]> small;
  private final UnaryOperator<String> resolve;

  /**
   * @param small the archive's metadata entries read so far, by clean name
   * @param resolve follows links from an entry name to the regular entry they lead to
   */
  LoadPlan(Graph graph, Map<String, byte[]> small, UnaryOperator<String> resolve) {
    this.graph = graph;
    this.small = small;
    this.resolve = resolve;
  }

  // ------------------------------------------------------------ manifest.json

  /** The entries of {@code manifest.json}. */
  static List<Item> items(byte[] manifest) {
    JsonValue doc = Json.parse(manifest);
    if (!(doc instanceof JsonArray array)) {
      throw CairnException.invalid("manifest.json is not a JSON array");
    }
    List<Item> items = new ArrayList<>();
    for (int k = 0; k < array.items().size(); k++) {
      String where = "manifest.json entry " + k;
      if (!(array.items().get(k) instanceof JsonObject item)) {
        throw CairnException.invalid(where + " is not an object");
      }
      String config = stringField(item, "Config", where);
      if (config == null || config.isEmpty()) {
        throw CairnException.invalid(where + " names no Config");
      }
      List<String> layers = new ArrayList<>();
      for (String l : stringList(item, "Layers", where)) {
        layers.add(ArchiveNames.clean(l));
      }
      List<Reference> refs = ArchiveTags.repoTags(stringList(item, "RepoTags", where), where);
      boolean legacyIds = ArchiveTags.field(item, LEGACY_IDS) instanceof JsonBool b && b.value();
      List<String> allLayers = layers;
      if (legacyIds && ArchiveTags.field(item, ALL_LAYERS) != null) {
        allLayers = new ArrayList<>();
        for (String l : stringList(item, ALL_LAYERS, where)) {
          allLayers.add(ArchiveNames.clean(l));
        }
      }
      items.add(
          new Item(
              where,
              ArchiveNames.clean(config),
              List.copyOf(layers),
              refs,
              legacyIds,
              List.copyOf(allLayers)));
    }
    if (items.isEmpty()) {
      throw CairnException.invalid("manifest.json lists no images");
    }
    return List.copyOf(items);
  }

  /** The image of {@code item}, once the whole archive has been read. */
  Image image(Item item) throws IOException {
    return plan(item, true);
  }

  /**
   * What is known of {@code item}'s nodes while the archive is still being read, base first: none
   * until its config has been read; of an image keeping its IDs, the nodes up to the first whose
   * {@code json} has not been read yet.
   */
  List<Planned> known(Item item) throws IOException {
    Image img = plan(item, false);
    return img == null ? List.of() : img.nodes();
  }

  private Image plan(Item item, boolean whole) throws IOException {
    String where = item.where();
    byte[] configBytes = small.get(resolve.apply(item.config()));
    if (configBytes == null) {
      if (!whole) {
        return null;
      }
      throw CairnException.invalid(
          where + ": config " + CairnException.quote(item.config()) + " is not in the archive");
    }
    ImageConfigFile config;
    try {
      config = ImageConfigFile.parse(configBytes);
    } catch (CairnException e) {
      throw e.in(where + ": config " + CairnException.quote(item.config()));
    }
    List<Digest> diffIds = config.diffIds();
    List<String> listed = item.layers();
    if (diffIds.size() != listed.size() || item.allLayers().isEmpty()) {
      throw CairnException.invalid(
          where
              + ": "
              + listed.size()
              + " layers, but its config lists "
              + diffIds.size()
              + " DiffIDs");
    }
    List<Planned> nodes = new ArrayList<>();
    if (item.legacyIds()) {
      List<String> sources = item.allLayers();
      boolean checkThrowaway = !sources.equals(listed);
      int next = 0; // the next entry of Layers, which lists the nodes that are not throwaway
      String below = null;
      for (int i = 0; i < sources.size(); i++) {
        String dir = ArchiveNames.legacyDir(sources.get(i), "layer.tar");
        if (dir == null) {
          throw CairnException.invalid(
              where
                  + ": layer "
                  + i
                  + " ("
                  + CairnException.quote(sources.get(i))
                  + ") is not an <id>/layer.tar, yet the entry keeps legacy IDs");
        }
        byte[] json = small.get(dir + "/json");
        if (json == null) {
          if (!whole) {
            break;
          }
          throw CairnException.invalid(
              where
                  + ": layer "
                  + i
                  + " ("
                  + CairnException.quote(dir)
                  + ") has no json in the archive");
        }
        boolean inLayers = next < listed.size() && listed.get(next).equals(sources.get(i));
        byte[] v1 = small.get(dir + "/" + V1_COMPATIBILITY);
        Planned p =
            LegacyNodes.node(dir, json, v1, inLayers ? diffIds.get(next) : null, sources.get(i));
        if (inLayers) {
          next++;
        }
        if (checkThrowaway
            && inLayers == LegacyNodes.throwaway(v1 != null ? v1 : json, where + ": layer " + i)) {
          if (!whole) {
            break; // perhaps its v1Compatibility comes later: the whole plan tells
          }
          throw CairnException.invalid(
              where
                  + ": layer "
                  + i
                  + " ("
                  + dir
                  + ") is "
                  + (inLayers
                      ? "a throwaway v1 image, yet Layers lists it"
                      : "not a throwaway v1 image, yet Layers leaves it out")
                  + "; Layers must list exactly the layers that are not throwaway");
        }
        if (!Objects.equals(p.parent(), below)) {
          throw CairnException.invalid(
              where
                  + ": layer "
                  + i
                  + " ("
                  + dir
                  + ") has parent "
                  + (p.parent() == null ? "none" : p.parent())
                  + ", but the layer below it is "
                  + (below == null ? "none" : below));
        }
        if (i == sources.size() - 1 && config.digest().hex().equals(dir)) {
          // A schema2 image whose lower IDs were probed: its top node is its config, as pulled.
          p = new Planned(dir, p.parent(), configBytes, p.diffId(), p.source());
        }
        nodes.add(p);
        below = dir;
      }
      if (whole && next != listed.size()) {
        throw CairnException.invalid(
            where
                + ": Layers lists "
                + CairnException.quote(listed.get(next))
                + ", which is not among the image's nodes in their order ("
                + ALL_LAYERS
                + ")");
      }
    } else {
      List<ConfigNodes.ConfigNode> planned = ConfigNodes.plan(graph, config).nodes();
      for (int i = 0; i < planned.size(); i++) {
        ConfigNodes.ConfigNode n = planned.get(i);
        nodes.add(new Planned(n.id(), n.parent(), n.json(), n.diffId(), listed.get(i)));
      }
    }
    return new Image(List.copyOf(nodes), item.refs());
  }

  // ------------------------------------------------------------ no manifest.json: Docker <= 1.9

  /** Every image of an archive without manifest.json: one per head, and one per tagged node. */
  List<Image> legacyImages() throws IOException {
    Map<String, byte[]> jsons = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : small.entrySet()) {
      String dir = ArchiveNames.legacyDir(e.getKey(), "json");
      if (dir != null) {
        jsons.put(dir, e.getValue());
      }
    }
    if (jsons.isEmpty()) {
      throw CairnException.invalid(
          "the archive holds no images: no manifest.json and no <id>/json entries");
    }
    Map<String, Planned> nodes = new HashMap<>();
    for (Map.Entry<String, byte[]> e : jsons.entrySet()) {
      String dir = e.getKey();
      byte[] v1 = small.get(dir + "/" + V1_COMPATIBILITY);
      nodes.put(dir, LegacyNodes.node(dir, e.getValue(), v1, null, dir + "/layer.tar"));
    }
    // Each node's chain must end in the store or at a base, without loops.
    Map<String, List<Planned>> chains = new LinkedHashMap<>();
    for (String id : jsons.keySet()) {
      List<Planned> chain = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (String cur = id; cur != null && nodes.containsKey(cur); cur = nodes.get(cur).parent()) {
        if (!seen.add(cur)) {
          throw CairnException.invalid("image " + id + ": its parent chain loops at " + cur);
        }
        String parent = nodes.get(cur).parent();
        if (parent != null && !nodes.containsKey(parent) && !graph.exists(parent)) {
          throw CairnException.invalid(
              "image " + cur + ": its parent " + parent + " is neither in the archive nor stored");
        }
        chain.add(nodes.get(cur));
      }
      chains.put(id, chain.reversed());
    }
    Map<String, List<Reference>> refs = new LinkedHashMap<>();
    byte[] repositories = small.get("repositories");
    if (repositories != null) {
      for (Map.Entry<Reference, String> e : ArchiveTags.repositories(repositories).entrySet()) {
        String id = e.getValue();
        if (!jsons.containsKey(id) && !graph.exists(id)) {
          throw CairnException.invalid(
              "repositories: "
                  + e.getKey().familiar()
                  + " names image "
                  + id
                  + ", which is neither in the archive nor stored");
        }
        refs.computeIfAbsent(id, k -> new ArrayList<>()).add(e.getKey());
      }
    }
    Set<String> parentsInArchive = new HashSet<>();
    for (Planned p : nodes.values()) {
      parentsInArchive.add(p.parent());
    }
    Set<String> tops = new LinkedHashSet<>();
    for (String id : jsons.keySet()) {
      if (!parentsInArchive.contains(id)) {
        tops.add(id);
      }
    }
    tops.addAll(refs.keySet());
    List<Image> images = new ArrayList<>();
    for (String top : tops) {
      List<Planned> chain = chains.get(top);
      if (chain == null) { // a tag for a node that is only in the store
        Node n = graph.get(top);
        chain = List.of(new Planned(n.id(), n.parent(), null, null, null));
      }
      images.add(new Image(chain, refs.getOrDefault(top, List.of())));
    }
    return images;
  }

  // ------------------------------------------------------------ Go-style fields

  private static String stringField(JsonObject obj, String key, String where) {
    JsonValue v = ArchiveTags.field(obj, key);
    if (v == null || v instanceof JsonNull) {
      return null;
    }
    if (!(v instanceof JsonString s)) {
      throw CairnException.invalid(where + ": " + key + " is not a string");
    }
    return s.value();
  }

  private static List<String> stringList(JsonObject obj, String key, String where) {
    JsonValue v = ArchiveTags.field(obj, key);
    if (v == null || v instanceof JsonNull) {
      return List.of();
    }
    if (!(v instanceof JsonArray a)) {
      throw CairnException.invalid(where + ": " + key + " is not an array");
    }
    List<String> out = new ArrayList<>(a.items().size());
    for (JsonValue item : a.items()) {
      if (!(item instanceof JsonString s)) {
        throw CairnException.invalid(where + ": " + key + " holds a non-string");
      }
      out.add(s.value());
    }
    return out;
  }
}
