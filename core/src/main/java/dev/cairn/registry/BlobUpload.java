package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.digest.DigestingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The push side of the blob API: HEAD to find a blob, a cross-repository mount, and the upload
 * itself (POST for a session, one streamed PATCH, or chunks when the registry asks for them ({@link
 * ChunkedUpload}), then PUT with the digest). A failed upload starts again with a new session, as
 * the retry policy allows.
 */
final class BlobUpload {
  static final String OCTETS = "application/octet-stream";

  private final Transport transport;
  private final String host;
  private final RetryPolicy retry;

  /** Whether files may still be sent by {@link FilePatch}: off after its first failure. */
  private volatile boolean filePatches = true;

  BlobUpload(Transport transport, String host, RetryPolicy retry) {
    this.transport = transport;
    this.host = host;
    this.retry = retry;
  }

  OptionalLong size(String repository, Digest digest) throws IOException {
    String what = "looking for blob " + digest + " in " + repository + " on " + host;
    HttpResponse<InputStream> r =
        send(
            "HEAD",
            transport.base().resolve("/v2/" + repository + "/blobs/" + digest),
            RegistryOperation.pullScope(repository),
            what,
            Map.of(),
            null);
    int status = r.statusCode();
    if (status / 100 != 2 && status != 404) {
      throw RegistryErrors.of(r, what);
    }
    Transport.discard(r);
    if (status == 404) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(r.headers().firstValueAsLong("Content-Length").orElse(-1));
  }

  boolean mount(String repository, Digest digest, String from) throws IOException {
    String what =
        "mounting blob " + digest + " from " + from + " into " + repository + " on " + host;
    URI uri =
        blobs(repository)
            .resolve("uploads/?mount=" + encode(digest.toString()) + "&from=" + encode(from));
    HttpResponse<InputStream> r =
        send("POST", uri, RegistryOperation.pushScope(repository, from), what, Map.of(), null);
    int status = r.statusCode();
    if (status == 201) {
      Transport.discard(r);
      return true;
    }
    if (status != 202) {
      throw RegistryErrors.of(r, what);
    }
    Transport.discard(r);
    // The registry opened an ordinary session instead: cancel it, the caller uploads anew.
    URI session = location(r, what);
    HttpResponse<InputStream> d =
        send(
            "DELETE", session, RegistryOperation.pushScope(repository, null), what, Map.of(), null);
    Transport.discard(d);
    return false;
  }

  UploadedBlob upload(String repository, BlobSource source, UploadListener listener)
      throws IOException {
    String what = "uploading a blob to " + repository + " on " + host;
    int attempt = 1;
    long start = System.nanoTime();
    while (true) {
      try {
        return attempt(repository, source, listener, what);
      } catch (InterruptedIOException e) {
        throw e;
      } catch (CairnException e) {
        var wait = retry.backoff(attempt);
        if (e.kind() != CairnException.Kind.UNAVAILABLE
            || !retry.allowsAnother(attempt, start, wait)) {
          throw e;
        }
        listener.restarting(e.getMessage());
        Transport.pause(wait);
        attempt++;
      }
    }
  }

