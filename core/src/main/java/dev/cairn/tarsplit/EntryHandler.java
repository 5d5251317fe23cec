package dev.cairn.tarsplit;

import dev.cairn.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;

/** Receives each entry of a tar stream being disassembled, with its payload. */
@FunctionalInterface
public interface EntryHandler {
  /**
   * Called once per entry, in stream order. The payload holds exactly {@link TarEntry#size()} bytes
   * and is valid only during the call; what is left unread is read and checksummed after.
   */
  void entry(TarEntry entry, InputStream payload) throws IOException;
}
