package dev.cairn.registry;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;

/** {@code GET /v2/}: is this a registry, and may we talk to it. */
record Ping() implements RegistryOperation<Void> {
  @Override
  public URI uri(URI base) {
    return base.resolve("/v2/");
  }

  @Override
  public String scope() {
    return null;
  }

  @Override
  public String describe() {
    return "checking the registry API";
  }

  @Override
  public Void handle(HttpResponse<InputStream> response) {
    return null;
  }
}