  private UploadedBlob attempt(
      String repository, BlobSource source, UploadListener listener, String what)
      throws IOException {
    String scope = RegistryOperation.pushScope(repository, null);
    HttpResponse<InputStream> r =
        send("POST", blobs(repository).resolve("uploads/"), scope, what, Map.of(), null);
    expect(r, 202, what);
    URI session = location(r, what);
    int chunk = ChunkedUpload.chunkSize(r);
    if (chunk > 0) {
      ChunkedUpload.Sent sent =
          ChunkedUpload.send(this, session, scope, what, source, listener, chunk);
      return finish(sent.session(), scope, what, source, sent.digest(), sent.size());
    }
    if (filePatches
        && source.file().isPresent()
        && source.digest().isPresent()
        && FilePatch.applies(session, transport.base())) {
      // A file of known digest to a plain-HTTP registry: the kernel sends it (the registry
      // checks the digest on the PUT). Any trouble, and this upload and the next take the
      // ordinary path.
      Path file = source.file().get();
      long size = Files.size(file);
      URI next;
      try {
        next =
            FilePatch.send(
                session,
                file,
                size,
                transport.authenticator().authorization(scope),
                transport.options(),
                listener,
                what);
      } catch (IOException e) {
        filePatches = false;
        throw new CairnException(
            CairnException.Kind.UNAVAILABLE, what + ": " + transport.reason(session, e));
      } catch (CairnException e) {
        filePatches = false;
        throw new CairnException(CairnException.Kind.UNAVAILABLE, e.getMessage());
      }
      return finish(next, scope, what, source, source.digest().get(), size);
    }

    // The transport opens the bytes again when it answers a 401; each stream opened is closed
    // here, so that a source producing them on a thread of its own stops.
    List<DigestingInputStream> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicReference<DigestingInputStream> streamed = new AtomicReference<>();
    HttpRequest.BodyPublisher body =
        HttpRequest.BodyPublishers.ofInputStream(
            () -> {
              try {
                DigestingInputStream in =
                    new DigestingInputStream(
                        counting(source.open(), listener), Digest.Algorithm.SHA256);
                opened.add(in);
                streamed.set(in);
                return in;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    try {
      r = send("PATCH", session, scope, what, Map.of("Content-Type", OCTETS), body);
    } finally {
      for (DigestingInputStream in : opened) {
        try {
          in.close();
        } catch (IOException ignored) {
          // closing only stops the producer; the upload's outcome is decided above
        }
      }
    }
    expectSuccess(r, what);
    session = location(r, what);
    DigestingInputStream in = streamed.get();
    if (in == null) {
      throw CairnException.invalid(what + ": the blob's bytes were never read");
    }
    long size = in.size();
    Digest digest = in.digest();
    return finish(session, scope, what, source, digest, size);
  }

  /**
   * Closes the session with the blob's digest (appended to a Location that has a query), once the
   * bytes sent are found to have the digest the source said they would.
   */
  private UploadedBlob finish(
      URI session, String scope, String what, BlobSource source, Digest digest, long size)
      throws IOException {
    if (source.digest().isPresent() && !source.digest().get().equals(digest)) {
      throw CairnException.invalid(
          what + ": the bytes have digest " + digest + ", not " + source.digest().get());
    }
    String sep = session.getRawQuery() == null ? "?" : "&";
    URI put = URI.create(session + sep + "digest=" + encode(digest.toString()));
    HttpResponse<InputStream> r =
        send("PUT", put, scope, what, Map.of("Content-Type", OCTETS), null);
    expectSuccess(r, what);
    return new UploadedBlob(digest, size);
  }

  private static InputStream counting(InputStream in, UploadListener listener) {
    return new FilterInputStream(in) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
          listener.sent(n);
        }
        return n;
      }
    };
  }

  /**
   * A PATCH or PUT of the upload: any 2xx succeeds, as in docker's distribution client (the spec
   * names 202 and 201; registries differ).
   */
  void expectSuccess(HttpResponse<InputStream> r, String what) throws IOException {
    if (r.statusCode() / 100 != 2) {
      throw RegistryErrors.of(r, what);
    }
    Transport.discard(r);
  }

  void expect(HttpResponse<InputStream> r, int status, String what) throws IOException {
    if (r.statusCode() != status) {
      if (r.statusCode() / 100 == 2) {
        Transport.discard(r);
        throw CairnException.invalid(
            what + ": expected " + status + " from the registry, got " + r.statusCode());
      }
      throw RegistryErrors.of(r, what);
    }
    Transport.discard(r);
  }

  static URI location(HttpResponse<InputStream> r, String what) {
    String loc =
        r.headers()
            .firstValue("Location")
            .orElseThrow(
                () -> CairnException.invalid(what + ": the upload answer has no Location"));
    try {
      return r.uri().resolve(loc);
    } catch (IllegalArgumentException e) {
      throw CairnException.invalid(what + ": the upload Location is not a URL");
    }
  }

  HttpResponse<InputStream> send(
      String method,
      URI uri,
      String scope,
      String what,
      Map<String, String> headers,
      HttpRequest.BodyPublisher body)
      throws IOException {
    return transport.send(new Transport.Call(method, uri, List.of(), headers, scope, what, body));
  }

  private URI blobs(String repository) {
    return transport.base().resolve("/v2/" + repository + "/blobs/");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
