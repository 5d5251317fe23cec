package dev.cairn.store;

import dev.cairn.image.Reference;
import dev.cairn.testing.TarBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A second process on a store, for the tests of commands that meet across processes: {@code save
 * ROOT DRIVER NAME} saves the image and, holding it, prints {@code holding} at its first byte and
 * waits for its stdin to close before it goes on; {@code mount}/{@code unmount ROOT DRIVER NAME} do
 * what the commands do; {@code import ROOT DRIVER NAME} imports a one-file layer under NAME and
 * prints the image ID; {@code push ROOT DRIVER NAME} pushes it and prints how many layers it
 * uploaded.
 */
final class StoreChild {
  private StoreChild() {}

  public static void main(String[] args) throws Exception {
    try (Store store = Store.open(Path.of(args[1]), StoreOptions.defaults().withDriver(args[2]))) {
      String name = args[3];
      switch (args[0]) {
        case "save" -> store.save(List.of(name), new Held());
        case "mount" -> System.out.println(store.mount(name));
        case "unmount" -> store.unmount(name);
        case "push" ->
            System.out.println(
                store
                    .push(
                        Reference.parse(name),
                        dev.cairn.distribution.PushOptions.defaults(),
                        e -> {})
                    .uploaded());
        case "import" ->
            System.out.println(
                store
                    .importTarball(
                        TarBuilder.tar().file("hello", "hi").stream(), Reference.parse(name), "")
                    .id());
        default -> throw new IllegalArgumentException(args[0]);
      }
    }
  }

  /** Says when the save has begun, then waits for the test to let it finish. */
  private static final class Held extends OutputStream {
    private boolean told;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (!told) {
        told = true;
        System.out.println("holding");
        System.out.flush();
        System.in.transferTo(OutputStream.nullOutputStream()); // until the test closes it
      }
    }
  }

  /** A command line that runs this class in a fresh JVM with the test class path. */
  static List<String> command(String... args) {
    return dev.cairn.testing.Tools.childJvm(StoreChild.class, args);
  }
}
