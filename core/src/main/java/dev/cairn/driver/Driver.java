package dev.cairn.driver;

import dev.cairn.archive.ApplyResult;
import dev.cairn.archive.Layer;
import dev.cairn.tarsplit.FileSource;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A storage driver: keeps one directory tree per layer ID, each layer on top of its parent, as
 * Docker's graphdrivers do. IDs are 64 lowercase hex; {@code parent} is null for a base layer.
 */
public interface Driver extends Closeable {

  /** The driver's name as stored on disk and shown to users ("vfs", "overlay"). */
  String name();

  /** Creates layer {@code id} on top of {@code parent}, holding the parent's filesystem. */
  void create(String id, String parent) throws IOException;

  /** Removes the layer and everything the driver keeps for it; absent layers are not an error. */
  void remove(String id) throws IOException;

  boolean exists(String id);

  /**
   * The ID of every layer the driver keeps, in no order; work it has in progress (a half-made copy)
   * is left out. A check of the store compares them with the graph's nodes.
   */
  List<String> layers() throws IOException;

  /**
   * The names of the staging trees in the layer directory ({@code .tmp-…}): while no one else has
   * the store open, each is what a layer create or remove cut short left.
   */
  List<String> stagingLeftovers() throws IOException;

  /** Removes a staging tree {@link #stagingLeftovers} named, and what it made outside itself. */
  void removeStagingLeftover(String name) throws IOException;

  /**
   * The directory that shows the layer's whole filesystem (its parents' merged in). Each call is
   * matched by one {@link #put}; the driver may mount on the first and unmount on the last.
   */
  Path get(String id) throws IOException;

  /** Releases one {@link #get}. */
  void put(String id) throws IOException;

  /**
   * Like {@link #get}, but the directory outlives this process until {@link #unmount}, as for
   * {@code cairn mount}. A driver whose layers are plain directories has nothing to do.
   */
  default Path mount(String id) throws IOException {
    Path p = get(id);
    put(id);
    return p;
  }

  /** Ends a {@link #mount}; nothing happens when the layer was not mounted. */
  default void unmount(String id) throws IOException {}

  /**
   * Applies a layer tar (any supported compression) to the freshly created layer {@code id},
   * driving the tar through {@code tar} (so tar-split can record it in the same pass). {@code
   * parent} is the layer it goes on; for a layer created as a base to be attached later ({@link
   * #appliesBeforeParent}) it may not exist yet.
   *
   * @throws dev.cairn.archive.ParentNeededException when the layer, applied ahead of its parent,
   *     hard-links a file that only the layers below can hold
   */
  ApplyResult applyDiff(String id, String parent, InputStream diff, Layer.TarDriver tar)
      throws IOException;

  /**
   * Whether a layer can be applied before its parent exists: created as a base ({@code create(id,
   * null)}), applied, then put on its parent by {@link #attach}. True where a layer keeps only its
   * own changes (overlay), false where it starts as a copy of its parent (vfs).
   */
  default boolean appliesBeforeParent() {
    return false;
  }

  /**
   * Puts layer {@code id}, created as a base and applied ({@link #appliesBeforeParent}), on top of
   * {@code parent}, as if it had been created there: its root directory takes the parent's owner
   * and mode unless the layer's tar set them ({@code rootEntry}), and the parent's extended
   * attributes that the layer did not set.
   */
  default void attach(String id, String parent, boolean rootEntry) throws IOException {
    throw new UnsupportedOperationException(name() + " applies a layer only on top of its parent");
  }

  /** The layer's changes against its parent as an uncompressed tar with AUFS whiteouts. */
  InputStream diff(String id, String parent) throws IOException;

  /** The size in bytes of the files the layer changed against its parent. */
  long diffSize(String id, String parent) throws IOException;

  /** The content of the layer's own files by tar name, for byte-exact reassembly. */
  FileSource files(String id) throws IOException;

  /**
   * Removes what work cut short by a process that is gone left behind (half-made copies, mounts
   * nobody holds). Call it only when no other process uses the store: their work in progress looks
   * the same.
   */
  default void cleanUp() throws IOException {}

  /** Facts for {@code cairn info}: backing filesystem, layer count, and the like. */
  Map<String, String> status();
}
