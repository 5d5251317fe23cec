package dev.cairn.bench;

import java.nio.file.Path;

/** {@code Generate DIR}: writes the benchmark layers (big-file.tar, small-files.tar) into DIR. */
public final class Generate {
  private Generate() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    System.out.println(SampleLayers.bigFile(dir));
    System.out.println(SampleLayers.smallFiles(dir));
  }
}
