package dev.cairn.archive;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The layers below a layer that is applied on its own (an overlayfs upper directory), seen merged,
 * where a hard link of the layer may find its target. A driver whose layer starts as a copy of its
 * parent (vfs) needs none: the targets are already there.
 */
@FunctionalInterface
public interface LowerView {
  /**
   * The merged tree of the layers below, read only; asked for at most once per apply, when a hard
   * link's target is not in the layer itself.
   */
  Path open() throws IOException;

  /**
   * The layers below exist but are not in place yet (the layer is applied ahead of its parent): a
   * hard link to a name the layer does not hold fails with {@link ParentNeededException}.
   */
  LowerView PENDING =
      () -> {
        throw new IllegalStateException("the layers below are not in place yet");
      };
}
