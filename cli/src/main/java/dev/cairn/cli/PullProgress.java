package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.ProgressEvent.AlreadyExists;
import dev.cairn.distribution.ProgressEvent.Done;
import dev.cairn.distribution.ProgressEvent.Downloaded;
import dev.cairn.distribution.ProgressEvent.Downloading;
import dev.cairn.distribution.ProgressEvent.Extracting;
import dev.cairn.distribution.ProgressEvent.Finished;
import dev.cairn.distribution.ProgressEvent.Queued;
import dev.cairn.distribution.ProgressEvent.Resolved;
import dev.cairn.distribution.ProgressEvent.Resolving;
import dev.cairn.distribution.ProgressEvent.Resuming;
import dev.cairn.distribution.ProgressEvent.Retrying;
import dev.cairn.distribution.ProgressEvent.Verifying;
import dev.cairn.distribution.ProgressEvent.Waiting;
import dev.cairn.distribution.ProgressListener;
import dev.cairn.distribution.PullResult;
import dev.cairn.store.EngineJson;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
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

  private static final int BAR = 50;

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
      case Resolved r -> {
        // Only now, as docker: a reference the registry does not know gets its error alone.
        String id =
            r.reference().tag() != null ? r.reference().tag() : r.reference().digest().toString();
        message(id, "Pulling from " + r.reference().path());
      }
      case Queued q -> layer(q.layer(), "Pulling fs layer", -1, -1);
      case Waiting w -> layer(w.layer(), "Waiting", -1, -1);
      case AlreadyExists a -> layer(a.layer(), "Already exists", -1, -1);
      case Downloading d -> layer(d.layer(), "Downloading", d.current(), d.total());
      case Verifying v -> layer(v.layer(), "Verifying Checksum", -1, -1);
      case Downloaded d -> layer(d.layer(), "Download complete", -1, -1);
      case Extracting x -> layer(x.layer(), "Extracting", x.current(), x.total());
      case Done d -> layer(d.layer(), "Pull complete", -1, -1);
      case Retrying r -> layer(r.layer(), "Retrying (attempt " + r.attempt() + ")", -1, -1);
      case Resuming r ->
          layer(r.layer(), "Resuming at " + size(r.offset()) + " (" + r.reason() + ")", -1, -1);
      case ProgressEvent.Warning w -> message(null, "Warning: " + w.message());
      case Finished f -> finished(f.result());
      case ProgressEvent.PushEvent p -> {} // a pull sends none
    }
    out.flush();
  }

  private void finished(PullResult r) {
    if (mode == Mode.QUIET) {
      out.println(r.reference().familiar());
      return;
    }
    message(null, "Digest: " + r.manifestDigest());
    message(null, "Image ID: " + r.imageId());
    message(
        null,
        "Status: "
            + (r.upToDate() ? "Image is up to date for " : "Downloaded newer image for ")
            + r.reference().familiar());
    if (mode != Mode.JSON) {
      out.println(r.reference());
    }
  }

  /** A line that is not about one layer. */
  void message(String id, String status) {
    switch (mode) {
      case QUIET -> {}
      case JSON -> json(id, status, -1, -1);
      case TERMINAL, PLAIN -> {
        out.println(id == null ? status : id + ": " + status);
        drawn = 0;
        lines.clear(); // the next layer lines start below this one
      }
    }
  }

  /** As {@link #layer}, but a plain line is printed even when the layer's status is unchanged. */
  void layerAgain(String id, String status) {
    if (mode == Mode.PLAIN) {
      lastStatus.remove(id);
    }
    layer(id, status, -1, -1);
  }

  void layer(String id, String status, long current, long total) {
    switch (mode) {
      case QUIET -> {}
      case JSON -> json(id, status, current, total);
      case PLAIN -> {
        if (!status.equals(lastStatus.put(id, status))) {
          String size = total > 0 ? " " + size(total) : "";
          out.println(id + ": " + status + (current >= 0 ? size : ""));
        }
      }
      case TERMINAL -> {
        String text = id + ": " + status + (current >= 0 ? " " + bar(current, total) : "");
        lines.put(id, text);
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

  static String bar(long current, long total) {
    if (total <= 0) {
      return size(current);
    }
    int filled = (int) Math.min(BAR, current * BAR / total);
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < BAR; i++) {
      b.append(i < filled ? '=' : i == filled ? '>' : ' ');
    }
    return b.append("] ").append(size(current)).append('/').append(size(total)).toString();
  }

  /** Sizes as Docker prints them: decimal units, three significant digits. */
  static String size(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return u == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.3g%s", v, units[u]);
  }

  private void json(String id, String status, long current, long total) {
    out.println(
        EngineJson.progress(id, status, current, total, current >= 0 ? bar(current, total) : ""));
  }

  /** An error as Docker's JSON stream reports it. */
  static String jsonError(String message) {
    return EngineJson.error(message);
  }
}
