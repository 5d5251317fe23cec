package dev.cairn.distribution;

import dev.cairn.CairnException;

/**
 * How a push goes.
 *
 * @param concurrency layers uploaded at once
 * @param candidates where a layer may already be found, tried before it is compressed again
 */
public record PushOptions(int concurrency, LayerCandidates candidates) {
  public PushOptions {
    if (concurrency < 1 || concurrency > 64) {
      throw CairnException.invalid("push concurrency must be 1 to 64, not " + concurrency);
    }
    if (candidates == null) {
      candidates = LayerCandidates.NONE;
    }
  }

  /** 5 uploads at once, as docker's default; no known digests beyond the node's own. */
  public static PushOptions defaults() {
    return new PushOptions(5, LayerCandidates.NONE);
  }

  public PushOptions withCandidates(LayerCandidates c) {
    return new PushOptions(concurrency, c);
  }
}
