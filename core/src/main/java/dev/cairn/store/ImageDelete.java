package dev.cairn.store;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.TagStore;
import dev.cairn.image.ChainId;
import dev.cairn.image.Reference;
import dev.cairn.store.Store.Removal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * docker rmi ({@link Store#remove}), with docker's rules: what stays while something needs it, and
 * what is refused. Every check comes before the first change, and a delete refused by the graph
 * (something another process began meanwhile) puts the names back: a refused removal changes
 * nothing.
 */
final class ImageDelete {
  private final Store store;
  private final Graph graph;
  private final TagStore tags;

  ImageDelete(Store store, Graph graph, TagStore tags) {
    this.store = store;
    this.graph = graph;
    this.tags = tags;
  }

  List<Removal> remove(String refOrId, boolean force, boolean noPrune) throws IOException {
    List<Removal> done = new ArrayList<>();
    remove(refOrId, force, noPrune, done);
    return done;
  }

  /**
   * As {@link #remove(String, boolean, boolean)}, adding each step to {@code done} as it is made,
   * so that a caller who goes on past a failure (prune) knows what was removed before it.
   */
  void remove(String refOrId, boolean force, boolean noPrune, List<Removal> done)
      throws IOException {
    Optional<String> byRef = store.resolveReference(refOrId);
    Image img = store.image(refOrId);
    String id = img.top().id();
    boolean mounted = graph.mounts().count(id) > 0;
    // By name, as docker does: the name goes; the image stays while something else needs it.
    List<Reference> names = img.references();
    if (byRef.isPresent()) {
      Reference ref = Reference.parse(refOrId);
      names = going(ref, img.references());
      boolean otherNames = img.references().size() > names.size();
      if (mounted && !otherNames && !force) {
        throw new CairnException(
            CairnException.Kind.CONFLICT,
            "cannot remove "
                + ref.familiar()
                + " without --force: it is the last name of image "
                + id.substring(0, 12)
                + ", which is mounted");
      }
      if (otherNames || mounted || graph.hasChildren(id) || graph.isRetained(id)) {
        untag(names, id, done);
        return;
      }
    }
    refuse(img, mounted, byRef.isEmpty() && !force);
    deleteTop(img, names, done);
    if (!noPrune || img.top().imageConfig()) {
      // below an image config lie its layers, never images of their own: they go regardless
      deleteUnused(img.top().parent(), img.top().imageConfig(), done);
    }
  }

  /**
   * The names that go with {@code ref}, it first: as docker, the last tag of a repository takes the
   * repository's digest references along (a pull by tag recorded one), which would otherwise keep
   * the image.
   */
  private static List<Reference> going(Reference ref, List<Reference> all) {
    List<Reference> out = new ArrayList<>(List.of(ref));
    if (ref.digest() != null
        || all.stream().anyMatch(r -> r.digest() == null && !r.equals(ref) && sameRepo(r, ref))) {
      return out;
    }
    for (Reference r : all) {
      if (r.digest() != null && sameRepo(r, ref)) {
        out.add(r);
      }
    }
    return out;
  }

  private static boolean sameRepo(Reference a, Reference b) {
    return a.name().equals(b.name());
  }

  /** Refuses deleting an image that has children, is mounted or held, or (unforced) is shared. */
  private void refuse(Image img, boolean mounted, boolean unforcedId) throws IOException {
    String id = img.top().id();
    String what = "cannot remove image " + id.substring(0, 12);
    if (graph.hasChildren(id)) {
      throw new CairnException(
          CairnException.Kind.CONFLICT, what + ": it has dependent child images");
    }
    if (mounted) {
      throw new CairnException(
          CairnException.Kind.CONFLICT,
          what + " (cannot be forced): it is mounted; unmount it first");
    }
    if (graph.isRetained(id)) {
      throw new CairnException(
          CairnException.Kind.CONFLICT,
          what + ": it is being used by a running pull, save or load");
    }
    Set<String> repositories = new HashSet<>();
    img.references().forEach(r -> repositories.add(r.name()));
    if (unforcedId && repositories.size() > 1) {
      throw new CairnException(
          CairnException.Kind.CONFLICT,
          what + " without --force: it is referenced in " + repositories.size() + " repositories");
    }
  }

  /** Untags the image and deletes its top node; the names come back if the graph refuses. */
  private void deleteTop(Image img, List<Reference> names, List<Removal> done) throws IOException {
    String id = img.top().id();
    Digest topLayer = topChainId(img);
    List<Reference> untagged = new ArrayList<>();
    try {
      List<Reference> all = new ArrayList<>(names); // the name given first, as docker reports it
      img.references().stream().filter(r -> !all.contains(r)).forEach(all::add);
      for (Reference r : all) {
        tags.untag(r);
        untagged.add(r);
      }
      graph.delete(id); // refuses what another process began to use since the checks
    } catch (IOException | RuntimeException e) {
      restore(untagged, id, e);
      throw e;
    }
    untagged.forEach(r -> done.add(new Removal("Untagged", r.familiar())));
    done.add(new Removal("Deleted", "sha256:" + id));
    if (topLayer != null) {
      done.add(new Removal("Deleted", topLayer.toString()));
    }
  }

  /**
   * The ChainID of an image config's own layer, which docker deletes (and reports) apart from the
   * image, where cairn's top node holds both; null for a Docker 1.9-style image, whose layers have
   * no IDs of their own.
   */
  private Digest topChainId(Image img) throws IOException {
    if (!img.top().imageConfig()) {
      return null;
    }
    List<Digest> diffIds = store.diffIds(img);
    Digest chain = ChainId.of(diffIds).getLast();
    // The layer stays while a layer node of that ChainID holds it, or another image's top does.
    if (graph.exists(chain.hex()) || heldElsewhere(img.top(), diffIds.getLast())) {
      return null;
    }
    return chain;
  }

  /**
   * Whether another node holds the same layer as {@code n} over the same parent: the top of an
   * image with the same layers and another config, or the ChainID node of an image above that one.
   * docker keeps one layer for them, and deletes (and reports) it with the last.
   */
  private boolean heldElsewhere(Node n, Digest diffId) {
    if (diffId == null) {
      return false;
    }
    String parent = n.parent();
    Collection<Node> siblings =
        parent == null
            ? graph.map().values().stream().filter(s -> s.parent() == null).toList()
            : graph.byParent().getOrDefault(parent, List.of());
    for (Node s : siblings) {
      if (!s.id().equals(n.id()) && diffId.equals(s.diffId())) {
        return true;
      }
    }
    return false;
  }

  /** Removes {@code names}, all or none: a failure puts back those already gone. */
  private void untag(List<Reference> names, String id, List<Removal> done) throws IOException {
    List<Reference> untagged = new ArrayList<>();
    try {
      for (Reference r : names) {
        tags.untag(r);
        untagged.add(r);
      }
    } catch (IOException | RuntimeException e) {
      restore(untagged, id, e);
      throw e;
    }
    untagged.forEach(r -> done.add(new Removal("Untagged", r.familiar())));
  }

  private void restore(List<Reference> untagged, String id, Exception e) {
    for (Reference r : untagged.reversed()) {
      try {
        tags.tag(r, id, true);
      } catch (IOException | RuntimeException undo) {
        e.addSuppressed(undo);
      }
    }
  }

  /**
   * Deletes down the chain from {@code parent} while nothing names, holds or needs a node. Below an
   * image config the nodes are layers, and one whose layer another node still holds goes
   * unreported, as docker reports a layer only when its last user goes.
   */
  private void deleteUnused(String parent, boolean layers, List<Removal> done) throws IOException {
    Set<String> referenced = new HashSet<>(tags.all().values());
    while (parent != null
        && !referenced.contains(parent)
        && !graph.hasChildren(parent)
        && !graph.isRetained(parent)
        && graph.mounts().count(parent) == 0) {
      Node n = graph.get(parent);
      boolean report = !layers || !heldElsewhere(n, n.diffId());
      try {
        graph.delete(n.id());
      } catch (CairnException e) {
        if (e.kind() == CairnException.Kind.CONFLICT) {
          return; // taken into use meanwhile: it stays, as docker keeps a parent in use
        }
        throw e;
      }
      if (report) {
        done.add(new Removal("Deleted", "sha256:" + n.id()));
      }
      parent = n.parent();
    }
  }
}
