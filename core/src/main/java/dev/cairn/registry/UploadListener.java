package dev.cairn.registry;

/** Hears how an upload goes; called from the uploading thread. */
public interface UploadListener {
  UploadListener NONE = new UploadListener() {};

  /** {@code bytes} more were sent. */
  default void sent(long bytes) {}

  /** The attempt failed for {@code reason}; the upload starts again from its first byte. */
  default void restarting(String reason) {}
}
