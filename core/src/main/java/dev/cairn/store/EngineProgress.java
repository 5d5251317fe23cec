package dev.cairn.store;

import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.ProgressEvent.AlreadyExists;
import dev.cairn.distribution.ProgressEvent.Done;
import dev.cairn.distribution.ProgressEvent.Downloaded;
import dev.cairn.distribution.ProgressEvent.Downloading;
import dev.cairn.distribution.ProgressEvent.Exists;
import dev.cairn.distribution.ProgressEvent.Extracting;
import dev.cairn.distribution.ProgressEvent.Finished;
import dev.cairn.distribution.ProgressEvent.Mounted;
import dev.cairn.distribution.ProgressEvent.Preparing;
import dev.cairn.distribution.ProgressEvent.PushFinished;
import dev.cairn.distribution.ProgressEvent.PushStarted;
import dev.cairn.distribution.ProgressEvent.Pushed;
import dev.cairn.distribution.ProgressEvent.Pushing;
import dev.cairn.distribution.ProgressEvent.Queued;
import dev.cairn.distribution.ProgressEvent.Resolved;
import dev.cairn.distribution.ProgressEvent.Resolving;
import dev.cairn.distribution.ProgressEvent.Resuming;
import dev.cairn.distribution.ProgressEvent.Retrying;
import dev.cairn.distribution.ProgressEvent.Verifying;
import dev.cairn.distribution.ProgressEvent.Waiting;
import dev.cairn.json.GoJsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Pull and push progress in dockerd's words: what {@code docker pull} and {@code docker push}
 * print, and what the Engine API streams, come from this one mapping.
 */
public final class EngineProgress {
  private static final int BAR = 50;

  private EngineProgress() {}

  /**
   * One message of dockerd's progress stream.
   *
   * @param id the layer's short ID, the tag being pulled, or null for a line about the whole
   * @param status the words
   * @param current bytes done, or -1 for a message without progress
   * @param total bytes in all, or -1 when unknown
   * @param layer whether it is a layer's state (dockerd's progress update, which carries a {@code
   *     progressDetail}) rather than a line of text
   */
  public record Message(String id, String status, long current, long total, boolean layer) {
    public static Message line(String id, String status) {
      return new Message(id, status, -1, -1, false);
    }

    public static Message layer(String id, String status) {
      return new Message(id, status, -1, -1, true);
    }

    public static Message layer(String id, String status, long current, long total) {
      return new Message(id, status, current, total, true);
    }

    public boolean hasProgress() {
      return current >= 0;
    }

    /** The message as dockerd encodes it, without the stream's line end. */
    public String json() {
      GoJsonWriter w = new GoJsonWriter();
      w.punct('{').name("status").string(status);
      if (layer) {
        w.punct(',').name("progressDetail").punct('{');
        if (hasProgress()) {
          w.name("current").number(current);
          if (total > 0) {
            w.punct(',').name("total").number(total);
          }
        }
        w.punct('}');
        if (hasProgress()) {
          w.punct(',').name("progress").string(bar(current, total));
        }
      }
      if (id != null) {
        w.punct(',').name("id").string(id);
      }
      w.punct('}');
      return new String(w.toByteArray(), StandardCharsets.UTF_8);
    }
  }

  /**
   * The message dockerd sends for {@code event}, or null for an event it keeps to itself. A pull's
   * end is its {@code Digest:} line only: dockerd says {@link #status} once, after every tag.
   */
  public static Message of(ProgressEvent event) {
    return switch (event) {
      case Resolving r -> null;
      // Only now, as docker: a reference the registry does not know gets its error alone.
      case Resolved r ->
          Message.line(
              r.reference().tag() != null ? r.reference().tag() : r.reference().digest().toString(),
              "Pulling from " + r.reference().path());
      case Queued q -> Message.layer(q.layer(), "Pulling fs layer");
      case Waiting w -> Message.layer(w.layer(), "Waiting");
      case AlreadyExists a -> Message.layer(a.layer(), "Already exists");
      case Downloading d -> Message.layer(d.layer(), "Downloading", d.current(), d.total());
      case Verifying v -> Message.layer(v.layer(), "Verifying Checksum");
      case Downloaded d -> Message.layer(d.layer(), "Download complete");
      case Extracting x -> Message.layer(x.layer(), "Extracting", x.current(), x.total());
      case Done d -> Message.layer(d.layer(), "Pull complete");
      case Retrying r -> Message.layer(r.layer(), "Retrying (attempt " + r.attempt() + ")");
      case Resuming r ->
          Message.layer(r.layer(), "Resuming at " + size(r.offset()) + " (" + r.reason() + ")");
      case ProgressEvent.Warning w -> Message.line(null, "Warning: " + w.message());
      case ProgressEvent.FromMirror f ->
          f.layer() == null
              ? Message.line(null, capital(f.object()) + " from mirror " + f.host())
              : Message.layer(f.layer(), "From mirror " + f.host());
      case ProgressEvent.MirrorSkipped m ->
          m.layer() == null
              ? Message.line(
                  null, "Mirror " + m.host() + " failed the " + m.object() + ": " + m.reason())
              : Message.layer(m.layer(), "Mirror " + m.host() + " failed: " + m.reason());
      case Finished f -> Message.line(null, "Digest: " + f.result().manifestDigest());
      case PushStarted s ->
          Message.line(null, "The push refers to repository [" + s.reference().name() + "]");
      case Preparing p -> Message.layer(p.layer(), "Preparing");
      case Pushing p -> Message.layer(p.layer(), "Pushing", p.current(), p.total());
      case Exists e -> Message.layer(e.layer(), "Layer already exists");
      case Pushed p -> Message.layer(p.layer(), "Pushed");
      case Mounted m -> Message.layer(m.layer(), "Mounted from " + m.repository());
      case PushFinished f ->
          Message.line(
              null,
              f.result().reference().tag()
                  + ": digest: "
                  + f.result().manifestDigest()
                  + " size: "
                  + f.result().manifestSize());
    };
  }

  private static String capital(String word) {
    return word.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1);
  }

  /** The last line of a pull of {@code requested} (as the user named it, familiar). */
  public static Message status(String requested, boolean downloaded) {
    return Message.line(
        null,
        "Status: "
            + (downloaded ? "Downloaded newer image for " : "Image is up to date for ")
            + requested);
  }

  /** An error in dockerd's stream: {@code errorDetail.message} and {@code error}. */
  public static String error(String message) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("errorDetail").punct('{').name("message").string(message).punct('}');
    w.punct(',').name("error").string(message).punct('}');
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  /** The end of a push as dockerd sends it to clients: its tag, digest and size, not printed. */
  public static String aux(String tag, String digest, long size) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("progressDetail").punct('{').punct('}').punct(',');
    w.name("aux").punct('{').name("Tag").string(tag).punct(',');
    w.name("Digest").string(digest).punct(',');
    w.name("Size").number(size).punct('}').punct('}');
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  /** docker's progress bar: 50 cells, then sizes done and in all. */
  public static String bar(long current, long total) {
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

  /** Sizes as docker prints them: decimal units, three significant digits. */
  public static String size(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return u == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.3g%s", v, units[u]);
  }
}
