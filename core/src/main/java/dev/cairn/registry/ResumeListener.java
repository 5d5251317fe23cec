package dev.cairn.registry;

/** Hears about a blob download that broke off and goes on, for progress reports. */
@FunctionalInterface
public interface ResumeListener {
  /** Hears nothing. */
  ResumeListener NONE = (offset, reason) -> {};

  /**
   * The download broke off ({@code reason}, e.g. "registry.example sent no data for 30 s") and asks
   * again for the bytes from {@code offset} on. Called on the reading thread.
   */
  void resuming(long offset, String reason);
}
