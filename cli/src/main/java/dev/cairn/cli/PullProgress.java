package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.ProgressEvent.Finished;
import dev.cairn.distribution.ProgressEvent.Resolving;
import dev.cairn.distribution.ProgressListener;
import dev.cairn.distribution.PullResult;
import dev.cairn.store.EngineProgress;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders pull progress as Docker does: on a terminal one line per layer redrawn in place, else one
 * plain line per state change, or Docker's JSON message stream, or nothing but the reference.
 */
final class PullProgress implements ProgressListener {
  enum Mode {
    TERMINAL,
    PLAIN,
    JSON,
    QUIET;

    /** What {@code -q} and {@code --progress} ask for; auto draws bars only on a terminal. */
    static Mode of(boolean quiet, String progress, boolean terminal) {
      if (quiet) {
        return QUIET;
      }
      return switch (progress) {
        case "auto" -> terminal ? TERMINAL : PLAIN;
        case "plain" -> PLAIN;
        case "json" -> JSON;
        case "tty" -> TERMINAL;
        default ->
            throw CairnException.invalid(
                "--progress must be auto, plain or json, not " + CairnException.quote(progress));
      };
    }
  }

  private final Mode mode;
  private final PrintWriter out;
  private final Map<String, String> lines = new LinkedHashMap<>();
  private final Map<String, String> lastStatus = new LinkedHashMap<>();
  private int drawn;

  PullProgress(Mode mode, PrintWriter out) {
    this.mode = mode;
    this.out = out;
  }

  @Override
  public synchronized void on(ProgressEvent event) {
    switch (event) {
      case Resolving r -> {
        lines.clear();
        lastStatus.clear();
        drawn = 0;
      }
      case Finished f -> finished(f.result());
      default -> show(EngineProgress.of(event));
    }
    out.flush();
  }

  /** A message in dockerd's words, drawn as this mode draws it. */
  void show(EngineProgress.Message m) {
    if (m == null) {
      return;
    }
    if (m.layer()) {
      layer(m);
    } else {
      message(m);
    }
  }

  private void finished(PullResult r) {
    if (mode == Mode.QUIET) {
      out.println(r.reference().familiar());
      return;
    }
    show(EngineProgress.of(new Finished(r)));
    message(EngineProgress.Message.line(null, "Image ID: " + r.imageId()));
    message(EngineProgress.status(r.reference().familiar(), !r.upToDate()));
    if (mode != Mode.JSON) {
      out.println(r.reference());
    }
  }

  /** A line that is not about one layer. */
  private void message(EngineProgress.Message m) {
    switch (mode) {
      case QUIET -> {}
      case JSON -> out.println(m.json());
      case TERMINAL, PLAIN -> {
        out.println(m.id() == null ? m.status() : m.id() + ": " + m.status());
        drawn = 0;
        lines.clear(); // the next layer lines start below this one
      }
    }
  }

  /** As {@link #layer}, but a plain line is printed even when the layer's status is unchanged. */
  void layerAgain(EngineProgress.Message m) {
    if (mode == Mode.PLAIN) {
      lastStatus.remove(m.id());
    }
    layer(m);
  }

  private void layer(EngineProgress.Message m) {
    switch (mode) {
      case QUIET -> {}
      case JSON -> out.println(m.json());
      case PLAIN -> {
        if (!m.status().equals(lastStatus.put(m.id(), m.status()))) {
          String size = m.total() > 0 ? " " + EngineProgress.size(m.total()) : "";
          out.println(m.id() + ": " + m.status() + (m.hasProgress() ? size : ""));
        }
      }
      case TERMINAL -> {
        String text =
            m.id()
                + ": "
                + m.status()
                + (m.hasProgress() ? " " + EngineProgress.bar(m.current(), m.total()) : "");
        lines.put(m.id(), text);
        redraw();
      }
    }
  }

  // Moves up over the lines drawn before and writes them all again, each line cleared first.
  private void redraw() {
    StringBuilder b = new StringBuilder();
    if (drawn > 0) {
      b.append("\033[").append(drawn).append('A');
    }
    for (String line : lines.values()) {
      b.append("\r\033[2K").append(line).append('\n');
    }
    drawn = lines.size();
    out.print(b);
  }
}
