package dev.cairn.distribution;

import dev.cairn.image.Reference;
import java.io.IOException;

/** Where a pull records the reference it pulled (the store's tags). */
public interface Tags {
  /**
   * Points {@code reference} (a tag, or {@code name@digest}) at graph node {@code id}. With {@code
   * move} false a name that already names another node keeps naming it: docker keeps the image a
   * repository digest first named (an index pulled for two platforms names the first one).
   *
   * @return whether the reference names the node now and did not before (docker's "Downloaded newer
   *     image" rather than "Image is up to date")
   */
  boolean tag(Reference reference, String id, boolean move) throws IOException;
}
