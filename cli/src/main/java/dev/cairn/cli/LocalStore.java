package dev.cairn.cli;

import dev.cairn.driver.Driver;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.graph.Graph;
import dev.cairn.graph.TagStore;
import java.io.IOException;
import java.nio.file.Path;

/** The store under {@code --root} as the commands use it: its driver, graph and tags. */
record LocalStore(Driver driver, Graph graph, TagStore tags) implements AutoCloseable {

  static LocalStore open(Path root) throws IOException {
    Driver driver = Drivers.open(root, null, DriverOptions.defaults());
    try {
      Graph graph = Graph.open(root, driver);
      try {
        return new LocalStore(driver, graph, TagStore.open(graph));
      } catch (IOException | RuntimeException e) {
        graph.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      driver.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      graph.close();
    } finally {
      driver.close();
    }
  }
}
