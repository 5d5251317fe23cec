package dev.cairn.tar;

import java.io.IOException;

/**
 * Receives every byte of a tar stream that is not entry payload, in stream order, one run per call:
 * the headers before an entry together with the padding of the entry before it (PAX and GNU
 * extension blocks included), then the end-of-archive run (last padding and the zero blocks, not
 * called when empty), then whatever follows the end marker in chunks of {@link
 * TarReader#TRAILER_CHUNK} bytes, the last one shorter, and always an empty run at the very end.
 * Interleaved with the payloads, the runs are exactly the stream. A global PAX header's padding
 * goes with the next run, as tar-split records it.
 */
@FunctionalInterface
public interface RawListener {
  /** The bytes are only valid during the call. */
  void raw(byte[] b, int off, int len) throws IOException;
}
