package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.digest.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A client for one registry speaking the distribution (Registry v2 / OCI) API. Blocking and
 * thread-safe: meant to be shared by many virtual threads. Close it to release its connections.
 *
 * <pre>{@code
 * try (Registry r = Registry.open("127.0.0.1:5000", RegistryOptions.defaults())) {
 *   FetchedManifest m = r.manifest("library/alpine", "3.20");
 *   try (InputStream in = r.blob("library/alpine", layerDigest, layerSize)) { ... }
 * }
 * }</pre>
 */
public final class Registry implements AutoCloseable {
  /** Docker Hub's API lives on another host than the name users write. */
  private static final String DOCKER_HUB = "docker.io";

  private static final String DOCKER_HUB_API = "registry-1.docker.io";
  private static final int MAX_TAG_PAGES = 10_000;

  private final String host;
  private final RegistryOptions options;
  private final Transport transport;
  private final ManifestVerifier verifier;
  private final BlobUpload upload;

  private Registry(String host, RegistryOptions options, ManifestVerifier verifier)
      throws IOException {
    this.host = host;
    this.options = options;
    this.verifier = verifier;
    this.transport = new Transport(host, host.equals(DOCKER_HUB) ? DOCKER_HUB_API : host, options);
    this.upload = new BlobUpload(transport, host, options.retry());
  }

  /**
   * A client for {@code host} (a reference's domain: {@code docker.io}, {@code localhost:5000}).
   * Nothing is sent yet. Loopback hosts and those in {@link RegistryOptions#insecureRegistries()}
   * are reached over plain HTTP, all others over TLS.
   */
  public static Registry open(String host, RegistryOptions options) throws IOException {
    return open(host, options, ManifestVerifier.structural());
  }

  /** As {@link #open(String, RegistryOptions)}, with the manifest checks given. */
  public static Registry open(String host, RegistryOptions options, ManifestVerifier verifier)
      throws IOException {
    if (host == null || host.isEmpty() || !host.chars().allMatch(Registry::isHostChar)) {
      throw CairnException.invalid(
          "invalid registry host \"" + RegistryErrors.printable(String.valueOf(host)) + "\"");
    }
    return new Registry(host, options, verifier);
  }

  public String host() {
    return host;
  }

  /**
   * Checks that the host speaks the API and that we may talk to it (credentials included); gives
   * the API version it states ({@code registry/2.0}), or null.
   */
  public String ping() throws IOException {
    return run(new Ping());
  }

  /**
   * The manifest named by a tag or a digest, as sent, checked against its media type; when asked by
   * digest, against that digest too (schema1: over its JWS payload).
   */
  public FetchedManifest manifest(String repository, String tagOrDigest) throws IOException {
    checkRepository(repository);
    if (!Digest.isValid(tagOrDigest) && !isTag(tagOrDigest)) {
      throw CairnException.invalid(
          "invalid tag or digest \""
              + RegistryErrors.printable(String.valueOf(tagOrDigest))
              + "\"");
    }
    return run(new ManifestFetch(repository, tagOrDigest, verifier));
  }

  /**
   * A blob's bytes. The request is made at once (so a missing blob fails here); reading then
   * resumes after dropped connections, and the stream throws at its end unless the bytes have
   * exactly {@code size} (when not -1) and {@code digest}. Read it to the end, then close it.
   */
  public InputStream blob(String repository, Digest digest, long size) throws IOException {
    return blob(repository, digest, size, ResumeListener.NONE);
  }

  /**
   * As {@link #blob(String, Digest, long)}, telling {@code listener} each time the download broke
   * off (a dropped connection, a silence longer than the read timeout) and goes on.
   */
  public InputStream blob(String repository, Digest digest, long size, ResumeListener listener)
      throws IOException {
    checkRepository(repository);
    String what = "fetching blob " + digest + " of " + repository + " from " + host;
    Transport.Call call =
        new Transport.Call(
            "GET",
            transport.base().resolve("/v2/" + repository + "/blobs/" + digest),
            List.of(),
            Map.of(),
            RegistryOperation.pullScope(repository),
            what);
    BlobInputStream raw = new BlobInputStream(transport, call, size, options.retry(), listener);
    try {
      raw.start();
    } catch (CairnException e) {
      raw.close();
      throw e;
    } catch (IOException e) {
      raw.close();
      throw e;
    }
    return new VerifyingInputStream(raw, digest, size, what);
  }

  /** Every tag of the repository, following the API's pagination. */
  public List<String> tags(String repository) throws IOException {
    return tags(repository, 0);
  }

