package dev.cairn.distribution;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.ProgressEvent.Exists;
import dev.cairn.distribution.ProgressEvent.Mounted;
import dev.cairn.distribution.ProgressEvent.Pushed;
import dev.cairn.distribution.ProgressEvent.Pushing;
import dev.cairn.distribution.ProgressEvent.Retrying;
import dev.cairn.distribution.ProgressEvent.Waiting;
import dev.cairn.distribution.ProgressEvent.Warning;
import dev.cairn.graph.Graph;
import dev.cairn.graph.KnownBlob;
import dev.cairn.graph.Node;
import dev.cairn.image.Descriptor;
import dev.cairn.image.MediaType;
import dev.cairn.registry.BlobSource;
import dev.cairn.registry.Registry;
import dev.cairn.registry.UploadListener;
import dev.cairn.registry.UploadedBlob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One layer of a push, as Docker 1.10 chose its bytes: a blob the layer is known under that the
 * repository already holds (HEAD); else one mounted from another repository of the registry known
 * to hold it (HEAD-checked first); else the original blob a pull kept, sent unchanged; else the tar
 * compressed again while it streams. Where it went is recorded on the node, so that the next push,
 * from any process, finds it. A cross-process lock per registry and layer makes two pushes of one
 * layer upload it once: the second waits, then finds what the first recorded.
 */
final class LayerPush {
  /** Digests HEAD-checked in the repository, and mounts tried, at most per layer. */
  private static final int MAX_HEADS = 8;

  private static final int MAX_MOUNTS = 3;

  /** What the layers of one push share. */
  record Job(
      Graph graph,
      PullLocks locks,
      Registry registry,
      String domain,
      String repo,
      boolean oci,
      ProgressListener listener,
      AtomicInteger uploaded) {}

  /** A blob the layer may be found or sent as; {@code repository} is on this registry, or null. */
  private record Candidate(Digest digest, long size, String mediaType, String repository) {}

  private final Job job;
  private final Node node;
  private final Digest diffId;
  private final String shortId;
  private final Descriptor pulled;

  /**
   * @param pulled the layer's descriptor in the manifest the image was pulled with, or null
   */
  LayerPush(Job job, Node node, Digest diffId, Descriptor pulled) {
    this.job = job;
    this.node = node;
    this.diffId = diffId;
    this.shortId = diffId.hex().substring(0, 12);
    this.pulled = pulled;
  }

  String shortId() {
    return shortId;
  }

  PushManifest.Blob push() throws IOException {
    try (PullLocks.Held held =
        job.locks().push(job.domain(), node.id(), () -> event(new Waiting(shortId)))) {
      PushManifest.Blob blob;
      try {
        blob = place();
      } catch (CairnException e) {
        throw e.in("layer " + diffId);
      }
      job.graph()
          .recordKnownBlob(
              node.id(),
              new KnownBlob(blob.digest(), blob.size(), blob.mediaType(), job.domain(), job.repo()))
          .ifPresent(w -> event(new Warning(w)));
      return blob;
    }
  }

  private PushManifest.Blob place() throws IOException {
    List<Candidate> candidates = candidates();
    Set<Digest> asked = new HashSet<>();
    for (Candidate c : candidates) {
      if (asked.size() == MAX_HEADS || !asked.add(c.digest())) {
        continue;
      }
      OptionalLong size = job.registry().blobSize(job.repo(), c.digest());
      if (size.isPresent()) {
        event(new Exists(shortId));
        return blob(c, size.getAsLong() >= 0 ? size.getAsLong() : c.size());
      }
    }
    int mounts = 0;
    for (Candidate c : candidates) {
      if (c.repository() == null || c.repository().equals(job.repo()) || c.size() < 0) {
        continue;
      }
      if (mounts++ == MAX_MOUNTS) {
        break;
      }
      if (job.registry().blobSize(c.repository(), c.digest()).isPresent()
          && job.registry().mountBlob(job.repo(), c.digest(), c.repository())) {
        event(new Mounted(shortId, c.repository()));
        return blob(c, c.size());
      }
    }
    for (Candidate c : candidates) {
      Optional<Path> kept = job.graph().blobs().path(c.digest());
      if (kept.isPresent()) {
        UploadedBlob up = upload(BlobSource.of(kept.get(), c.digest()), Files.size(kept.get()));
        return blob(c, up.size());
      }
    }
    long total = job.graph().tarLayerSize(node.id());
    UploadedBlob up =
        upload(
            new LayerSource(job.graph(), node.id(), n -> event(new Pushing(shortId, n, total))),
            -1);
    return new PushManifest.Blob(
        up.digest(), up.size(), job.oci() ? MediaType.OCI_LAYER_GZIP : MediaType.DOCKER_LAYER);
  }

  /**
   * Where the layer may be, best first: the blob it was pulled as, the blobs recorded on the node
   * (those of this registry with their repository), its {@code checksum}; only blobs the manifest
   * type can name.
   */
  private List<Candidate> candidates() throws IOException {
    List<Candidate> out = new ArrayList<>();
    if (pulled != null) {
      out.add(new Candidate(pulled.digest(), pulled.size(), pulled.mediaType(), null));
    }
    for (KnownBlob k : job.graph().knownBlobs(node.id())) {
      String repo = k.host().equals(job.domain()) ? k.repository() : null;
      out.add(new Candidate(k.digest(), k.size(), k.mediaType(), repo));
    }
    if (node.layerDigest() != null) {
      out.add(new Candidate(node.layerDigest(), -1, MediaType.DOCKER_LAYER, null));
    }
    out.removeIf(c -> !nameable(c.mediaType()));
    return out;
  }

  /** Gzipped layers go in either manifest type; other OCI layer types only in an OCI manifest. */
  private boolean nameable(String mediaType) {
    return switch (mediaType) {
      case MediaType.DOCKER_LAYER, MediaType.OCI_LAYER_GZIP -> true;
      case MediaType.OCI_LAYER, MediaType.OCI_LAYER_ZSTD -> job.oci();
      default -> false;
    };
  }

  private PushManifest.Blob blob(Candidate c, long size) {
    String type = c.mediaType();
    if (type.equals(MediaType.DOCKER_LAYER) || type.equals(MediaType.OCI_LAYER_GZIP)) {
      type = job.oci() ? MediaType.OCI_LAYER_GZIP : MediaType.DOCKER_LAYER;
    }
    return new PushManifest.Blob(c.digest(), size, type);
  }

  private UploadedBlob upload(BlobSource source, long size) throws IOException {
    AtomicInteger attempt = new AtomicInteger(1);
    UploadedBlob up =
        job.registry()
            .uploadBlob(
                job.repo(),
                source,
                new UploadListener() {
                  private long sent;

                  @Override
                  public void sent(long n) {
                    if (size >= 0) { // a recompressed layer counts its tar bytes instead
                      sent += n;
                      event(new Pushing(shortId, sent, size));
                    }
                  }

                  @Override
                  public void restarting(String reason) {
                    sent = 0;
                    event(new Retrying(shortId, attempt.incrementAndGet(), reason));
                  }
                });
    job.uploaded().incrementAndGet();
    event(new Pushed(shortId));
    return up;
  }

  private void event(ProgressEvent e) {
    job.listener().on(e);
  }
}
