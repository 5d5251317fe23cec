package dev.cairn.distribution;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.ProgressEvent.AlreadyExists;
import dev.cairn.distribution.ProgressEvent.Mounted;
import dev.cairn.distribution.ProgressEvent.Preparing;
import dev.cairn.distribution.ProgressEvent.PushFinished;
import dev.cairn.distribution.ProgressEvent.PushStarted;
import dev.cairn.distribution.ProgressEvent.Pushed;
import dev.cairn.distribution.ProgressEvent.Pushing;
import dev.cairn.distribution.ProgressEvent.Retrying;
import dev.cairn.distribution.ProgressEvent.Waiting;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.image.MediaType;
import dev.cairn.image.Reference;
import dev.cairn.registry.BlobSource;
import dev.cairn.registry.Registry;
import dev.cairn.registry.UploadListener;
import dev.cairn.registry.UploadedBlob;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pushes an image from the graph: for each layer, its blob is found in the repository, mounted from
 * another repository of the registry, or its tar compressed again while hashing and streamed into
 * an upload; then the config, then the manifest, never before all its blobs are in.
 */
public final class Pusher {
  /**
   * Layers this pusher has pushed, by registry and node: the digest and size they were compressed
   * to and the repository that got them, so that another push of the same layer finds or mounts
   * that blob rather than making a new one.
   */
  private final Map<String, LayerCandidates.Candidate> pushed = new ConcurrentHashMap<>();

  /** One lock per registry and node: two pushes of one layer upload it once. */
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  private final Graph graph;
  private final RegistryFactory registries;

  /** A pusher for a graph; share one between pushes, so that they share their uploads. */
  public Pusher(Graph graph, RegistryFactory registries) {
    this.graph = graph;
    this.registries = registries;
  }

  /** Pushes {@code image} under {@code ref} (a tag), telling {@code listener} how it goes. */
  public PushResult push(
      Reference ref, PushImage image, PushOptions options, ProgressListener listener)
      throws IOException {
    if (ref.tag() == null) {
      throw CairnException.invalid("push needs a tag: " + ref);
    }
    listener.on(new PushStarted(ref));
    try (Registry registry = registries.open(ref.domain())) {
      String host = registry.host();
      String repo = ref.path();
      List<Node> layers = image.layers();
      List<String> ids = new ArrayList<>(layers.size());
      for (Node n : layers) {
        ids.add(graph.diffId(n.id()).hex().substring(0, 12));
      }
      for (int i = layers.size() - 1; i >= 0; i--) {
        listener.on(new Preparing(ids.get(i)));
      }
      boolean oci = MediaType.OCI_MANIFEST.equals(image.manifestType());
      UploadedBlob[] blobs = new UploadedBlob[layers.size()];
      AtomicInteger uploaded = new AtomicInteger();
      Semaphore slots = new Semaphore(options.concurrency());
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> tasks = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) {
          int at = i;
          tasks.add(
              pool.submit(
                  () -> {
                    blobs[at] =
                        layer(
                            registry,
                            repo,
                            layers.get(at),
                            ids.get(at),
                            options,
                            slots,
                            listener,
                            uploaded);
                    return null;
                  }));
        }
        for (Future<?> f : tasks) {
          await(f);
        }
      }
      for (int i = 0; i < layers.size(); i++) {
        options.candidates().pushed(layers.get(i), host, repo, blobs[i].digest(), blobs[i].size());
      }
      UploadedBlob config = blob(registry, repo, image.config());
      byte[] manifest = PushManifest.of(oci, config, List.of(blobs));
      String type = oci ? MediaType.OCI_MANIFEST : MediaType.DOCKER_MANIFEST;
      Digest digest = registry.putManifest(repo, ref.tag(), type, manifest);
      PushResult result = new PushResult(ref, digest, manifest.length, uploaded.get());
      listener.on(new PushFinished(result));
      return result;
    }
  }

  private static void await(Future<?> f) throws IOException {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("push interrupted");
    } catch (ExecutionException e) {
      switch (e.getCause()) {
        case IOException io -> throw io;
        case RuntimeException r -> throw r;
        case Error err -> throw err;
        default -> throw new IOException(e.getCause());
      }
    }
  }

  private UploadedBlob blob(Registry registry, String repo, byte[] bytes) throws IOException {
    BlobSource source = BlobSource.of(bytes);
    Digest d = source.digest().orElseThrow();
    if (registry.blobSize(repo, d).isPresent()) {
      return new UploadedBlob(d, bytes.length);
    }
    return registry.uploadBlob(repo, source, UploadListener.NONE);
  }

  private UploadedBlob layer(
      Registry registry,
      String repo,
      Node node,
      String id,
      PushOptions options,
      Semaphore slots,
      ProgressListener listener,
      AtomicInteger uploaded)
      throws IOException, InterruptedException {
    String key = registry.host() + "\0" + node.id();
    ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
    if (!lock.tryLock()) {
      listener.on(new Waiting(id));
      lock.lockInterruptibly();
    }
    try {
      // Where the layer may already be: its own checksum, what this process pushed, what the
      // caller knows.
      List<LayerCandidates.Candidate> candidates = new ArrayList<>();
      if (node.layerDigest() != null) {
        candidates.add(new LayerCandidates.Candidate(node.layerDigest(), -1, null));
      }
      LayerCandidates.Candidate mine = pushed.get(key);
      if (mine != null) {
        candidates.add(mine);
      }
      candidates.addAll(options.candidates().of(node, registry.host()));
      for (LayerCandidates.Candidate c : candidates) {
        OptionalLong size = registry.blobSize(repo, c.digest());
        if (size.isPresent()) {
          listener.on(new AlreadyExists(id));
          return new UploadedBlob(c.digest(), size.getAsLong() >= 0 ? size.getAsLong() : c.size());
        }
      }
      for (LayerCandidates.Candidate c : candidates) {
        if (c.repository() != null
            && !c.repository().equals(repo)
            && c.size() >= 0
            && registry.blobSize(c.repository(), c.digest()).isPresent()
            && registry.mountBlob(repo, c.digest(), c.repository())) {
          listener.on(new Mounted(id, c.repository()));
          return new UploadedBlob(c.digest(), c.size());
        }
      }
      if (!slots.tryAcquire()) {
        listener.on(new Waiting(id)); // behind the uploads already running, as docker says
        slots.acquire();
      }
      try {
        long total = graph.tarLayerSize(node.id());
        AtomicInteger attempt = new AtomicInteger(1);
        LayerSource source =
            new LayerSource(graph, node.id(), n -> listener.on(new Pushing(id, n, total)));
        UploadedBlob up =
            registry.uploadBlob(
                repo,
                source,
                new UploadListener() {
                  @Override
                  public void restarting(String reason) {
                    listener.on(new Retrying(id, attempt.incrementAndGet(), reason));
                  }
                });
        pushed.put(key, new LayerCandidates.Candidate(up.digest(), up.size(), repo));
        uploaded.incrementAndGet();
        listener.on(new Pushed(id));
        return up;
      } finally {
        slots.release();
      }
    } finally {
      lock.unlock();
    }
  }
}
