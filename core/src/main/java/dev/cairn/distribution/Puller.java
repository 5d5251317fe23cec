package dev.cairn.distribution;

import dev.cairn.CairnException;
import dev.cairn.archive.ParentNeededException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.ProgressEvent.AlreadyExists;
import dev.cairn.distribution.ProgressEvent.Done;
import dev.cairn.distribution.ProgressEvent.Downloaded;
import dev.cairn.distribution.ProgressEvent.Downloading;
import dev.cairn.distribution.ProgressEvent.Extracting;
import dev.cairn.distribution.ProgressEvent.Queued;
import dev.cairn.distribution.ProgressEvent.Retrying;
import dev.cairn.distribution.ProgressEvent.Verifying;
import dev.cairn.distribution.ProgressEvent.Waiting;
import dev.cairn.graph.Graph;
import dev.cairn.graph.KnownBlob;
import dev.cairn.graph.NodeSpec;
import dev.cairn.graph.PulledManifest;
import dev.cairn.image.Descriptor;
import dev.cairn.image.ImageConfigFile;
import dev.cairn.image.ImageIndex;
import dev.cairn.image.ImageManifest;
import dev.cairn.image.MediaType;
import dev.cairn.image.Platform;
import dev.cairn.image.Reference;
import dev.cairn.image.Schema1Manifest;
import dev.cairn.registry.FetchedManifest;
import dev.cairn.registry.RegistriesConf;
import dev.cairn.registry.Registry;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Pulls images from registries into a {@link Graph}: resolves the reference to a manifest (picking
 * the platform from a list or index), chooses every node's ID with reuse of what the store holds
 * (ARCHITECTURE.md, Reuse and probing), downloads the missing layers concurrently while unpacking
 * them in order, and records the reference. Thread-safe: pulls may run concurrently, in this
 * process and others; a node two of them need is fetched once.
 *
 * <pre>{@code
 * try (Puller puller = new Puller(graph, tags, host -> Registry.open(host, options))) {
 *   PullResult r = puller.pull(Reference.parse("alpine:3.20"), PullOptions.defaults(), listener);
 * }
 * }</pre>
 */
public final class Puller implements AutoCloseable {
  private final Graph graph;
  private final Tags tags;
  private final RegistryFactory factory;
  private final PullLocks locks;
  private final Path tmp;
  private final RegistriesConf conf;
  private final Map<String, Registry> registries = new HashMap<>();

  public Puller(Graph graph, Tags tags, RegistryFactory registries) throws IOException {
    this(graph, tags, registries, RegistriesConf.none());
  }

  /** A puller that takes each name through the mirrors and locations {@code conf} gives it. */
  public Puller(Graph graph, Tags tags, RegistryFactory registries, RegistriesConf conf)
      throws IOException {
    this.graph = graph;
    this.tags = tags;
    this.factory = registries;
    this.conf = conf;
    this.locks = PullLocks.of(graph.root());
    this.tmp = graph.root().resolve("graph").resolve("_tmp");
  }

