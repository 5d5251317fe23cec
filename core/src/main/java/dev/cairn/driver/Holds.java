package dev.cairn.driver;

import dev.cairn.CairnException;
import java.util.HashMap;
import java.util.Map;

/** How many {@code get}s of each layer are not yet matched by a {@code put}. */
final class Holds {
  private final Map<String, Integer> counts = new HashMap<>();

  /** Counts one more hold; true when it is the first. */
  synchronized boolean acquire(String id) {
    return counts.merge(id, 1, Integer::sum) == 1;
  }

  /** Counts one hold less; true when it was the last. */
  synchronized boolean release(String id) {
    Integer n = counts.get(id);
    if (n == null) {
      throw new CairnException(
          CairnException.Kind.CONFLICT, "layer " + id + " is released more often than it was got");
    }
    if (n == 1) {
      counts.remove(id);
      return true;
    }
    counts.put(id, n - 1);
    return false;
  }

  synchronized boolean held(String id) {
    return counts.containsKey(id);
  }

  /** Forgets a layer's holds (it is being removed); true when it had any. */
  synchronized boolean drop(String id) {
    return counts.remove(id) != null;
  }

  synchronized int size() {
    return counts.size();
  }
}
