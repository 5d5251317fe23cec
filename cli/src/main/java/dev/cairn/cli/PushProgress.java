package dev.cairn.cli;

import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.ProgressEvent.AlreadyExists;
import dev.cairn.distribution.ProgressEvent.Mounted;
import dev.cairn.distribution.ProgressEvent.Preparing;
import dev.cairn.distribution.ProgressEvent.PushFinished;
import dev.cairn.distribution.ProgressEvent.PushStarted;
import dev.cairn.distribution.ProgressEvent.Pushed;
import dev.cairn.distribution.ProgressEvent.Pushing;
import dev.cairn.distribution.ProgressEvent.Retrying;
import dev.cairn.distribution.ProgressEvent.Waiting;
import dev.cairn.distribution.ProgressListener;
import java.io.PrintWriter;

/**
 * Renders push progress in docker push's words, drawn as pull's progress is (bars on a terminal,
 * lines, Docker's JSON stream, or only the references pushed with {@code -q}).
 */
final class PushProgress implements ProgressListener {
  private final PullProgress.Mode mode;
  private final PrintWriter out;
  private final PullProgress render;

  PushProgress(PullProgress.Mode mode, PrintWriter out) {
    this.mode = mode;
    this.out = out;
    this.render = new PullProgress(mode, out);
  }

  @Override
  public synchronized void on(ProgressEvent event) {
    switch (event) {
      case PushStarted s ->
          render.message(null, "The push refers to repository [" + s.reference().name() + "]");
      case Preparing p -> render.layerAgain(p.layer(), "Preparing"); // once per place, as docker

      case Waiting w -> render.layer(w.layer(), "Waiting", -1, -1);
      case AlreadyExists a -> render.layer(a.layer(), "Layer already exists", -1, -1);
      case Pushing p -> {
        if (mode != PullProgress.Mode.PLAIN) { // docker prints no progress off a terminal
          render.layer(p.layer(), "Pushing", p.current(), p.total());
        }
      }
      case Pushed p -> render.layer(p.layer(), "Pushed", -1, -1);
      case Mounted m -> render.layer(m.layer(), "Mounted from " + m.repository(), -1, -1);
      case Retrying r -> render.layer(r.layer(), "Retrying (attempt " + r.attempt() + ")", -1, -1);
      case PushFinished f -> {
        if (mode == PullProgress.Mode.QUIET) {
          out.println(f.result().reference());
        } else {
          render.message(
              null,
              f.result().reference().tag()
                  + ": digest: "
                  + f.result().manifestDigest()
                  + " size: "
                  + f.result().manifestSize());
        }
      }
      default -> {} // the pull's own events
    }
    out.flush();
  }
}
