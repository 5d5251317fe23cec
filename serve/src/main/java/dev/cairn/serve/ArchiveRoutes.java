package dev.cairn.serve;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.store.Store;
import dev.cairn.tarexport.LoadResult;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.io.Content;

/** Archives: {@code images/get} and {@code images/{name}/get} save, {@code images/load} loads. */
final class ArchiveRoutes implements Call.Routes {
  private final Store store;

  ArchiveRoutes(Store store) {
    this.store = store;
  }

  @Override
  public boolean answer(Call call) throws IOException {
    String name;
    if (call.is("GET", "/images/get")) {
      List<String> names = call.query().getValues("names");
      if (names == null || names.isEmpty()) {
        throw CairnException.invalid("no image names were given");
      }
      save(names, call);
    } else if ((name = call.image("GET", "/get")) != null) {
      save(List.of(name), call); // dockerd's older form for one image, which docker-java sends
    } else if (call.is("POST", "/images/load")) {
      load(call);
    } else {
      return false;
    }
    return true;
  }

  /**
   * The images as one archive, streamed as it is written; a failure before the first byte is an
   * error answer, one after it cuts the archive short (the client sees a broken tar, as with
   * dockerd).
   */
  private void save(List<String> names, Call call) throws IOException {
    for (String n : names) {
      // a name the store lacks is a 404 before anything is sent, named as typed (as dockerd does)
      Call.image(n, n, store::image);
    }
    call.response().setStatus(200);
    call.response().getHeaders().put("Content-Type", "application/x-tar");
    try (OutputStream out = Content.Sink.asOutputStream(call.response())) {
      store.save(names, out);
    } catch (IOException | RuntimeException e) {
      call.callback().failed(e);
      return;
    }
    call.callback().succeeded();
  }

  /**
   * {@code POST /images/load}: the archive is the request's body, read as it arrives; the answer is
   * dockerd's message stream, one {@code stream} line per image loaded.
   */
  private void load(Call call) throws IOException {
    LoadResult result;
    try (InputStream in = Content.Source.asInputStream(call.request())) {
      result = store.load(new BufferedInputStream(in, 1 << 16));
    }
    StringBuilder lines = new StringBuilder();
    for (LoadResult.MovedTag m : result.moved()) {
      lines.append(
          Call.stream(
              "Tag " + m.tag().familiar() + " moved from image " + m.from() + " to " + m.to()));
    }
    for (LoadResult.LoadedImage image : result.images()) {
      if (image.tags().isEmpty()) {
        lines.append(Call.stream("Loaded image ID: " + image.id()));
      }
      for (Reference tag : image.tags()) {
        lines.append(Call.stream("Loaded image: " + tag.familiar()));
      }
    }
    call.response().setStatus(200);
    call.response().getHeaders().put("Content-Type", Call.JSON);
    call.response()
        .write(
            true,
            ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)),
            call.callback());
  }
}