  /** Every tag, asking for pages of {@code pageSize} (0: let the registry choose). */
  List<String> tags(String repository, int pageSize) throws IOException {
    checkRepository(repository);
    List<String> all = new ArrayList<>();
    Set<URI> seen = new HashSet<>();
    URI page = TagList.first(transport.base(), repository, pageSize);
    while (page != null) {
      if (!seen.add(page) || seen.size() > MAX_TAG_PAGES) {
        throw CairnException.invalid(
            "listing tags of " + repository + " from " + host + ": pagination loops or never ends");
      }
      TagList.Page p = run(new TagList(repository, page));
      all.addAll(p.tags());
      page = p.next();
    }
    return List.copyOf(all);
  }

  /** The size of a blob the repository holds, or empty when it holds none of that digest. */
  public OptionalLong blobSize(String repository, Digest digest) throws IOException {
    checkRepository(repository);
    return upload.size(repository, digest);
  }

  /**
   * Mounts a blob that {@code fromRepository} of this registry holds into {@code repository}: true
   * when the registry did; false when it opened an upload session instead (the source lacks the
   * blob, or the registry does not mount), which is cancelled so that the caller uploads.
   */
  public boolean mountBlob(String repository, Digest digest, String fromRepository)
      throws IOException {
    checkRepository(repository);
    checkRepository(fromRepository);
    return upload.mount(repository, digest, fromRepository);
  }

  /**
   * Uploads a blob into {@code repository}: a session, the bytes in one streamed PATCH, then the
   * PUT with their digest (computed while they stream unless the source knows it). An attempt that
   * fails for want of the registry starts over with a new session, as the retry policy allows.
   */
  public UploadedBlob uploadBlob(String repository, BlobSource source, UploadListener listener)
      throws IOException {
    checkRepository(repository);
    return upload.upload(repository, source, listener);
  }

  /**
   * PUTs a manifest under a tag or digest with {@code mediaType} as its Content-Type; returns its
   * digest (schema1: of the payload without signatures), which the registry's answer must match.
   * Push every blob it names first: the registry refuses a manifest naming a blob it lacks.
   */
  public Digest putManifest(String repository, String reference, String mediaType, byte[] body)
      throws IOException {
    checkRepository(repository);
    if (!Digest.isValid(reference) && !isTag(reference)) {
      throw CairnException.invalid(
          "invalid tag or digest \"" + RegistryErrors.printable(String.valueOf(reference)) + "\"");
    }
    Digest expected = verifier.verify(body, mediaType).digest();
    return ManifestPut.put(
        upload, transport.base(), host, repository, reference, mediaType, body, expected);
  }

  /** Authorization state, for tests. */
  Authenticator authenticator() {
    return transport.authenticator();
  }

  private <T> T run(RegistryOperation<T> op) throws IOException {
    String what = op.describe() + " from " + host;
    Transport.Call call =
        new Transport.Call(
            op.method(), op.uri(transport.base()), op.accept(), op.headers(), op.scope(), what);
    HttpResponse<InputStream> r = transport.send(call);
    try {
      if (r.statusCode() / 100 != 2) {
        throw RegistryErrors.of(r, what);
      }
      try (InputStream body = r.body()) {
        return op.handle(r);
      } catch (CairnException e) {
        throw e.in(what);
      }
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw transport.failure(what, r.uri(), e);
    }
  }

  private static void checkRepository(String repository) {
    boolean ok =
        repository != null
            && !repository.isEmpty()
            && !repository.startsWith("/")
            && !repository.endsWith("/")
            && !repository.contains("//")
            && !repository.contains("..")
            && repository
                .chars()
                .allMatch(
                    c ->
                        c >= 'a' && c <= 'z'
                            || c >= '0' && c <= '9'
                            || c == '.'
                            || c == '_'
                            || c == '-'
                            || c == '/');
    if (!ok) {
      throw CairnException.invalid(
          "invalid repository name \""
              + RegistryErrors.printable(String.valueOf(repository))
              + "\"");
    }
  }

  private static boolean isTag(String s) {
    return s != null
        && !s.isEmpty()
        && s.length() <= 128
        && s.chars()
            .allMatch(
                c ->
                    c >= 'a' && c <= 'z'
                        || c >= 'A' && c <= 'Z'
                        || c >= '0' && c <= '9'
                        || c == '_'
                        || c == '.'
                        || c == '-')
        && s.charAt(0) != '.'
        && s.charAt(0) != '-';
  }

  private static boolean isHostChar(int c) {
    return c >= 'a' && c <= 'z'
        || c >= 'A' && c <= 'Z'
        || c >= '0' && c <= '9'
        || c == '.'
        || c == '-'
        || c == ':'
        || c == '['
        || c == ']';
  }

  @Override
  public void close() {
    transport.close();
  }
}
