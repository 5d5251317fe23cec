package dev.cairn.distribution;

/**
 * Receives a pull's {@link ProgressEvent}s. Called from the pull's threads, possibly several at
 * once, so implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface ProgressListener {
  /** Ignores everything. */
  ProgressListener NONE = event -> {};

  void on(ProgressEvent event);
}
