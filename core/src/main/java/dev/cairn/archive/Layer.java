package dev.cairn.archive;

import dev.cairn.digest.Digest;
import dev.cairn.digest.DigestAheadInputStream;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import dev.cairn.tarsplit.EntryHandler;
import dev.cairn.tarsplit.TarSplit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/** Applies layer tars to directories. */
public final class Layer {
  private Layer() {}

  /**
   * Reads an uncompressed tar and hands every entry to a handler, reading the stream to its end.
   * The default is a plain {@link TarReader}; a tar-split disassembler can take its place, so that
   * one pass over the stream both applies the layer and records it.
   */
  @FunctionalInterface
  public interface TarDriver {
    void drive(InputStream tar, EntryHandler handler) throws IOException;

    /**
     * Where the extractor keeps the files that later entries of the layer replace or remove, named
     * by the ordinal of the entry that wrote them, for the driver to use once the tar is read; null
     * (the default) when nothing needs them.
     */
    default Path replacedFiles() {
      return null;
    }
  }

  /** The plain driver: a {@link TarReader} loop. */
  public static final TarDriver READER =
      (tar, handler) -> {
        TarReader reader = new TarReader(tar);
        for (TarEntry e = reader.next(); e != null; e = reader.next()) {
          handler.entry(e, reader.payload());
        }
      };

  /**
   * A driver that also records the tar as tar-split metadata (gzipped JSON lines) to {@code
   * metadata}, in the same pass, so that the layer can be rebuilt byte for byte from the files.
   */
  public static TarDriver recordingTarSplit(OutputStream metadata) {
    return (tar, handler) -> TarSplit.disassemble(tar, metadata, handler);
  }

  /**
   * A driver that records the tar as tar-split metadata to the file {@code metadata} (synced), in
   * the same pass, even for a layer that names a path twice: the files its earlier entries wrote
   * are kept beside {@code metadata} while applying, then their bytes go into the metadata, so that
   * the layer rebuilds byte for byte from the files left on disk.
   */
  public static TarDriver recordingTarSplit(Path metadata) {
    Path replaced = metadata.resolveSibling(metadata.getFileName() + ".replaced");
    return new TarDriver() {
      @Override
      public void drive(InputStream tar, EntryHandler handler) throws IOException {
        TarSplit.disassemble(tar, metadata, handler, replaced);
      }

      @Override
      public Path replacedFiles() {
        return replaced;
      }
    };
  }

  /**
   * Applies a layer blob (gzip, bzip2, xz, zstd or plain tar) on top of {@code root}: AUFS
   * whiteouts honoured, nothing written outside {@code root}, owners shifted through the options'
   * ID maps (set only when running as root). Returns the DiffID with the counts.
   */
  public static ApplyResult apply(InputStream blob, Path root, ApplyOptions options)
      throws IOException {
    return apply(blob, root, options, READER);
  }

  /** {@link #apply(InputStream, Path, ApplyOptions)} with the entries read by {@code driver}. */
  public static ApplyResult apply(
      InputStream blob, Path root, ApplyOptions options, TarDriver driver) throws IOException {
    return apply(blob, root, options, driver, null);
  }

  /**
   * {@link #apply(InputStream, Path, ApplyOptions, TarDriver)} into an overlayfs upper directory
   * over the layers {@code below} (null for none): a hard link to one of their files copies it up
   * first.
   *
   * @throws ParentNeededException when such a link meets {@link LowerView#PENDING}
   */
  public static ApplyResult apply(
      InputStream blob, Path root, ApplyOptions options, TarDriver driver, LowerView below)
      throws IOException {
    // Decompressed on a helper thread (see Decompress), the DiffID hashed on another, chunk by
    // chunk, while this one extracts.
    try (InputStream plain = Decompress.open(blob, options.maxUncompressedBytes());
        DigestAheadInputStream tar = new DigestAheadInputStream(plain, Digest.Algorithm.SHA256);
        Extractor extractor = new Extractor(root, options, below, driver.replacedFiles())) {
      driver.drive(tar, extractor);
      tar.transferTo(OutputStream.nullOutputStream()); // the DiffID covers every byte
      Extractor.ApplyStats stats = extractor.finish();
      long tarSize = tar.size();
      return new ApplyResult(
          tar.digest(),
          tarSize,
          stats.size(),
          stats.entries(),
          stats.whiteouts(),
          stats.skipped(),
          stats.rootEntry());
    }
  }
}
