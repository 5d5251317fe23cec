package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * PUTs a manifest under a tag or digest, and checks the digest the registry answers against the
 * bytes sent (for schema1, against its payload without signatures, which is what the registry
 * keeps).
 */
final class ManifestPut {
  private ManifestPut() {}

  static Digest put(
      BlobUpload http,
      URI base,
      String host,
      String repository,
      String reference,
      String mediaType,
      byte[] body,
      Digest expected)
      throws IOException {
    String what = "putting manifest " + reference + " of " + repository + " to " + host;
    HttpResponse<InputStream> r =
        http.send(
            "PUT",
            base.resolve("/v2/" + repository + "/manifests/" + reference),
            RegistryOperation.pushScope(repository, null),
            what,
            Map.of("Content-Type", mediaType),
            HttpRequest.BodyPublishers.ofByteArray(body));
    if (r.statusCode() != 201 && r.statusCode() != 200) {
      throw RegistryErrors.of(r, what);
    }
    Transport.discard(r);
    String answered = r.headers().firstValue("Docker-Content-Digest").orElse(null);
    if (answered != null && !answered.equals(expected.toString())) {
      throw CairnException.invalid(
          what
              + ": the registry answered digest "
              + RegistryErrors.printable(answered)
              + ", the manifest sent is "
              + expected);
    }
    return expected;
  }
}
