package dev.cairn.store;

import java.util.List;

/**
 * What {@link Store#prune} did, in the order done.
 *
 * @param removals each untag and delete, as {@link Store#remove} words them; a delete of an image
 *     made of an image config is followed by one of its own layer's ChainID, as docker reports it
 * @param spaceReclaimed the bytes of the layers deleted
 * @param failure what stopped the prune before the end, or null when it went through: the images
 *     not yet reached are as they were, and {@code removals} holds what went before
 */
public record PruneReport(List<Store.Removal> removals, long spaceReclaimed, Exception failure) {
  public PruneReport {
    removals = List.copyOf(removals);
  }
}
