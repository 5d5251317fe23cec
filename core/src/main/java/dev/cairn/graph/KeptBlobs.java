package dev.cairn.graph;

import dev.cairn.digest.Digest;
import dev.cairn.driver.DirectoryModes;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The original compressed layer blobs a pull kept ({@code pull --keep-blobs}): {@code
 * ROOT/blobs/sha256/<hex>}, one file per digest however many nodes use it. A blob is kept for a
 * node whose layer digest ({@code checksum}) it is, and goes with the last such node (under the
 * commit lock, so that a pull keeping it for a new node and a delete of the last old one cannot
 * cross). Files are written in {@code graph/_tmp} (same file system; cleared with the other
 * leftovers), hashed as they are written, and renamed in once their node is committed.
 */
public final class KeptBlobs {
  static final String DIR = "blobs";
  private static final String TEMP_PREFIX = "blob-";

  private final Graph graph;
  private final Path dir;

  KeptBlobs(Graph graph) {
    this.graph = graph;
    this.dir = graph.root().resolve(DIR).resolve("sha256");
  }

  /** The file of blob {@code digest}, when kept. */
  public Optional<Path> path(Digest digest) {
    if (digest.algorithm() != Digest.Algorithm.SHA256) {
      return Optional.empty();
    }
    Path p = dir.resolve(digest.hex());
    return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Optional.of(p) : Optional.empty();
  }

  /** A new empty file to write a blob into before {@link #keep}. */
  public Path temp() throws IOException {
    return Files.createTempFile(graph.tempDirectory(), TEMP_PREFIX, ".part");
  }

  /**
   * Moves {@code temp}, whose bytes were verified to hash to {@code digest}, in as the kept blob of
   * node {@code id}; it is dropped instead when the node is gone or its layer digest is another, or
   * when the blob is already kept.
   *
   * @return whether the blob is kept now
   */
  public boolean keep(String id, Digest digest, Path temp) throws IOException {
    if (digest.algorithm() != Digest.Algorithm.SHA256) {
      Files.deleteIfExists(temp);
      return false;
    }
    try (RootLock.Held c = graph.lock().lockCommit()) {
      graph.syncIfChanged();
      Optional<Node> n = graph.node(id);
      if (n.isEmpty() || !digest.equals(n.get().layerDigest())) {
        Files.deleteIfExists(temp);
        return false;
      }
      if (path(digest).isPresent()) {
        Files.deleteIfExists(temp);
        return true;
      }
      DirectoryModes.createPrivate(dir.getParent());
      DirectoryModes.createPrivate(dir);
      try (var ch =
          java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(temp, dir.resolve(digest.hex()), StandardCopyOption.ATOMIC_MOVE);
      NodeFiles.syncDir(dir);
      return true;
    }
  }

  /**
   * Removes blob {@code digest} unless a node still has it as its layer digest. Called under the
   * commit lock, after a node with that digest went.
   */
  void dropUnused(Digest digest) throws IOException {
    if (digest == null || path(digest).isEmpty()) {
      return;
    }
    for (Node n : graph.map().values()) {
      if (digest.equals(n.layerDigest())) {
        return;
      }
    }
    Files.deleteIfExists(dir.resolve(digest.hex()));
  }

  /** Every kept blob's digest and file, in no order; names that are no sha256 hex are skipped. */
  public List<Digest> list() throws IOException {
    List<Digest> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        if (Graph.isId(name)) {
          out.add(Digest.sha256Hex(name));
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return out;
  }

  /** The files under {@code blobs/sha256/} whose names are no digest: never made by cairn. */
  List<Path> strays() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (!Graph.isId(p.getFileName().toString())) {
          out.add(p);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return out;
  }

  /** Bytes the kept blobs take. */
  public long size() throws IOException {
    long total = 0;
    for (Digest d : list()) {
      try {
        total += Files.size(dir.resolve(d.hex()));
      } catch (NoSuchFileException e) {
        // removed meanwhile
      }
    }
    return total;
  }

  /**
   * Removes a kept blob (fsck --repair: an orphan or one whose bytes no longer hash to its name).
   */
  void remove(Digest digest) throws IOException {
    try (RootLock.Held c = graph.lock().lockCommit()) {
      Files.deleteIfExists(dir.resolve(digest.hex()));
    }
  }

  static boolean isTemp(String name) {
    return name.startsWith(TEMP_PREFIX);
  }
}
