package dev.cairn.cli;

import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.ProgressEvent.Preparing;
import dev.cairn.distribution.ProgressEvent.PushFinished;
import dev.cairn.distribution.ProgressEvent.Pushing;
import dev.cairn.distribution.ProgressListener;
import dev.cairn.store.EngineProgress;
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
      case Preparing p -> render.layerAgain(EngineProgress.of(p)); // once per place, as docker
      case Pushing p -> {
        if (mode != PullProgress.Mode.PLAIN) { // docker prints no progress off a terminal
          render.show(EngineProgress.of(p));
        }
      }
      case PushFinished f -> {
        if (mode == PullProgress.Mode.QUIET) {
          out.println(f.result().reference());
        } else {
          render.show(EngineProgress.of(f));
        }
      }
      default -> render.show(EngineProgress.of(event));
    }
    out.flush();
  }
}
