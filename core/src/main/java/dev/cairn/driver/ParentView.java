package dev.cairn.driver;

import dev.cairn.archive.LowerView;
import java.io.IOException;
import java.nio.file.Path;

/** A layer's parent seen whole, held (mounted) only once a hard link of the layer needs it. */
final class ParentView implements LowerView, AutoCloseable {
  private final Driver driver;
  private final String parent;
  private boolean held;

  ParentView(Driver driver, String parent) {
    this.driver = driver;
    this.parent = parent;
  }

  @Override
  public Path open() throws IOException {
    Path p = driver.get(parent);
    held = true;
    return p;
  }

  @Override
  public void close() throws IOException {
    if (held) {
      held = false;
      driver.put(parent);
    }
  }
}
