package dev.cairn.serve;

import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.ProgressListener;
import dev.cairn.store.EngineProgress;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.Content;

/**
 * dockerd's progress stream: one JSON message and {@code \r\n} per event, each sent as it comes.
 * The answer's 200 goes out with the first message, so that what fails before it is still an HTTP
 * error, as dockerd answers. A client that went away makes the next event throw, which ends the
 * pull or push.
 */
final class ProgressStream implements ProgressListener {
  private final Call call;
  private OutputStream out;
  private IOException gone;

  ProgressStream(Call call) {
    this.call = call;
  }

  @Override
  public void on(ProgressEvent event) {
    EngineProgress.Message m = EngineProgress.of(event);
    if (m != null) {
      send(m.json());
    }
  }

  void send(EngineProgress.Message m) {
    send(m.json());
  }

  /** Sends one message; throws (unchecked) when the client is gone. */
  synchronized void send(String json) {
    if (gone != null) {
      throw new UncheckedIOException("the client went away", gone);
    }
    try {
      if (out == null) {
        call.response().setStatus(200);
        call.response().getHeaders().put("Content-Type", Call.JSON);
        out = Content.Sink.asOutputStream(call.response());
      }
      out.write((json + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      gone = e;
      throw new UncheckedIOException("the client went away", e);
    }
  }

  /** Whether the 200 went out: an error now can only be a message in the stream. */
  synchronized boolean started() {
    return out != null;
  }

  /** An error as the stream's last message; the client takes it as the command failing. */
  synchronized void fail(String message) {
    if (gone == null) {
      try {
        send(EngineProgress.error(message));
      } catch (UncheckedIOException ignored) {
        // nobody left to tell
      }
    }
  }

  /** Ends the answer: a 200 with no messages when none was sent. */
  synchronized void finish() {
    if (gone != null) {
      call.callback().failed(gone);
      return;
    }
    try {
      if (out == null) {
        call.response().getHeaders().put("Content-Type", Call.JSON);
        call.empty(200);
        return;
      }
      out.close();
      call.callback().succeeded();
    } catch (IOException e) {
      call.callback().failed(e);
    }
  }
}
