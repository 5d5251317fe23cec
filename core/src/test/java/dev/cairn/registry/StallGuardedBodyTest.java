package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/**
 * The body reader as the HTTP client drives it: chunks in, bytes out, the end and errors passed on,
 * and the connection given up (the subscription cancelled) whenever the reader stops early.
 */
class StallGuardedBodyTest {
  /** The client's side of the subscription: what the body asked for. */
  static final class Subscription implements Flow.Subscription {
    long requested;
    int cancels;

    @Override
    public void request(long n) {
      requested += n;
    }

    @Override
    public void cancel() {
      cancels++;
    }
  }

  final Subscription subscription = new Subscription();

  StallGuardedBody body(Duration stall) {
    var body = new StallGuardedBody(stall);
    body.onSubscribe(subscription);
    return body;
  }

  @Test
  void oneByteReadsGiveEachByteUnsignedThenTheEnd() throws IOException {
    var body = body(Duration.ofSeconds(5));
    body.onNext(List.of(ByteBuffer.wrap(new byte[] {(byte) 0xff, 0x00, 0x7f})));
    body.onComplete();
    assertThat(body.read()).isEqualTo(0xff);
    assertThat(body.read()).isEqualTo(0);
    assertThat(body.read()).isEqualTo(0x7f);
    assertThat(body.read()).isEqualTo(-1);
  }

  @Test
  void theEndIsMinusOneEveryTimeItIsRead() throws IOException {
    var body = body(Duration.ofSeconds(5));
    body.onNext(List.of(ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.wrap(new byte[] {3})));
    body.onComplete();
    byte[] b = new byte[8];
    assertThat(body.read(b, 0, 8)).isEqualTo(2);
    assertThat(body.read(b, 2, 6)).isEqualTo(1);
    assertThat(b).startsWith(1, 2, 3);
    assertThat(body.read(b, 0, 8)).isEqualTo(-1);
    assertThat(body.read(b, 0, 8)).isEqualTo(-1);
    assertThat(subscription.requested).isEqualTo(2);
    body.close();
    assertThat(subscription.cancels).as("an ended body has no connection to give up").isZero();
  }

  @Test
  void anIoErrorOfTheClientIsThrownAsItIs() {
    var body = body(Duration.ofSeconds(5));
    var e = new IOException("connection reset");
    body.onError(e);
    assertThatThrownBy(body::read).isSameAs(e);
  }

  @Test
  void anyOtherErrorOfTheClientIsThrownAsAnIoErrorWithItsMessage() {
    var body = body(Duration.ofSeconds(5));
    var e = new IllegalStateException("too many headers");
    body.onError(e);
    assertThatThrownBy(body::read)
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("too many headers")
        .hasCause(e);
  }

  @Test
  void aServerThatSendsNothingIsASilenceAndItsConnectionIsGivenUp() {
    var body = body(Duration.ofMillis(50));
    assertThatThrownBy(body::read)
        .isInstanceOf(NetworkErrors.Silence.class)
        .hasMessage("no data for 50 ms");
    assertThat(subscription.cancels).isEqualTo(1);
  }

  @Test
  void anInterruptedReadThrowsKeepsTheInterruptAndGivesUpTheConnection() {
    var body = body(Duration.ofSeconds(5));
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(body::read)
          .isExactlyInstanceOf(InterruptedIOException.class)
          .hasMessage("interrupted while reading a response");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(subscription.cancels).isEqualTo(1);
  }

  @Test
  void closingBeforeTheEndGivesUpTheConnectionOnce() {
    var body = body(Duration.ofSeconds(5));
    body.onNext(List.of(ByteBuffer.wrap(new byte[] {1})));
    body.close();
    body.close();
    assertThat(subscription.cancels).isEqualTo(1);
  }
}
