package dev.cairn.tarsplit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

/** Where assembly finds the content of the files named in tar-split metadata. */
@FunctionalInterface
public interface FileSource extends java.io.Closeable {
  /**
   * Opens the file named {@code name} (the raw bytes of the tar entry's name) for reading, front to
   * back; its {@code size()} is the file's size. A {@link FileChannel} lets assembly copy large
   * files in the kernel.
   *
   * @throws java.nio.file.NoSuchFileException when there is no such file
   */
  SeekableByteChannel open(byte[] name) throws IOException;

  /**
   * The files of an extracted layer under {@code root}. Names are resolved inside the root: a
   * leading {@code /} and {@code ..} stop at the root, and symbolic links met on the way are
   * followed as if the root were {@code /}, so nothing outside the root is ever read. Names must be
   * UTF-8 (they become Java paths); {@code dev.cairn.archive.LayerFiles} opens any name.
   */
  /** Releases what the source holds open; nothing by default. */
  @Override
  default void close() throws IOException {}

  static FileSource directory(Path root) {
    return new DirectorySource(root);
  }
}
