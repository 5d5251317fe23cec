package dev.cairn.store;

import dev.cairn.CairnException;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.image.EngineConfig;
import dev.cairn.image.EngineImage;
import dev.cairn.image.Reference;
import dev.cairn.store.Store.Removal;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * docker image prune ({@link Store#prune}), with dockerd 20.10's rules: the dangling images (no
 * tag, no image above them), or with {@code all} every image that is named or has no image above
 * it; each removed as {@code rmi} without force would remove it (by every name, sorted, else by
 * ID), so that what is in use stays. An image a running pull, save or load holds is passed over
 * whole; one that is mounted loses only the names docker would take from an image a container uses
 * (all but its last). Refusals are skipped silently, as docker skips images in use; any other
 * failure stops the prune with the images not yet reached as they were.
 */
final class Prune {
  private static final Comparator<Reference> DOCKER_ORDER =
      Comparator.comparing(Reference::toString);

  private final Store store;
  private final Graph graph;
  private final ImageDelete delete;

  Prune(Store store, Graph graph, ImageDelete delete) {
    this.store = store;
    this.graph = graph;
    this.delete = delete;
  }

  PruneReport run(PruneOptions options) throws IOException {
    Map<String, Node> before = graph.map();
    List<Image> candidates = new ArrayList<>();
    for (Image img : store.images(true)) {
      if (chosen(img, options)) {
        candidates.add(img);
      }
    }
    List<Removal> done = new ArrayList<>();
    Exception failure = null;
    for (Image img : candidates) {
      try {
        prune(img, options.all(), done);
      } catch (IOException | RuntimeException e) {
        failure = e;
        break;
      }
    }
    return new PruneReport(done, reclaimed(done, before), failure);
  }

  /**
   * docker's figure: the size of every layer deleted. An image config's node holds its top layer,
   * which is gone only when the delete names that layer's ChainID next (else another image holds
   * the same layer, and docker frees nothing of it).
   */
  private static long reclaimed(List<Removal> done, Map<String, Node> before) {
    long total = 0;
    long topLayer = 0;
    for (Removal r : done) {
      if (!r.action().equals("Deleted")) {
        continue;
      }
      Node gone = before.get(r.what().substring("sha256:".length()));
      if (gone == null) {
        total += topLayer; // the ChainID of the image config deleted just before
        topLayer = 0;
      } else if (gone.imageConfig()) {
        topLayer = Math.max(0, gone.size());
      } else {
        total += Math.max(0, gone.size());
        topLayer = 0;
      }
    }
    return total;
  }

  /** Whether docker's prune takes up the image: by its names, its children, time and labels. */
  private boolean chosen(Image img, PruneOptions options) throws IOException {
    String id = img.top().id();
    boolean tagged = img.references().stream().anyMatch(r -> r.digest() == null);
    boolean top = !graph.hasChildren(id);
    if (options.all() ? img.references().isEmpty() && !top : tagged || !top) {
      return false;
    }
    EngineImage json;
    try {
      json = EngineImage.decode(img.json());
    } catch (CairnException e) {
      throw e.in("image " + id);
    }
    Instant created = json.created().toInstant();
    if (options.until() != null && created.isAfter(options.until())) {
      return false;
    }
    EngineConfig config = json.config();
    if (config != null && !labelsMatch(options, config.labels())) {
      return false; // as dockerd: an image without a config is not filtered by labels
    }
    return !graph.isRetained(id);
  }

  /** docker's matchLabels: every {@code label} matches, and not every {@code label!} does. */
  private static boolean labelsMatch(PruneOptions options, Map<String, String> labels) {
    if (!options.labels().isEmpty() && !allMatch(options.labels(), labels)) {
      return false;
    }
    return options.notLabels().isEmpty() || !allMatch(options.notLabels(), labels);
  }

  private static boolean allMatch(List<String> filters, Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return false;
    }
    for (String f : filters) {
      int eq = f.indexOf('=');
      String key = eq < 0 ? f : f.substring(0, eq);
      String value = labels.get(key);
      if (value == null || eq >= 0 && !value.equals(f.substring(eq + 1))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Removes one image as dockerd's prune does: by each of its references in order when it has any
   * (a dangling image can have digests), else by ID; a refusal (in use, has children) or a name
   * already gone with an earlier one is passed over.
   */
  private void prune(Image img, boolean all, List<Removal> done) throws IOException {
    List<Reference> refs = img.references().stream().sorted(DOCKER_ORDER).toList();
    if (refs.isEmpty()) {
      attempt(img.top().id(), done);
      return;
    }
    for (Reference r : refs) {
      if (all || r.digest() != null) {
        attempt(r.toString(), done);
      }
    }
  }

  private void attempt(String refOrId, List<Removal> done) throws IOException {
    try {
      delete.remove(refOrId, false, false, done);
    } catch (CairnException e) {
      if (e.kind() != CairnException.Kind.CONFLICT && e.kind() != CairnException.Kind.NOT_FOUND) {
        throw e;
      }
    }
  }
}
