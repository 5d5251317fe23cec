package dev.cairn.distribution;

import dev.cairn.CairnException;

/**
 * How a push goes.
 *
 * @param concurrency layers uploaded at once
 */
public record PushOptions(int concurrency) {
  public PushOptions {
    if (concurrency < 1 || concurrency > 64) {
      throw CairnException.invalid("push concurrency must be 1 to 64, not " + concurrency);
    }
  }

  /** 5 uploads at once, as docker's default. */
  public static PushOptions defaults() {
    return new PushOptions(5);
  }
}
