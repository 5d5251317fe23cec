package dev.cairn.distribution;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.ProgressEvent.PushFinished;
import dev.cairn.graph.Graph;
import dev.cairn.graph.Node;
import dev.cairn.image.ImageManifest;
import dev.cairn.image.MediaType;
import dev.cairn.image.Reference;
import dev.cairn.registry.BlobSource;
import dev.cairn.registry.Registry;
import dev.cairn.registry.UploadListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pushes an image from the graph: each layer's blob is found in the repository, mounted from
 * another repository of the registry, sent as the original bytes a pull kept, or compressed again
 * from its tar while it streams ({@link LayerPush}); then the config; then the manifest, never
 * before all its blobs are in. When every layer went out as the blob the image was pulled with, the
 * manifest is the one pulled, byte for byte, so its digest is the source's.
 */
public final class Pusher {
  private final Graph graph;
  private final PullLocks locks;

  /** A pusher for a graph; the store shares one between its pushes. */
  public Pusher(Graph graph) throws IOException {
    this.graph = graph;
    this.locks = PullLocks.of(graph.root());
  }

  /**
   * Pushes {@code image} under {@code ref} (a tag) to the registry {@code registries} opens,
   * telling {@code listener} how it goes.
   */
  public PushResult push(
      Reference ref,
      PushImage image,
      PushOptions options,
      RegistryFactory registries,
      ProgressListener listener)
      throws IOException {
    try (Registry registry = registries.open(ref.domain())) {
      String repo = ref.path();
      String type =
          switch (options.format()) {
            case DEFAULT -> null;
            case OCI -> MediaType.OCI_MANIFEST;
            case V2S2, V2S1 -> MediaType.DOCKER_MANIFEST; // (schema1 names gzipped layers too)
          };
      ImageManifest pulled = Originals.manifest(graph, image, ref.domain(), repo);
      if (pulled != null && type != null && !type.equals(pulled.mediaType())) {
        pulled = null; // another type asked for
      }
      if (type == null) {
        type = pulled != null ? pulled.mediaType() : image.manifestType();
      }
      List<Node> layers = image.layers();
      LayerPush.Job job =
          new LayerPush.Job(
              graph,
              locks,
              registry,
              ref.domain(),
              repo,
              MediaType.OCI_MANIFEST.equals(type),
              listener,
              new AtomicInteger());
      List<LayerPush> pushes = new ArrayList<>(layers.size());
      List<Digest> diffIds = new ArrayList<>(layers.size());
      for (int i = 0; i < layers.size(); i++) {
        Node n = layers.get(i);
        Digest diffId = graph.diffId(n.id());
        diffIds.add(diffId);
        pushes.add(new LayerPush(job, n, diffId, pulled == null ? null : pulled.layers().get(i)));
      }
      for (int i = pushes.size() - 1; i >= 0; i--) {
        listener.on(new ProgressEvent.Preparing(pushes.get(i).shortId()));
      }
      PushManifest.Blob[] blobs = new PushManifest.Blob[layers.size()];
      // A layer the image has twice is pushed once, at its topmost place.
      Map<Digest, Integer> first = new HashMap<>();
      Slots slots = new Slots(options.concurrency());
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> tasks = new ArrayList<>();
        for (int i = pushes.size() - 1; i >= 0; i--) {
          if (first.putIfAbsent(diffIds.get(i), i) != null) {
            continue;
          }
          int at = i;
          // Queued behind the transfers running, as docker says, in the order it lists them.
          Slots.Slot free = slots.tryTake();
          if (free == null) {
            listener.on(new ProgressEvent.Waiting(pushes.get(i).shortId()));
          }
          tasks.add(
              pool.submit(
                  () -> {
                    try (Slots.Slot slot = free != null ? free : slots.take()) {
                      blobs[at] = pushes.get(at).push();
                    }
                    return null;
                  }));
        }
        for (Future<?> f : tasks) {
          await(f);
        }
      }
      for (int i = 0; i < blobs.length; i++) {
        blobs[i] = blobs[first.get(diffIds.get(i))];
      }
      byte[] manifest;
      if (options.format() == PushOptions.Format.V2S1) {
        manifest = Schema1Push.manifest(graph, registry, ref, image, blobs);
        type = MediaType.DOCKER_SCHEMA1_SIGNED;
      } else {
        PushManifest.Blob config = config(registry, repo, image.config(), type);
        if (pulled != null && Originals.allOriginal(pulled, blobs)) {
          manifest = pulled.bytes();
        } else {
          manifest = PushManifest.of(type, config, List.of(blobs));
        }
      }
      Digest digest;
      try {
        digest = registry.putManifest(repo, ref.tag(), type, manifest);
      } catch (CairnException e) {
        if (options.format() != PushOptions.Format.V2S1
            || e.kind() != CairnException.Kind.UNAVAILABLE) {
          throw e;
        }
        // Distribution 2.8 answers a bare 500 UNKNOWN when schema1 is off, its default.
        throw e.in(
            ref.domain()
                + " refused the schema1 manifest: schema1 is disabled there (Distribution's"
                + " default since 2.8); push without --format v2s1");
      }
      PushResult result = new PushResult(ref, digest, manifest.length, job.uploaded().get());
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

  private static PushManifest.Blob config(
      Registry registry, String repo, byte[] bytes, String manifestType) throws IOException {
    BlobSource source = BlobSource.of(bytes);
    Digest d = source.digest().orElseThrow();
    String type =
        MediaType.OCI_MANIFEST.equals(manifestType)
            ? MediaType.OCI_CONFIG
            : MediaType.DOCKER_CONFIG;
    if (registry.blobSize(repo, d).isEmpty()) {
      registry.uploadBlob(repo, source, UploadListener.NONE);
    }
    return new PushManifest.Blob(d, bytes.length, type);
  }
}
