package dev.cairn.distribution;

import dev.cairn.distribution.ProgressEvent.FromMirror;
import dev.cairn.distribution.ProgressEvent.MirrorSkipped;
import dev.cairn.registry.Registry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;

/**
 * Where one pull fetches a repository from: the mirrors registries.conf names for it, in order,
 * then its registry. Each object (manifest, config, tag list, layer) is asked of them in turn; a
 * mirror that fails it (no answer, an error, no such object, bytes that do not verify) is passed
 * over for that object with one note, and the next is asked. What the registry itself answers is
 * the answer. Content is always checked against the digests the pull expects, whoever served it.
 */
final class Origins {
  /** One place to fetch from: {@code repo} on {@code registry}, a mirror or the registry. */
  record Origin(Registry registry, String host, String repo, boolean mirror) {}

  @FunctionalInterface
  interface Ask<T> {
    T of(Origin origin) throws IOException;
  }

  private final List<Origin> list;

  Origins(List<Origin> list) {
    this.list = List.copyOf(list);
  }

  List<Origin> list() {
    return list;
  }

  /**
   * The first answer to {@code ask} for {@code object} (of the layer {@code layer}, else null), the
   * mirrors that fail it passed over, each told to {@code listener}.
   */
  <T> T first(String layer, String object, ProgressListener listener, Ask<T> ask)
      throws IOException {
    for (int i = 0; ; i++) {
      Origin o = list.get(i);
      try {
        T answer = ask.of(o);
        if (o.mirror()) {
          listener.on(new FromMirror(layer, object, o.host()));
        }
        return answer;
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        if (!o.mirror()) {
          throw e;
        }
        listener.on(new MirrorSkipped(layer, object, o.host(), String.valueOf(e.getMessage())));
      }
    }
  }
}
