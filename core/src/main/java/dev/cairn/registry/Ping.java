package dev.cairn.registry;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;

/**
 * {@code GET /v2/}: is this a registry, and may we talk to it. Gives the API version the registry
 * states ({@code registry/2.0}), or null when it states none.
 */
record Ping() implements RegistryOperation<String> {
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
  public String handle(HttpResponse<InputStream> response) {
    return response.headers().firstValue("Docker-Distribution-API-Version").orElse(null);
  }
}
