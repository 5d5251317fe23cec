package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /v2/<name>/manifests/<reference>} with every manifest type in Accept; the answer is
 * capped, checked against its media type and, when asked by digest, against that digest.
 */
record ManifestFetch(String repository, String tagOrDigest, ManifestVerifier verifier)
    implements RegistryOperation<FetchedManifest> {

  /** Manifests larger than this are refused (4 MiB, as containerd and distribution do). */
  static final int MAX_MANIFEST = 4 * 1024 * 1024;

  @Override
  public URI uri(URI base) {
    return base.resolve("/v2/" + repository + "/manifests/" + tagOrDigest);
  }

  @Override
  public List<String> accept() {
    return MediaTypes.MANIFEST_ACCEPT;
  }

  @Override
  public String scope() {
    return RegistryOperation.pullScope(repository);
  }

  @Override
  public String describe() {
    return "fetching manifest " + tagOrDigest + " of " + repository;
  }

  @Override
  public FetchedManifest handle(HttpResponse<InputStream> response) throws IOException {
    long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (length > MAX_MANIFEST) {
      throw CairnException.invalid("manifest of " + length + " bytes is over the 4 MiB limit");
    }
    byte[] bytes = response.body().readNBytes(MAX_MANIFEST + 1);
    if (bytes.length > MAX_MANIFEST) {
      throw CairnException.invalid("manifest is over the 4 MiB limit");
    }
    String contentType =
        response
            .headers()
            .firstValue("Content-Type")
            .map(v -> v.split(";", 2)[0].trim().toLowerCase(Locale.ROOT))
            .orElse(null);
    ManifestVerifier.Verified v = verifier.verify(bytes, contentType);
    Digest digest = v.digest();
    if (Digest.isValid(tagOrDigest)) {
      Digest wanted = Digest.parse(tagOrDigest);
      Digest actual =
          wanted.algorithm() == digest.algorithm()
              ? digest
              : Digest.of(wanted.algorithm(), bytes, 0, bytes.length);
      if (!actual.equals(wanted)) {
        throw CairnException.invalid("digest mismatch: content hashes to " + actual);
      }
    }
    // Not proof of anything, but a disagreement means the bytes changed on the way.
    String claimed = response.headers().firstValue("Docker-Content-Digest").orElse(null);
    if (claimed != null && Digest.isValid(claimed)) {
      Digest c = Digest.parse(claimed);
      if (c.algorithm() == digest.algorithm() && !c.equals(digest)) {
        throw CairnException.invalid(
            "the registry says the digest is " + c + " but the content hashes to " + digest);
      }
    }
    return new FetchedManifest(bytes, v.mediaType(), digest);
  }
}
