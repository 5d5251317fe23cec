package dev.cairn.distribution;

import dev.cairn.image.Reference;
import java.io.IOException;

/** Where a pull records the reference it pulled (the store's tags). */
public interface Tags {
  /** Points {@code reference} (a tag, or {@code name@digest}) at graph node {@code id}. */
  void tag(Reference reference, String id) throws IOException;
}
