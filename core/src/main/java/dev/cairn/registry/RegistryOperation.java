package dev.cairn.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * One request of the distribution API: what it asks, with which Accept list and scope, how it reads
 * a successful answer, and how it names itself in errors ("fetching manifest 3.20 of
 * library/alpine").
 */
interface RegistryOperation<T> {

  default String method() {
    return "GET";
  }

  URI uri(URI base);

  default List<String> accept() {
    return List.of();
  }

  default Map<String, String> headers() {
    return Map.of();
  }

  /** The token scope, e.g. {@code repository:library/alpine:pull}; null for none. */
  String scope();

  String describe();

  /** Reads a 2xx answer; the caller closes the body afterwards. */
  T handle(HttpResponse<InputStream> response) throws IOException;

  static String pullScope(String repository) {
    return "repository:" + repository + ":pull";
  }

  /** Push scope on {@code repository}, with pull on a mount source when there is one. */
  static String pushScope(String repository, String mountFrom) {
    String push = "repository:" + repository + ":pull,push";
    return mountFrom == null || mountFrom.equals(repository)
        ? push
        : push + " " + pullScope(mountFrom);
  }
}
