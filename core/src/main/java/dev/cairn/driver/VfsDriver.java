package dev.cairn.driver;

import dev.cairn.CairnException;
import dev.cairn.archive.ApplyResult;
import dev.cairn.archive.Diff;
import dev.cairn.archive.Layer;
import dev.cairn.archive.LayerFiles;
import dev.cairn.archive.WhiteoutFormat;
import dev.cairn.posix.Posix;
import dev.cairn.tarsplit.FileSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The portable driver: every layer is a directory holding its whole filesystem ({@code
 * ROOT/vfs/dir/<id>}), made as an exact copy of its parent's before its own diff is applied. Costs
 * a full copy per layer; needs nothing from the kernel or the user.
 */
final class VfsDriver implements Driver {
  static final String NAME = "vfs";

  private final Path dir;
  private final Staging staging;
  private final DriverOptions options;
  private final Holds holds = new Holds();

  VfsDriver(Path root, DriverOptions options) throws IOException {
    this.dir = root.resolve(NAME).resolve("dir");
    this.staging = new Staging(dir);
    this.options = options;
    DirectoryModes.createPassage(dir.getParent(), options);
    DirectoryModes.createPassage(dir, options);
  }

  // No cleanUp: a cut-short create or remove of a layer is cleared by its next create or remove
  // (Staging), and the graph removes every layer whose register or delete was cut short.
  private static final Staging.Undo NOTHING_OUTSIDE = (id, tree) -> {}; // a copy is all in its tree

  @Override
  public String name() {
    return NAME;
  }

  private Path layer(String id) {
    return dir.resolve(LayerIds.check(id));
  }

  private Path existing(String id) {
    Path p = layer(id);
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      throw CairnException.notFound("layer " + id + " does not exist in the vfs driver");
    }
    return p;
  }

  @Override
  public void create(String id, String parent) throws IOException {
    Path target = layer(id);
    LayerIds.checkParent(parent);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new CairnException(CairnException.Kind.CONFLICT, "layer " + id + " already exists");
    }
    Path from = parent == null ? null : existing(parent);
    Path tmp = staging.clear(id, NOTHING_OUTSIDE);
    try {
      if (from == null) {
        Files.createDirectory(tmp);
        owned(tmp);
      } else {
        Trees.copy(from, tmp);
      }
      // A half-made copy is never visible under the layer's name.
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try {
        Trees.remove(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** A new base layer's root: 0755, owned by the mapped root. */
  private void owned(Path p) throws IOException {
    byte[] name = Posix.bytes(p.toAbsolutePath().toString());
    if (Posix.geteuid() == 0) {
      Posix.fchownat(
          Posix.AT_FDCWD, name, options.rootUid(), options.rootGid(), Posix.AT_SYMLINK_NOFOLLOW);
    }
    Posix.fchmodat(Posix.AT_FDCWD, name, 0755);
  }

  @Override
  public void remove(String id) throws IOException {
    Path p = layer(id);
    holds.drop(id);
    Path doomed = staging.clear(id, NOTHING_OUTSIDE);
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.move(p, doomed, StandardCopyOption.ATOMIC_MOVE); // gone at once, deleted at leisure
    Trees.remove(doomed);
  }

  @Override
  public boolean exists(String id) {
    return Files.isDirectory(layer(id), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public List<String> layers() throws IOException {
    return Drivers.layerIds(dir);
  }

  @Override
  public List<String> stagingLeftovers() throws IOException {
    return staging.leftovers();
  }

  @Override
  public void removeStagingLeftover(String name) throws IOException {
    staging.remove(name, NOTHING_OUTSIDE);
  }

  @Override
  public Path get(String id) {
    Path p = existing(id);
    holds.acquire(id);
    return p;
  }

  @Override
  public void put(String id) {
    holds.release(LayerIds.check(id));
  }

  @Override
  public ApplyResult applyDiff(String id, String parent, InputStream diff, Layer.TarDriver tar)
      throws IOException {
    LayerIds.checkParent(parent);
    return Layer.apply(diff, existing(id), options.apply().withWhiteouts(WhiteoutFormat.AUFS), tar);
  }

  @Override
  public InputStream diff(String id, String parent) throws IOException {
    Path upper = existing(id);
    Path lower = parent == null ? null : existing(parent);
    return DiffStream.start(
        out -> Diff.write(lower, upper, WhiteoutFormat.AUFS, options.apply(), out), () -> {});
  }

  @Override
  public long diffSize(String id, String parent) throws IOException {
    Path upper = existing(id);
    Path lower = parent == null ? null : existing(parent);
    return Diff.measure(lower, upper, WhiteoutFormat.AUFS).size();
  }

  @Override
  public FileSource files(String id) throws IOException {
    return LayerFiles.open(existing(id)); // by raw name: any name a tar holds
  }

  @Override
  public Map<String, String> status() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("Driver", NAME);
    s.put("Backing Filesystem", Drivers.backingFilesystem(dir));
    s.put("Layers", Long.toString(Drivers.countLayers(dir)));
    return s;
  }

  @Override
  public void close() {}
}