  /**
   * Pulls one image and records {@code reference} (its tag, or {@code name@digest}) for it.
   *
   * @throws CairnException NOT_FOUND for an unknown image or platform, INVALID for content that
   *     fails verification, UNAUTHORIZED, UNAVAILABLE; each message names the reference
   */
  public PullResult pull(Reference reference, PullOptions options, ProgressListener listener)
      throws IOException {
    listener.on(new ProgressEvent.Resolving(reference));
    try {
      PullResult r = pullOne(origins(reference), reference, options, listener);
      listener.on(new ProgressEvent.Finished(r));
      return r;
    } catch (CairnException e) {
      throw e.in("pulling " + reference.familiar());
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("pulling " + reference.familiar() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Pulls every tag of {@code reference}'s repository (the registry's paginated tag list), each
   * verified as by {@link #pull}; layers the tags share are downloaded once.
   */
  public List<PullResult> pullAllTags(
      Reference reference, PullOptions options, ProgressListener listener) throws IOException {
    if (reference.digest() != null) {
      throw CairnException.invalid(
          "pulling all tags of " + reference.familiar() + ": a digest reference names one image");
    }
    List<String> all;
    try {
      all = origins(reference).first(null, "tags", listener, o -> o.registry().tags(o.repo()));
    } catch (CairnException e) {
      throw e.in("pulling all tags of " + reference.name());
    }
    if (all.isEmpty()) {
      throw CairnException.notFound(
          "pulling all tags of " + reference.familiar() + ": the repository has no tags");
    }
    List<PullResult> out = new ArrayList<>(all.size());
    for (String tag : all) {
      out.add(pull(reference.withTag(tag), options, listener));
    }
    return List.copyOf(out);
  }

  /** The mirrors of the name, then its registry, as registries.conf says (blocked: refused). */
  private Origins origins(Reference ref) throws IOException {
    List<Origins.Origin> list = new ArrayList<>();
    for (RegistriesConf.Source s : conf.sources(ref)) {
      list.add(new Origins.Origin(registry(s.host()), s.host(), s.repository(), s.mirror()));
    }
    return new Origins(list);
  }

  private synchronized Registry registry(String host) throws IOException {
    Registry r = registries.get(host);
    if (r == null) {
      r = factory.open(host);
      registries.put(host, r);
    }
    return r;
  }

  // ---------------------------------------------------------------- one image

  /** The manifest a reference resolves to, with the digest the reference named. */
  private record Resolved(
      Digest digest, Schema1Manifest schema1, ImageManifest manifest, FetchedManifest fetched) {}

  private PullResult pullOne(
      Origins origins, Reference ref, PullOptions options, ProgressListener listener)
      throws IOException {
    Resolved resolved = resolve(origins, ref, options, listener);
    ImageConfigFile config =
        resolved.manifest == null ? null : config(origins, resolved.manifest, listener);
    checkPlatform(options, config);
    List<Graph.Hold> holds = new ArrayList<>();
    try {
      Plans.Plan plan;
      try (PullLocks.Held store = locks.store()) {
        graph.refresh();
        plan =
            resolved.schema1 != null
                ? Plans.schema1(graph, resolved.schema1)
                : Plans.schema2(graph, resolved.manifest, config);
        List<String> existing =
            plan.nodes().stream().filter(NodePlan::exists).map(NodePlan::id).toList();
        if (!existing.isEmpty()) {
          holds.add(graph.retain(existing)); // kept until the pull ends
        }
      }
      fetchAll(origins, plan, options, listener, holds);
      List<String> ids = Plans.ids(plan.nodes());
      String top = ids.getLast();
      remember(ref, resolved, plan, listener);
      Reference recorded =
          ref.digest() != null ? new Reference(ref.domain(), ref.path(), null, ref.digest()) : ref;
      if (ref.digest() == null) {
        // as docker: the repository's name@digest of what the tag named, for RepoDigests
        tags.tag(new Reference(ref.domain(), ref.path(), null, resolved.digest), top, false);
      }
      boolean named = tags.tag(recorded, top, true);
      graph.finish(top); // the name is recorded: the image lists from now on, never before
      Digest imageId =
          resolved.schema1 != null
              ? resolved.schema1.strongIds().getLast()
              : resolved.manifest.config().digest();
      return new PullResult(recorded, imageId, top, ids, resolved.digest, !named);
    } finally {
      IOException first = null;
      for (Graph.Hold h : holds.reversed()) {
        try {
          h.close();
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }

  /**
   * Records, before the image is named, the blobs its nodes are known under on this registry and
   * repository, and the manifest it was pulled with (Docker 1.10's v2metadata): a push reuses them.
   */
  private void remember(
      Reference ref, Resolved resolved, Plans.Plan plan, ProgressListener listener)
      throws IOException {
    for (NodePlan p : plan.nodes()) {
      String type = MediaType.DOCKER_LAYER; // schema1 layers are gzipped tars
      long size = p.blobSize();
      if (resolved.manifest != null && p.index() < resolved.manifest.layers().size()) {
        Descriptor d = resolved.manifest.layers().get(p.index());
        type = d.mediaType();
        size = d.size();
      }
      graph
          .recordKnownBlob(p.id(), new KnownBlob(p.blob(), size, type, ref.domain(), ref.path()))
          .ifPresent(w -> listener.on(new ProgressEvent.Warning(w)));
    }
    FetchedManifest m = resolved.fetched;
    graph
        .recordPulledManifest(
            plan.nodes().getLast().id(),
            new PulledManifest(m.digest(), m.mediaType(), m.bytes(), ref.domain(), ref.path()))
        .ifPresent(w -> listener.on(new ProgressEvent.Warning(w)));
  }

  private Resolved resolve(
      Origins origins, Reference ref, PullOptions options, ProgressListener listener)
      throws IOException {
    FetchedManifest fetched =
        origins.first(
            null, "manifest", listener, o -> o.registry().manifest(o.repo(), ref.tagOrDigest()));
    listener.on(new ProgressEvent.Resolved(ref)); // as docker: once the registry knows the name
    Digest named = fetched.digest();
    for (int depth = 0; MediaType.isIndex(fetched.mediaType()); depth++) {
      if (depth >= ImageIndex.MAX_DEPTH) {
        throw CairnException.invalid(
            "manifest lists nest more than " + ImageIndex.MAX_DEPTH + " deep");
      }
      ImageIndex index = ImageIndex.parse(fetched.bytes(), fetched.mediaType());
      Descriptor entry = index.select(options.platformOrHost());
      fetched =
          origins.first(
              null,
              "manifest",
              listener,
              o -> o.registry().manifest(o.repo(), entry.digest().toString()));
      if (fetched.bytes().length != entry.size()) {
        throw CairnException.invalid(
            "manifest "
                + entry.digest()
                + " has "
                + fetched.bytes().length
                + " bytes, but the index says "
                + entry.size());
      }
    }
    if (MediaType.isSchema1(fetched.mediaType())) {
      return new Resolved(
          named, Schema1Manifest.parse(fetched.bytes(), fetched.digest()), null, fetched);
    }
    return new Resolved(
        named, null, ImageManifest.parse(fetched.bytes(), fetched.mediaType()), fetched);
  }

  /**
   * An image asked for by platform must be for it, as docker 20.10 requires: a single-platform
   * image for another one is refused before any of its layers is fetched. A config naming no
   * platform contradicts nothing and passes; without a platform asked for, anything does.
   */
  private static void checkPlatform(PullOptions options, ImageConfigFile config) {
    Platform wanted = options.platform();
    Platform actual = config == null ? null : config.platform();
    if (wanted != null && actual != null && wanted.score(actual) < 0) {
      throw CairnException.notFound(
          "the image was found but does not match the specified platform: wanted "
              + wanted
              + ", actual: "
              + actual);
    }
  }

  /** The config blob: taken from the store when the image's top node holds it, else fetched. */
  private ImageConfigFile config(Origins origins, ImageManifest manifest, ProgressListener listener)
      throws IOException {
    Descriptor d = manifest.config();
    if (d.digest().algorithm() != Digest.Algorithm.SHA256) {
      throw CairnException.invalid("config " + d.digest() + ": the image ID must be a sha256");
    }
    byte[] bytes = null;
    graph.refresh();
    if (graph.exists(d.digest().hex())) {
      byte[] stored = graph.rawJSON(d.digest().hex());
      bytes = Digest.sha256(stored).equals(d.digest()) ? stored : null;
    }
    if (bytes == null) {
      if (d.size() > ImageConfigFile.MAX_BYTES) {
        throw CairnException.invalid(
            "config "
                + d.digest()
                + " is "
                + d.size()
                + " bytes, more than the limit of "
                + ImageConfigFile.MAX_BYTES);
      }
      bytes =
          origins.first(
              null,
              "config",
              listener,
              o -> {
                try (InputStream in = o.registry().blob(o.repo(), d.digest(), d.size())) {
                  return in.readAllBytes(); // verified against digest and size at the end
                }
              });
    }
    ImageConfigFile config;
    try {
      config = ImageConfigFile.parse(bytes);
    } catch (CairnException e) {
      throw e.in("config " + d.digest());
    }
    if (config.diffIds().size() != manifest.layers().size()) {
      throw CairnException.invalid(
          "config "
              + d.digest()
              + " lists "
              + config.diffIds().size()
              + " DiffIDs for the manifest's "
              + manifest.layers().size()
              + " layers");
    }
    for (Digest diffId : config.diffIds()) {
      if (diffId.algorithm() != Digest.Algorithm.SHA256) {
        throw CairnException.invalid(
            "config " + d.digest() + ": DiffID " + diffId + " is not sha256");
      }
    }
    return config;
  }

  // ---------------------------------------------------------------- layers

  /** What one pull's layer tasks share. */
  private record Job(
      Origins origins,
      Plans.Plan plan,
      PullOptions options,
      ProgressListener listener,
      Slots slots,
      List<Graph.Hold> holds) {}

  /**
   * Fetches every missing node: downloads run at once up to the concurrency, each layer applied as
   * it arrives (ahead of the one below where the driver allows it, else once that one is in, from
   * the temporary file it was downloaded to meanwhile) and committed after the one below. An image
   * the store holds whole gets no layer rows, as with docker, which finds its config and stops.
   */
  private void fetchAll(
      Origins origins,
      Plans.Plan plan,
      PullOptions options,
      ProgressListener listener,
      List<Graph.Hold> holds)
      throws IOException {
    checkLockPositions(plan);
    Job job =
        new Job(
            origins,
            plan,
            options,
            listener,
            new Slots(options.concurrency()),
            java.util.Collections.synchronizedList(holds));
    List<CompletableFuture<Void>> done = new ArrayList<>();
    CompletableFuture<Void> failed = new CompletableFuture<>();
    // A blob at several positions (schema1's empty layer, any repeat) is fetched at the first
    // that needs it; the others take its layer from there. Progress has one row per blob.
    Map<Digest, Fetch> fetches = new HashMap<>();
    Set<String> rows = new HashSet<>();
    boolean whole = plan.nodes().stream().allMatch(NodePlan::exists);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    try {
      CompletableFuture<Void> below = CompletableFuture.completedFuture(null);
      for (NodePlan p : plan.nodes()) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (p.exists()) {
          if (!whole && rows.add(p.label())) {
            listener.on(new AlreadyExists(p.label()));
          }
          if (options.keepBlobs() && fetches.putIfAbsent(p.blob(), new Fetch(p, mine)) == null) {
            executor.execute(
                () -> {
                  try {
                    keepOnly(job, p);
                    mine.complete(null);
                  } catch (Throwable t) {
                    mine.completeExceptionally(t);
                    failed.completeExceptionally(t);
                  }
                });
          } else {
            mine.complete(null);
          }
        } else {
          Fetch source = fetches.putIfAbsent(p.blob(), new Fetch(p, mine));
          if (source == null) {
            rows.add(p.label());
            listener.on(new Queued(p.label()));
          }
          CompletableFuture<Void> parent = below;
          executor.execute(
              () -> {
                try {
                  obtain(job, p, parent, source);
                  mine.complete(null);
                } catch (Throwable t) {
                  mine.completeExceptionally(t);
                  failed.completeExceptionally(t);
                }
              });
        }
        done.add(mine);
        below = mine;
      }
      CompletableFuture<Void> all = CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
      try {
        CompletableFuture.anyOf(all, failed).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("pull interrupted");
      } catch (ExecutionException e) {
        throw rethrow(e.getCause());
      }

    } finally {
      executor.shutdownNow(); // on failure: stop the other layers; they clean up after themselves
      executor.close();
    }
  }

  /**
   * The store's locks go by an ID's first 15 hex digits, and a layer waiting for the one below
   * holds its own: two nodes of one image that share those digits would wait for each other
   * forever. The IDs are SHA-256 sums, so only an image made for it has such a pair; it is refused.
   */
  static void checkLockPositions(Plans.Plan plan) {
    Map<Long, String> seen = new HashMap<>();
    for (NodePlan p : plan.nodes()) {
      String other = seen.putIfAbsent(PullLocks.position(p.id()), p.id());
      if (other != null && !other.equals(p.id())) {
        throw CairnException.invalid(
            "the image's layers "
                + other
                + " and "
                + p.id()
                + " have IDs that begin alike for 15 hex digits, which only a crafted image has");
      }
    }
  }

  /** The node of this pull that fetches a blob, and its completion. */
  private record Fetch(NodePlan node, CompletableFuture<Void> done) {}

  /**
   * Makes node {@code p} exist: fetched here, or found after another pull fetched it; or, when
   * {@code source} is not null, made from the layer of that node below it, which has the same blob.
   */
  private void obtain(Job job, NodePlan p, CompletableFuture<Void> parent, Fetch source)
      throws IOException {
    ProgressListener rows = source == null ? job.listener : ProgressListener.NONE;
    long key = PullLocks.position(p.id());
    while (true) {
      CompletableFuture<Void> claim = new CompletableFuture<>();
      CompletableFuture<Void> other = locks.fetching.putIfAbsent(key, claim);
      if (other != null) {
        rows.on(new Waiting(p.label()));
        try {
          other.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("pull interrupted");
        } catch (ExecutionException ignored) {
          // the other pull failed; the loop takes the node over
        }
        continue;
      }
      try (PullLocks.Held node = locks.node(p.id())) {
        graph.refresh();
        if (graph.exists(p.id())) {
          // Registered by another pull since the plan was made: it must still be this node.
          if (!job.plan.recheck(p)) {
            throw new CairnException(
                CairnException.Kind.CONFLICT,
                "image "
                    + p.id()
                    + " was registered meanwhile with other content; pull again to choose anew");
          }
          job.holds.add(graph.retain(List.of(p.id())));
          rows.on(new AlreadyExists(p.label()));
          if (job.options.keepBlobs() && source == null) {
            keepOnly(job, p);
          }
          return;
        }
        if (source == null) {
          download(job, p, parent);
        } else {
          repeat(job, p, source, parent);
        }
        return;
      } finally {
        locks.fetching.remove(key, claim);
        claim.complete(null);
      }
    }
  }

  private void download(Job job, NodePlan p, CompletableFuture<Void> parent) throws IOException {
    String label = p.label();
    ProgressListener out = job.listener;
    boolean ahead = graph.stagesAhead(); // cleared when the layer links into the layers below
    int at = 0; // the origin asked: the mirrors in turn, then the registry
    for (int attempt = 1; ; attempt++) {
      Origins.Origin origin = job.origins.list().get(at);
      Path temp = null;
      Path kept = null;
      BlobTee tee = null;
      CountingInputStream counted = null;
      try (Slots.Slot slot = job.slots.take()) {
        InputStream blob =
            origin
                .registry()
                .blob(
                    origin.repo(),
                    p.blob(),
                    p.blobSize(),
                    (offset, reason) -> out.on(new ProgressEvent.Resuming(label, offset, reason)));
        if (origin.mirror()) {
          out.on(new ProgressEvent.FromMirror(label, "layer", origin.host()));
        }
        if (job.options.keepBlobs()) {
          kept = graph.blobs().temp();
          blob = tee = new BlobTee(blob, kept);
        }
        long total = p.blobSize();
        // Closing it gives the slot back: once the blob is read, another layer may download
        // while this one waits for the layer below.
        counted =
            new CountingInputStream(slot.tie(blob), n -> out.on(new Downloading(label, n, total)));
        try (InputStream closing = counted) {
          if (parent.isDone() || ahead) {
            // Applied as it arrives; ahead of the layer below when the driver allows it (the
            // node commits once that one has), else after it.
            if (parent.isDone()) {
              await(parent);
            }
            Graph.Staged staged;
            try {
              staged = stage(job, p, counted);
            } catch (ParentNeededException e) {
              throw e;
            } catch (CairnException | IOException e) {
              // Was it the blob? A flipped bit usually breaks decompression before the digest.
              counted.drainQuietly();
              throw e;
            }
            try (staged) {
              finishKept(p, tee);
              closing.close();
              out.on(new Verifying(label)); // verified and applied, as docker's rows tell it
              out.on(new Downloaded(label));
              if (!parent.isDone()) {
                await(parent); // ahead of the layer below, which it waits for
              }
              commit(job, p, staged);
            }
          } else {
            temp = Files.createTempFile(tmp, "pull-", ".blob");
            try (OutputStream file = Files.newOutputStream(temp)) {
              counted.transferTo(file); // the digest and size are checked at the end
            }
            finishKept(p, tee);
            closing.close();
            out.on(new Verifying(label));
            out.on(new Downloaded(label));
            await(parent);
            long size = Files.size(temp);
            try (InputStream local =
                new CountingInputStream(
                    Files.newInputStream(temp), n -> out.on(new Extracting(label, n, size)))) {
              register(job, p, local);
            }
          }
          if (tee != null) {
            graph.blobs().keep(p.id(), p.blob(), kept);
          }
        }
        out.on(new Done(label));
        return;
      } catch (CancelledBelow | InterruptedIOException e) {
        throw e;
      } catch (ParentNeededException e) {
        ahead = false; // downloaded again, and applied once the layer below is in place
        attempt--;
      } catch (CairnException | IOException e) {
        if (origin.mirror()
            && !(e instanceof InterruptedIOException)
            && (counted == null || counted.failure() != null)) {
          // the mirror's fault (no answer, no such blob, bytes that do not verify): next origin
          Throwable why = counted == null ? e : counted.failure();
          out.on(
              new ProgressEvent.MirrorSkipped(
                  label, "layer", origin.host(), String.valueOf(why.getMessage())));
          at++;
          attempt--;
          continue;
        }
        Exception blobError = blobError(counted);
        if (blobError == null) {
          throw e;
        }
        if (attempt >= job.options.blobAttempts()) {
          // The blob's own failure explains the pipeline's (say, a gzip error from a flipped bit).
          if (blobError != e) {
            blobError.addSuppressed(e);
          }
          if (blobError instanceof RuntimeException r) {
            throw r;
          }
          throw (IOException) blobError;
        }
        out.on(new Retrying(label, attempt + 1, blobError.getMessage()));
      } finally {
        if (temp != null) {
          Files.deleteIfExists(temp);
        }
        if (tee != null) {
          tee.closeFile();
        }
        if (kept != null) {
          Files.deleteIfExists(kept); // moved away when kept
        }
      }
    }
  }

  /**
   * Reads the rest of the blob {@code tee} copies (none when null) into its file and checks that
   * what was kept is node {@code p}'s blob, before the blob's stream closes.
   */
  private static void finishKept(NodePlan p, BlobTee tee) throws IOException {
    if (tee == null) {
      return;
    }
    Digest got = tee.finish();
    if (!got.equals(p.blob())) {
      throw CairnException.invalid("blob " + p.blob() + " was kept with digest " + got);
    }
  }

  /**
   * Downloads the blob of node {@code p}, already in the store, only to keep it ({@code
   * --keep-blobs} for an image pulled before without): verified, written beside, renamed in. A node
   * whose layer digest is another blob (it was pulled from elsewhere first) keeps none.
   */
  private void keepOnly(Job job, NodePlan p) throws IOException {
    if (p.blob() == null
        || graph.blobs().path(p.blob()).isPresent()
        || !graph.node(p.id()).map(n -> p.blob().equals(n.layerDigest())).orElse(false)) {
      return;
    }
    String label = p.label();
    Path file = graph.blobs().temp();
    try (Slots.Slot slot = job.slots.take()) {
      // The image was up to date: only its blob is fetched, which the status does not count.
      long total = p.blobSize();
      job.origins.first(
          label,
          "layer",
          job.listener,
          o -> {
            InputStream blob =
                o.registry()
                    .blob(
                        o.repo(),
                        p.blob(),
                        p.blobSize(),
                        (offset, reason) ->
                            job.listener.on(new ProgressEvent.Resuming(label, offset, reason)));
            try (BlobTee tee =
                new BlobTee(
                    new CountingInputStream(
                        slot.tie(blob), n -> job.listener.on(new Downloading(label, n, total))),
                    file)) {
              finishKept(p, tee);
              graph.blobs().keep(p.id(), p.blob(), file);
            }
            return null;
          });
      job.listener.on(new Downloaded(label));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Registers node {@code p} from the layer of {@code source}, fetched by this pull for the same
   * blob lower in the image: the layer is rebuilt byte for byte from the store, as docker reuses
   * the download of a layer repeated in one image instead of fetching it again.
   */
  private void repeat(Job job, NodePlan p, Fetch source, CompletableFuture<Void> parent)
      throws IOException {
    await(source.done());
    await(parent);
    Path temp = Files.createTempFile(tmp, "pull-", ".tar");
    try {
      try (OutputStream file = Files.newOutputStream(temp)) {
        graph.tarLayer(source.node().id(), file);
      }
      try (InputStream layer = Files.newInputStream(temp)) {
        register(job, p, layer);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** The blob's failure when a failed attempt was its fault (worth a fresh download), else null. */
  private static Exception blobError(CountingInputStream counted) {
    if (counted == null) {
      return null; // the request itself failed, after the registry client's own retries
    }
    if (counted.failure() instanceof CairnException c
        && c.kind() == CairnException.Kind.UNAVAILABLE) {
      return null; // the registry client resumed as long as its retry policy allows
    }
    return counted.failure() instanceof Exception e ? e : null;
  }

  private void register(Job job, NodePlan p, InputStream blob) throws IOException {
    try (Graph.Staged staged = stage(job, p, blob)) {
      commit(job, p, staged);
    }
  }

  private Graph.Staged stage(Job job, NodePlan p, InputStream blob) throws IOException {
    // The graph checks the DiffID it computes while applying, before the node commits: a layer
    // that is not the config's never appears, and the tar is hashed once. The node stays
    // unfinished until the image is tagged: a half-pulled chain never lists as an image.
    NodeSpec spec =
        new NodeSpec(p.id(), p.parent(), p.json(), p.v1Compatibility(), p.blob(), p.diffId(), true);
    try {
      return graph.stage(spec, blob);
    } catch (CairnException e) {
      throw e.in("layer " + p.blob());
    }
  }

  private void commit(Job job, NodePlan p, Graph.Staged staged) throws IOException {
    try {
      staged.commit();
    } catch (CairnException e) {
      throw e.in("layer " + p.blob());
    }
    job.holds.add(graph.retain(List.of(p.id())));
  }

  private static void await(CompletableFuture<Void> parent) throws IOException {
    try {
      parent.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("pull interrupted");
    } catch (ExecutionException e) {
      throw new CancelledBelow(e.getCause());
    }
  }

  /** The layer below failed; this one gives up quietly (the pull reports the first failure). */
  private static final class CancelledBelow extends IOException {
    CancelledBelow(Throwable cause) {
      super("the layer below failed", cause);
    }
  }

  private static IOException rethrow(Throwable t) {
    while (t instanceof CancelledBelow c && c.getCause() != null) {
      t = c.getCause();
    }
    return switch (t) {
      case CairnException c -> throw c;
      case IOException io -> io;
      case Error err -> throw err;
      case RuntimeException r -> throw r;
      default -> new IOException(t);
    };
  }

  @Override
  public synchronized void close() {
    registries.values().forEach(Registry::close);
    registries.clear();
  }
}
