package dev.cairn.store;

import dev.cairn.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A blob the store holds byte for byte as a registry served it: a layer blob kept by {@code pull
 * --keep-blobs}, or an image config (the top node's {@code json}).
 *
 * @param digest its digest
 * @param size its size in bytes
 * @param path the file that holds it; read it, never write it
 */
public record KeptBlob(Digest digest, long size, Path path) {

  /** The blob's bytes. */
  public InputStream open() throws IOException {
    return Files.newInputStream(path);
  }
}
