package dev.cairn.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an InputStream whose reads give up when no bytes arrive for a while (the read
 * timeout): the JDK client's own timeout ends once headers are in, and a server that stalls
 * mid-body would otherwise hold a download forever. Pulls one chunk at a time, so memory stays
 * bounded.
 */
final class StallGuardedBody extends InputStream
    implements HttpResponse.BodySubscriber<InputStream> {
  private static final Object END = new Object();

  /**
   * Fewer bytes than this while we waited for the server as long as the read timeout is a stall
   * too: a server trickling a byte a second would otherwise never time out.
   */
  static final int MIN_PER_WINDOW = 1024;

  private final Duration stall;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private volatile Flow.Subscription subscription;
  private Iterator<ByteBuffer> chunk;
  private ByteBuffer buffer;
  private boolean done;
  private long waited; // nanoseconds spent waiting for the server since the window began
  private long received; // bytes received since then

  StallGuardedBody(Duration stall) {
    this.stall = stall;
  }

  static HttpResponse.BodyHandler<InputStream> handler(Duration stall) {
    return info -> new StallGuardedBody(stall);
  }

  @Override
  public CompletionStage<InputStream> getBody() {
    return CompletableFuture.completedStage(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    queue.add(item);
  }

  @Override
  public void onError(Throwable t) {
    queue.add(t);
  }

  @Override
  public void onComplete() {
    queue.add(END);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n == 1 ? one[0] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (buffer == null || !buffer.hasRemaining()) {
      if (chunk != null && chunk.hasNext()) {
        buffer = chunk.next();
        continue;
      }
      if (done) {
        return -1;
      }
      Object next;
      try {
        long before = System.nanoTime();
        next = queue.poll(stall.toMillis(), TimeUnit.MILLISECONDS);
        waited += System.nanoTime() - before;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new InterruptedIOException("interrupted while reading a response");
      }
      if (next == null) {
        close();
        throw new NetworkErrors.Silence(stall);
      }
      if (next == END) {
        done = true;
        return -1;
      }
      if (next instanceof Throwable t) {
        done = true;
        throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
      }
      @SuppressWarnings("unchecked")
      List<ByteBuffer> list = (List<ByteBuffer>) next;
      for (ByteBuffer piece : list) {
        received += piece.remaining();
      }
      if (waited >= stall.toNanos()) {
        if (received < MIN_PER_WINDOW) {
          close();
          throw new NetworkErrors.Trickle(received, stall);
        }
        waited = 0;
        received = 0;
      }
      chunk = list.iterator();
      subscription.request(1);
    }
    int n = Math.min(len, buffer.remaining());
    buffer.get(b, off, n);
    return n;
  }

  @Override
  public void close() {
    if (!done) {
      done = true;
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel(); // lets the client drop the connection instead of draining it
      }
    }
  }
}
