package dev.cairn.registry;

import dev.cairn.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The bytes of a blob to upload, opened again for each attempt so that an upload broken off can
 * start over with a new session.
 */
public interface BlobSource {
  /** A fresh stream over the whole blob. */
  InputStream open() throws IOException;

  /** The digest when known before the bytes are read; else it is computed while they stream. */
  default Optional<Digest> digest() {
    return Optional.empty();
  }

  /** The file the bytes are, when they are one (an upload may then hand it to the kernel). */
  default Optional<Path> file() {
    return Optional.empty();
  }

  /** A file whose bytes are known to have {@code digest}, such as a blob a pull kept. */
  static BlobSource of(Path file, Digest digest) {
    return new BlobSource() {
      @Override
      public Optional<Path> file() {
        return Optional.of(file);
      }

      @Override
      public InputStream open() throws IOException {
        return Files.newInputStream(file);
      }

      @Override
      public Optional<Digest> digest() {
        return Optional.of(digest);
      }
    };
  }

  static BlobSource of(byte[] bytes) {
    Digest d = Digest.sha256(bytes);
    return new BlobSource() {
      @Override
      public InputStream open() {
        return new java.io.ByteArrayInputStream(bytes);
      }

      @Override
      public Optional<Digest> digest() {
        return Optional.of(d);
      }
    };
  }
}
