package dev.cairn.distribution;

import dev.cairn.image.Reference;

/**
 * What a pull is doing, as small events for a {@link ProgressListener}. Layer events name the layer
 * by {@code layer}: the first 12 hex digits of its blob digest, as Docker shows it.
 */
public sealed interface ProgressEvent {

  /** The manifest of {@code reference} is being resolved. */
  record Resolving(Reference reference) implements ProgressEvent {}

  /** The registry has the manifest of {@code reference}: the image is pulled from it now. */
  record Resolved(Reference reference) implements ProgressEvent {}

  /** The layer will be fetched. */
  record Queued(String layer) implements ProgressEvent {}

  /** Another pull (in this process or another) is fetching the layer; this one waits for it. */
  record Waiting(String layer) implements ProgressEvent {}

  /** The layer is already in the store: nothing to fetch. */
  record AlreadyExists(String layer) implements ProgressEvent {}

  /** {@code current} of {@code total} compressed bytes received ({@code total} -1 if unknown). */
  record Downloading(String layer, long current, long total) implements ProgressEvent {}

  /** All bytes received; the blob's digest is being checked. */
  record Verifying(String layer) implements ProgressEvent {}

  /** The blob is complete and verified, waiting for the layer below to be unpacked. */
  record Downloaded(String layer) implements ProgressEvent {}

  /** {@code current} of {@code total} compressed bytes unpacked into the store. */
  record Extracting(String layer, long current, long total) implements ProgressEvent {}

  /** The layer is in the store. */
  record Done(String layer) implements ProgressEvent {}

  /** A fetch failed and starts again from the beginning ({@code attempt} counts from 2). */
  record Retrying(String layer, int attempt, String reason) implements ProgressEvent {}

  /**
   * The download stalled or broke off ({@code reason}, naming the host) and goes on from byte
   * {@code offset} of the blob.
   */
  record Resuming(String layer, long offset, String reason) implements ProgressEvent {}

  /**
   * Something the pull could not use and went on without, in one line (a node's unreadable record
   * of known blobs, started anew).
   */
  record Warning(String message) implements ProgressEvent {}

  /**
   * A mirror registries.conf names served {@code object} ({@code manifest}, {@code config}, {@code
   * tags}, or the layer {@code layer}, null for the others), as the registry would have.
   */
  record FromMirror(String layer, String object, String host) implements ProgressEvent {}

  /**
   * The mirror at {@code host} failed {@code object} (as {@link FromMirror} names it) for {@code
   * reason}; the next mirror, or the registry, is asked.
   */
  record MirrorSkipped(String layer, String object, String host, String reason)
      implements ProgressEvent {}

  /** The pull ended; the result names what was pulled. */
  record Finished(PullResult result) implements ProgressEvent {}

  /** A push's events; a pull sends none of them. */
  sealed interface PushEvent extends ProgressEvent {}

  /** The push of {@code reference} begins ("The push refers to repository [...]"). */
  record PushStarted(Reference reference) implements PushEvent {}

  /** The layer is being looked for in the registry. */
  record Preparing(String layer) implements PushEvent {}

  /** {@code current} of {@code total} bytes of the layer's tar compressed and sent. */
  record Pushing(String layer, long current, long total) implements PushEvent {}

  /** The layer's blob is in the repository now, sent by this push. */
  record Pushed(String layer) implements PushEvent {}

  /** The layer's blob was in the repository already: nothing to send. */
  record Exists(String layer) implements PushEvent {}

  /** The layer's blob was mounted from {@code repository} of the same registry. */
  record Mounted(String layer, String repository) implements PushEvent {}

  /** The push ended; the result names the manifest written. */
  record PushFinished(PushResult result) implements PushEvent {}
}
