package dev.cairn.store;

import dev.cairn.CairnException;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.graph.TagStore;
import dev.cairn.image.Reference;
import dev.cairn.store.Store.Removal;
import java.io.IOException;
import java.util.ArrayList;
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

  List<Removal> remove(String refOrId, boolean force) throws IOException {
    Optional<String> byRef = store.resolveReference(refOrId);
    Image img = store.image(refOrId);
    String id = img.top().id();
    boolean mounted = graph.mounts().count(id) > 0;
    // By name, as docker does: the name goes; the image stays while something else needs it.
    if (byRef.isPresent()) {
      Reference ref = Reference.parse(refOrId);
      boolean otherNames = img.references().size() > 1;
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
        tags.untag(ref);
        return List.of(new Removal("Untagged", ref.familiar()));
      }
    }
    refuse(img, mounted, byRef.isEmpty() && !force);
    List<Removal> done = new ArrayList<>();
    deleteTop(img, done);
    deleteUnused(img.top().parent(), done);
    return done;
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
  private void deleteTop(Image img, List<Removal> done) throws IOException {
    String id = img.top().id();
    List<Reference> untagged = new ArrayList<>();
    try {
      for (Reference r : img.references()) {
        tags.untag(r);
        untagged.add(r);
        done.add(new Removal("Untagged", r.familiar()));
      }
      graph.delete(id); // refuses what another process began to use since the checks
    } catch (IOException | RuntimeException e) {
      for (Reference r : untagged.reversed()) {
        try {
          tags.tag(r, id, true);
        } catch (IOException | RuntimeException undo) {
          e.addSuppressed(undo);
        }
      }
      throw e;
    }
    done.add(new Removal("Deleted", "sha256:" + id));
  }

  /** Deletes down the chain from {@code parent} while nothing names, holds or needs a node. */
  private void deleteUnused(String parent, List<Removal> done) throws IOException {
    Set<String> referenced = new HashSet<>(tags.all().values());
    while (parent != null
        && !referenced.contains(parent)
        && !graph.hasChildren(parent)
        && !graph.isRetained(parent)
        && graph.mounts().count(parent) == 0) {
      Node n = graph.get(parent);
      try {
        graph.delete(n.id());
      } catch (CairnException e) {
        if (e.kind() == CairnException.Kind.CONFLICT) {
          return; // taken into use meanwhile: it stays, as docker keeps a parent in use
        }
        throw e;
      }
      done.add(new Removal("Deleted", "sha256:" + n.id()));
      parent = n.parent();
    }
  }
}
