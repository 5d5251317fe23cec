package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.archive.ApplyResult;
import dev.cairn.archive.Layer;
import dev.cairn.image.EngineImage;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One node on its way into the graph: staged, then committed by a rename (ARCHITECTURE.md, The
 * commit recipe). Use it on one thread, and close it.
 *
 * <p>What exists at each step, what a crash there leaves, and who removes it:
 *
 * <ol>
 *   <li>{@link #prepare}: the parent is held (or, applied ahead of it, not yet), the ID locked, and
 *       {@code graph/_tmp/<id>.<random>} created and its directory entry forced. A crash leaves the
 *       empty staging directory; the next open that has the store to itself removes it.
 *   <li>The files are written into the staging directory, each forced, and the layer applied
 *       through the driver as {@code <driver>/<id>}. A crash leaves the staging directory and a
 *       driver layer with no {@code graph/<id>}: the next lone open removes both (the staging name
 *       begins with the ID, which is how it finds the layer). A failure removes them at once.
 *   <li>{@link #commit}: the layer's files are forced ({@code syncfs}), then {@code diffid} and
 *       {@code layersize} written and forced, and the staging directory forced; a crash is as in
 *       step 2. Then, under the commit lock, the change counter is bumped, the staging directory
 *       renamed to {@code graph/<id>} (an existing ID is a CONFLICT, and the staging is removed as
 *       in step 2), {@code graph/} forced, and the graph index appended. A crash between the bump
 *       and the append leaves an index whose counter is behind: its next reader brings it in line
 *       with {@code graph/}. After the rename the node is visible and complete.
 * </ol>
 *
 * <p>Closing before the commit removes the staging directory and the driver layer; nothing of the
 * node remains.
 */
final class NodeCommit implements AutoCloseable {
  private final Graph graph;
  private final NodeSpec spec;
  private final Instant created;
  private final boolean detached; // applied as a base, to go on top of its parent at commit
  private final String what; // what a failure happened in, or null
  private final Path stage;
  private final Path target;
  private final boolean imageConfig; // the JSON holds rootfs (Node#imageConfig)
  private final NodeFacts facts; // what the graph index keeps of the JSON
  private final List<AutoCloseable> held = new ArrayList<>(); // released last first
  private boolean started; // the stage directory exists: from here a failure cleans up
  private ApplyResult applied;
  private boolean committed;

  private NodeCommit(
      Graph graph,
      NodeSpec spec,
      Instant created,
      boolean imageConfig,
      NodeFacts facts,
      boolean detached,
      String what) {
    this.graph = graph;
    this.spec = spec;
    this.created = created;
    this.imageConfig = imageConfig;
    this.facts = facts;
    this.detached = detached;
    this.what = what;
    this.stage = graph.tempDirectory().resolve(spec.id() + "." + Graph.random());
    this.target = graph.dir().resolve(spec.id());
  }

  /**
   * Stages {@code spec}: its files and its layer, applied through the driver. On any failure
   * nothing of it remains.
   */
  static NodeCommit prepare(
      Graph graph, NodeSpec spec, InputStream layer, boolean detached, String what)
      throws IOException {
    String id = spec.id();
    byte[] json = spec.json();
    String jsonParent;
    Instant created;
    boolean imageConfig;
    try {
      JsonObject obj = Json.parseObject(json, "json");
      jsonParent = NodeFiles.jsonParent(obj);
      created = NodeFiles.created(obj);
      imageConfig = EngineImage.hasRootFs(obj);
    } catch (CairnException e) {
      throw what == null ? e : e.in(what);
    }
    NodeFacts facts = NodeFacts.of(json, spec.v1Compatibility());
    NodeCommit staged = new NodeCommit(graph, spec, created, imageConfig, facts, detached, what);
    try {
      // The parent is held (not locked) so that ID locks never nest; a node applied ahead of its
      // parent takes the hold at commit, holding its own ID lock (nothing takes a child's ID lock
      // while it holds the parent's).
      if (spec.parent() != null && !detached) {
        staged.held.add(graph.parentHold(spec));
      }
      staged.held.add(graph.lock().lockId(id));
      if (graph.exists(id)) {
        throw new CairnException(CairnException.Kind.CONFLICT, "image " + id + " already exists");
      }
      if (Files.exists(staged.target, LinkOption.NOFOLLOW_LINKS)) {
        graph.refresh(); // committed by another process, or corrupt
        if (graph.exists(id)) {
          throw new CairnException(CairnException.Kind.CONFLICT, "image " + id + " already exists");
        }
        graph.removeCorrupt(id);
      }
      Files.createDirectory(staged.stage);
      staged.started = true;
      // An interrupt fails this sync (an interruptible channel): inside the try, so the stage goes.
      NodeFiles.syncDir(graph.tempDirectory()); // the staging name marks the driver layer as ours
      staged.applied = staged.apply(json, jsonParent, layer);
      return staged;
    } catch (IOException | RuntimeException | Error e) {
      try {
        staged.close();
      } catch (IOException | RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      if (e instanceof CairnException c && what != null) {
        throw c.in(what);
      }
      throw e;
    }
  }

  private ApplyResult apply(byte[] json, String jsonParent, InputStream layer) throws IOException {
    String id = spec.id();
    NodeFiles.writeSynced(stage.resolve(NodeFiles.JSON), json);
    if (spec.unfinished()) {
      Unfinished.mark(stage);
    }
    if (spec.v1Compatibility() != null) {
      NodeFiles.writeSynced(stage.resolve(NodeFiles.V1_COMPATIBILITY), spec.v1Compatibility());
    }
    if (spec.layerDigest() != null) {
      NodeFiles.writeSynced(stage.resolve(NodeFiles.CHECKSUM), Graph.ascii(spec.layerDigest()));
    }
    if (!Objects.equals(spec.parent(), jsonParent)) {
      // The spec decides; an empty file says "no parent" for a base whose JSON names one.
      String parent = spec.parent() == null ? "" : spec.parent();
      NodeFiles.writeSynced(
          stage.resolve(NodeFiles.PARENT), parent.getBytes(StandardCharsets.US_ASCII));
    }
    var driver = graph.driver();
    if (driver.exists(id)) {
      driver.remove(id); // left by a register that died before its commit
    }
    String below = detached ? null : spec.parent();
    driver.create(id, below);
    ApplyResult result =
        driver.applyDiff(
            id, spec.parent(), layer, Layer.recordingTarSplit(stage.resolve(NodeFiles.TAR_DATA)));
    if (spec.diffId() != null && !spec.diffId().equals(result.diffId())) {
      throw CairnException.invalid(
          "the layer's DiffID is " + result.diffId() + ", not the expected " + spec.diffId());
    }
    return result;
  }

  /**
   * Registers the node. When it was applied ahead of its parent, the parent must exist now.
   *
   * @throws CairnException NOT_FOUND when the parent does not exist, CONFLICT when the ID does
   */
  Node commit() throws IOException {
    String id = spec.id();
    if (committed) {
      throw new IllegalStateException("image " + id + ": already committed");
    }
    Node n =
        new Node(
            id,
            spec.parent(),
            created,
            applied.size(),
            applied.diffId(),
            spec.layerDigest(),
            imageConfig);
    try {
      if (detached) {
        held.add(graph.parentHold(spec));
        graph.driver().attach(id, spec.parent(), applied.rootEntry());
      }
      // The layer's files are part of what the rename commits: one syncfs forces them all to disk.
      dev.cairn.posix.Posix.syncfs(stage.toAbsolutePath().toString());
      NodeFiles.writeSynced(stage.resolve(NodeFiles.DIFFID), Graph.ascii(applied.diffId()));
      NodeFiles.writeSynced(
          stage.resolve(NodeFiles.LAYERSIZE),
          Long.toString(applied.size()).getBytes(StandardCharsets.US_ASCII));
      NodeFiles.syncDir(stage);
      graph.commitRename(
          stage,
          target,
          new IndexFile.Entry(n, spec.unfinished(), facts),
          () -> {
            committed = true;
          });
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      CairnException c =
          new CairnException(CairnException.Kind.CONFLICT, "image " + id + " already exists");
      throw what == null ? c : c.in(what);
    } catch (CairnException e) {
      throw what == null ? e : e.in(what);
    }
    return n;
  }

  /** Discards the node unless it was committed, and releases what it held. */
  @Override
  public void close() throws IOException {
    IOException failure = null;
    if (!committed) {
      try {
        discard();
      } catch (IOException e) {
        failure = e;
      }
    }
    for (AutoCloseable c : held.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e instanceof IOException io ? io : new IOException(e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    held.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private void discard() throws IOException {
    if (!started) {
      return;
    }
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) { // else committed by the move
      graph.driver().remove(spec.id());
    }
    NodeFiles.deleteTree(stage);
  }
}
