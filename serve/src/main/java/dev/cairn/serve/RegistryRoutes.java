package dev.cairn.serve;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.PullOptions;
import dev.cairn.distribution.PullResult;
import dev.cairn.distribution.PushOptions;
import dev.cairn.distribution.PushResult;
import dev.cairn.image.Platform;
import dev.cairn.image.Reference;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.store.EngineProgress;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.eclipse.jetty.io.Content;

/**
 * What goes to and from registries: {@code images/create} (pull, or import of the request's body),
 * {@code images/{name}/push} and {@code auth}, with the credentials the client sends.
 */
final class RegistryRoutes implements Call.Routes {
  private final Store store;

  RegistryRoutes(Store store) {
    this.store = store;
  }

  @Override
  public boolean answer(Call call) throws IOException {
    String name;
    if (call.is("POST", "/images/create")) {
      String from = call.param("fromImage");
      if (from != null && !from.isEmpty()) {
        stream(call, s -> pull(call, from, s));
      } else {
        importTarball(call);
      }
    } else if ((name = call.image("POST", "/push")) != null) {
      String image = name;
      stream(call, s -> push(call, image, s));
    } else if (call.is("POST", "/auth")) {
      byte[] body;
      try (InputStream in = Content.Source.asInputStream(call.request())) {
        body = in.readNBytes(1 << 16);
      }
      RegistryAuth auth = RegistryAuth.body(body);
      if (auth.credentials() == null) {
        throw CairnException.invalid("login needs a user name and a password");
      }
      String server =
          auth.server() == null || auth.server().isEmpty() ? "docker.io" : auth.server();
      store.checkLogin(server, auth.credentials());
      GoJsonWriter w = new GoJsonWriter();
      w.punct('{').name("Status").string("Login Succeeded").punct(',');
      w.name("IdentityToken").string("").punct('}');
      call.json(200, w.toByteArray());
    } else {
      return false;
    }
    return true;
  }

  @FunctionalInterface
  private interface Streamed {
    void run(ProgressStream stream) throws IOException;
  }

  /**
   * Runs a pull or push over a progress stream. What fails before the first message is an HTTP
   * error (its status from the failure's kind); after it, the stream's last message.
   */
  private static void stream(Call call, Streamed work) throws IOException {
    ProgressStream stream = new ProgressStream(call);
    try {
      work.run(stream);
    } catch (CairnException | IOException | UncheckedIOException e) {
      if (!stream.started()) {
        if (e instanceof CairnException c && c.kind() == CairnException.Kind.UNAUTHORIZED) {
          // a 401 makes the docker CLI ask for a password, and wait for one where nobody types
          call.error(500, c.getMessage());
          return;
        }
        throw e;
      }
      stream.fail(e.getMessage());
    }
    stream.finish();
  }

  /**
   * {@code POST /images/create?fromImage=NAME&tag=TAG|DIGEST&platform=OS/ARCH}: without a tag, and
   * none in the name, every tag of the repository, as dockerd does.
   */
  private void pull(Call call, String from, ProgressStream stream) throws IOException {
    String image = from.endsWith(":") ? from.substring(0, from.length() - 1) : from; // pull -a
    String tag = call.param("tag");
    Reference ref = Reference.parse(image);
    boolean all = false;
    if (tag != null && !tag.isEmpty()) {
      ref =
          tag.contains(":") // a digest: a tag has no colon
              ? ref.withTag(null).withDigest(Digest.parse(tag))
              : Reference.parse(ref.name() + ":" + tag);
    } else {
      all = nameOnly(image);
    }
    PullOptions options =
        PullOptions.defaults()
            .withCredentials(
                RegistryAuth.header(call.request().getHeaders().get(RegistryAuth.HEADER)).source());
    String platform = call.param("platform");
    if (platform != null && !platform.isEmpty()) {
      options = options.withPlatform(Platform.parse(platform));
    }
    String requested;
    boolean downloaded = false;
    if (all) {
      requested = ref.familiarName();
      for (PullResult r : store.pullAllTags(ref.withTag(null), options, stream)) {
        downloaded |= !r.upToDate();
      }
    } else {
      requested = ref.familiar();
      downloaded = !store.pull(ref, options, stream).upToDate();
    }
    stream.send(EngineProgress.status(requested, downloaded));
  }

  /**
   * {@code POST /images/{name}/push?tag=TAG}: the image under that tag, or without one every tag of
   * the repository; each push ends with dockerd's {@code aux} message of tag, digest and size.
   */
  private void push(Call call, String name, ProgressStream stream) throws IOException {
    String tag = call.param("tag");
    Reference repository = Reference.parse(name);
    List<Reference> refs =
        tag != null && !tag.isEmpty()
            ? List.of(Reference.parse(repository.name() + ":" + tag))
            : store.tagsOf(repository);
    if (refs.isEmpty()) {
      throw CairnException.notFound(
          "An image does not exist locally with the tag: " + repository.familiarName());
    }
    PushOptions options =
        PushOptions.defaults()
            .withCredentials(
                RegistryAuth.header(call.request().getHeaders().get(RegistryAuth.HEADER)).source());
    for (Reference ref : refs) {
      PushResult r = store.push(ref, options, stream);
      stream.send(EngineProgress.aux(ref.tag(), r.manifestDigest().toString(), r.manifestSize()));
    }
  }

  /**
   * {@code POST /images/create?fromSrc=-&repo=R&tag=T&message=M}: the request's body is a root file
   * system tarball made into a one-layer image, as {@code docker import} sends it.
   */
  private void importTarball(Call call) throws IOException {
    String src = call.param("fromSrc");
    if (src == null || src.isEmpty()) {
      throw CairnException.invalid("fromImage or fromSrc is required");
    }
    if (!src.equals("-")) {
      throw CairnException.invalid(
          "cairn imports only the request's body (fromSrc=-), not " + CairnException.quote(src));
    }
    List<String> changes = call.query().getValues("changes");
    if (changes != null && !changes.isEmpty()) {
      throw CairnException.invalid("cairn does not apply changes (--change) to an import");
    }
    String repo = call.param("repo");
    String tag = call.param("tag");
    Reference ref = null;
    if (repo != null && !repo.isEmpty()) {
      ref = Reference.parse(repo + (tag == null || tag.isEmpty() ? "" : ":" + tag));
    }
    String message = call.param("message");
    String comment = message == null || message.isEmpty() ? "Imported from -" : message;
    Reference target = ref;
    stream(
        call,
        s -> {
          String id;
          try (InputStream in = Content.Source.asInputStream(call.request())) {
            id =
                store
                    .importTarball(new java.io.BufferedInputStream(in, 1 << 16), target, comment)
                    .id()
                    .toString();
          }
          s.send(EngineProgress.Message.line(null, id));
        });
  }

  /**
   * Whether the name as sent has neither a tag nor a digest (a {@code :} in the host is a port).
   */
  private static boolean nameOnly(String name) {
    return name.indexOf('@') < 0 && name.lastIndexOf(':') < name.lastIndexOf('/') + 1;
  }
}
