package dev.cairn.graph;

import java.io.FilterInputStream;
import java.io.InputStream;

/**
 * A layer tar written out in full before it is read: its length is known and the file behind it is
 * already unlinked, so nothing is left behind whatever happens to the reader.
 */
public final class TempLayer extends FilterInputStream {
  private final long size;

  TempLayer(InputStream in, long size) {
    super(in);
    this.size = size;
  }

  /** The tar's length in bytes. */
  public long size() {
    return size;
  }
}
