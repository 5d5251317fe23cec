package dev.cairn.archive;

import java.io.IOException;

/**
 * A layer applied ahead of its parent hard-links a name that only the layers below it can hold: it
 * must be applied again once they are in place. Nothing of the attempt is kept.
 */
public final class ParentNeededException extends IOException {
  private static final long serialVersionUID = 1L;

  public ParentNeededException(String message) {
    super(message);
  }
}
