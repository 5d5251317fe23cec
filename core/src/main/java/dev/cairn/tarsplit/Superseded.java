package dev.cairn.tarsplit;

import dev.cairn.CairnException;
import dev.cairn.digest.Crc64;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Entries of a layer whose payload is no longer on disk under their name, because a later entry of
 * the same tar replaced or removed the file ({@code tar -r} appends a path again; the later entry
 * wins, as with GNU tar and docker). tar-split reads every payload back by name, so such an entry
 * could not be rebuilt, and tar-split's own reader refuses a path named twice. The handler keeps
 * each replaced file aside, named by its entry's ordinal; here its bytes become raw segments of the
 * metadata in place of the file entry (checked against the entry's size and CRC64), and an earlier
 * entry without payload whose path comes again is dropped (its header is in the segment before it,
 * so the tar comes out the same). The metadata stays tar-split's format, readable by the tool.
 */
final class Superseded {
  private static final int CHUNK = 1 << 20; // raw bytes per segment line, as for tar trailers

  private Superseded() {}

  /**
   * Rewrites {@code metadata} (a synced gzipped file) when entries were {@code superseded} by path
   * or their files kept in {@code replaced}; then removes {@code replaced}.
   */
  static void embed(Path metadata, Set<Long> superseded, Path replaced) throws IOException {
    Map<Long, Path> kept = kept(replaced);
    if (kept.isEmpty() && superseded.isEmpty()) {
      return;
    }
    Path staged = metadata.resolveSibling(metadata.getFileName() + ".embedding");
    try {
      try (InputStream in =
              new GZIPInputStream(
                  new BufferedInputStream(Files.newInputStream(metadata), 64 * 1024));
          FileOutputStream file = new FileOutputStream(staged.toFile())) {
        OutputStream gz = IsalGzip.open(file);
        BufferedOutputStream lines = new BufferedOutputStream(gz, 64 * 1024);
        rewrite(new MetadataReader(in), new MetadataWriter(lines), superseded, kept);
        lines.flush();
        gz.close();
        file.getFD().sync();
      }
      Files.move(
          staged, metadata, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      for (Path p : kept.values()) {
        Files.delete(p);
      }
      Files.deleteIfExists(replaced);
    } finally {
      Files.deleteIfExists(staged);
    }
  }

  private static Map<Long, Path> kept(Path replaced) throws IOException {
    Map<Long, Path> kept = new HashMap<>();
    if (!Files.isDirectory(replaced, LinkOption.NOFOLLOW_LINKS)) {
      return kept;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(replaced)) {
      for (Path f : files) {
        kept.put(Long.parseLong(f.getFileName().toString()), f);
      }
    }
    return kept;
  }

  private static void rewrite(
      MetadataReader reader, MetadataWriter writer, Set<Long> superseded, Map<Long, Path> kept)
      throws IOException {
    long ordinal = 0;
    for (Entry e; (e = reader.next()) != null; ) {
      if (e.type() == Entry.SEGMENT) {
        if (e.payload() != null && e.payload().length > 0) {
          writer.segment(e.payload(), 0, e.payload().length);
        }
        continue;
      }
      long o = ordinal++;
      Path file = kept.get(o);
      if (file != null && e.size() > 0) {
        inline(e, file, writer);
      } else if (!(superseded.contains(o) && e.size() == 0)) {
        writer.file(e.name(), e.size(), e.payload());
      }
    }
  }

  /** The kept file's bytes as segments, checked against the entry it was written from. */
  private static void inline(Entry e, Path file, MetadataWriter writer) throws IOException {
    Crc64 crc = new Crc64();
    byte[] buf = new byte[(int) Math.min(CHUNK, e.size())];
    long left = e.size();
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      while (left > 0) {
        int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, left));
        if (n <= 0) {
          throw differs(e, "it is shorter");
        }
        crc.update(buf, 0, n);
        writer.segment(buf, 0, n);
        left -= n;
      }
      if (in.read() >= 0) {
        throw differs(e, "it is longer");
      }
    }
    if (e.payload() == null || crc.getValue() != ByteBuffer.wrap(e.payload()).getLong()) {
      throw differs(e, "CRC64 mismatch");
    }
  }

  private static CairnException differs(Entry e, String why) {
    return CairnException.invalid(
        "the replaced file of entry " + e.displayName() + " is not what the layer had: " + why);
  }
}
