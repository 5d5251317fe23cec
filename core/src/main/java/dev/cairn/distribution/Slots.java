package dev.cairn.distribution;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many blobs one pull or push moves at once. A {@link Slot} is given back once, by whichever
 * comes first: closing the stream it is tied to (the blob is read: another may start while this
 * layer waits for the one below), or closing the slot itself (the transfer failed or ended).
 */
final class Slots {
  private final Semaphore permits;

  Slots(int n) {
    this.permits = new Semaphore(n, true);
  }

  /** Takes a slot, waiting for one; {@code waiting} runs first when none is free. */
  Slot take(Runnable waiting) throws InterruptedIOException {
    if (!permits.tryAcquire()) {
      waiting.run();
      try {
        permits.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for a transfer slot");
      }
    }
    return new Slot();
  }

  Slot take() throws InterruptedIOException {
    return take(() -> {});
  }

  /** A slot when one is free now, else null. */
  Slot tryTake() {
    return permits.tryAcquire() ? new Slot() : null;
  }

  /** One transfer's slot. */
  final class Slot implements AutoCloseable {
    private final AtomicBoolean held = new AtomicBoolean(true);

    private Slot() {}

    /** {@code in}, whose closing gives this slot back. */
    InputStream tie(InputStream in) {
      return new FilterInputStream(in) {
        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            Slot.this.close();
          }
        }
      };
    }

    @Override
    public void close() {
      if (held.compareAndSet(true, false)) {
        permits.release();
      }
    }
  }
}
