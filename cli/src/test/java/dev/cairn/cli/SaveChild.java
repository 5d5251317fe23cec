package dev.cairn.cli;

import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * A second process saving an image through {@link OutputFile}, for the test that signals it: {@code
 * ROOT IMAGE TARGET} writes the whole archive, prints {@code saved}, then waits on standard input
 * before the rename, so that the signal always finds the partial file complete and in place.
 */
final class SaveChild {
  private SaveChild() {}

  public static void main(String[] args) throws Exception {
    try (Store store = Store.open(Path.of(args[0]), StoreOptions.defaults().withDriver("vfs"))) {
      OutputFile.toFile(
          Path.of(args[2]),
          out -> {
            store.save(List.of(args[1]), out);
            out.flush();
            System.out.println("saved");
            System.out.flush();
            System.in.read();
          });
    }
  }
}
