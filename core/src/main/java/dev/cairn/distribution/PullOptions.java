package dev.cairn.distribution;

import dev.cairn.CairnException;
import dev.cairn.image.Platform;
import dev.cairn.registry.CredentialSource;

/**
 * How to pull.
 *
 * @param platform the platform asked for, or null for the host's. An image asked for by platform
 *     must be for it (its config may not name another); without one, as with docker, the host's
 *     platform only picks from a manifest list or index and an image made for one platform alone is
 *     pulled whatever it is
 * @param concurrency how many layers of one pull download at once
 * @param blobAttempts how often a layer whose bytes fail verification is fetched afresh, in all
 * @param keepBlobs whether to keep the original compressed layer blobs ({@code ROOT/blobs/}), so
 *     that a push can send them unchanged; a layer already in the store whose blob is not kept is
 *     downloaded for it
 * @param credentials who to be at registries for this pull, or null for the store's own
 */
public record PullOptions(
    Platform platform,
    int concurrency,
    int blobAttempts,
    boolean keepBlobs,
    CredentialSource credentials) {

  public PullOptions {
    if (concurrency < 1 || concurrency > 64) {
      throw CairnException.invalid("pull concurrency must be 1 to 64, not " + concurrency);
    }
    if (blobAttempts < 1 || blobAttempts > 10) {
      throw CairnException.invalid("blob attempts must be 1 to 10, not " + blobAttempts);
    }
  }

  /** No platform asked for (the host's), 3 downloads at once, 3 attempts per layer. */
  public static PullOptions defaults() {
    return new PullOptions(null, 3, 3, false, null);
  }

  /** Asks for platform {@code p}: picked from an index, and required of the image. */
  public PullOptions withPlatform(Platform p) {
    return new PullOptions(p, concurrency, blobAttempts, keepBlobs, credentials);
  }

  public PullOptions withConcurrency(int n) {
    return new PullOptions(platform, n, blobAttempts, keepBlobs, credentials);
  }

  /** Keeps (or not) the original compressed layer blobs. */
  public PullOptions withKeepBlobs(boolean keep) {
    return new PullOptions(platform, concurrency, blobAttempts, keep, credentials);
  }

  /** Pulls as {@code source} says, rather than with the store's credentials. */
  public PullOptions withCredentials(CredentialSource source) {
    return new PullOptions(platform, concurrency, blobAttempts, keepBlobs, source);
  }

  /** The platform to pick from a manifest list or index: the one asked for, else the host's. */
  public Platform platformOrHost() {
    return platform != null ? platform : Platform.host();
  }
}
