package dev.cairn.distribution;

import dev.cairn.CairnException;
import dev.cairn.image.Platform;

/**
 * How to pull.
 *
 * @param platform the platform to pick from a manifest list or index
 * @param concurrency how many layers of one pull download at once
 * @param blobAttempts how often a layer whose bytes fail verification is fetched afresh, in all
 */
public record PullOptions(Platform platform, int concurrency, int blobAttempts) {

  public PullOptions {
    if (platform == null) {
      throw CairnException.invalid("a pull needs a platform");
    }
    if (concurrency < 1 || concurrency > 64) {
      throw CairnException.invalid("pull concurrency must be 1 to 64, not " + concurrency);
    }
    if (blobAttempts < 1 || blobAttempts > 10) {
      throw CairnException.invalid("blob attempts must be 1 to 10, not " + blobAttempts);
    }
  }

  /** The host's platform, 3 downloads at once, 3 attempts per layer. */
  public static PullOptions defaults() {
    return new PullOptions(Platform.host(), 3, 3);
  }

  public PullOptions withPlatform(Platform p) {
    return new PullOptions(p, concurrency, blobAttempts);
  }

  public PullOptions withConcurrency(int n) {
    return new PullOptions(platform, n, blobAttempts);
  }
}
