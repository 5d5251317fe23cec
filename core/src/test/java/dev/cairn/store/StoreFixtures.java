package dev.cairn.store;

import dev.cairn.graph.Graph;
import dev.cairn.graph.TagStore;

/**
 * A store's parts, for tests in other packages that set a store up node by node or check it below
 * the library's face.
 */
public final class StoreFixtures {
  private StoreFixtures() {}

  public static Graph graph(Store store) {
    return store.graph();
  }

  public static TagStore tags(Store store) {
    return store.tags();
  }
}
