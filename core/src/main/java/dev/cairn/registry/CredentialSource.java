package dev.cairn.registry;

import java.io.IOException;
import java.util.Optional;

/** Finds the credentials for a registry host ({@code docker.io}, {@code 127.0.0.1:5000}). */
@FunctionalInterface
public interface CredentialSource {

  /** The credentials to use with {@code host}, or empty to go anonymous. */
  Optional<Credentials> credentials(String host) throws IOException;

  /** Anonymous everywhere. */
  static CredentialSource none() {
    return host -> Optional.empty();
  }

  /** These credentials for {@code forHost} only (the {@code --username} case). */
  static CredentialSource of(String forHost, Credentials credentials) {
    return host -> host.equals(forHost) ? Optional.of(credentials) : Optional.empty();
  }

  /** This source first, then {@code fallback} for hosts it knows nothing about. */
  default CredentialSource orElse(CredentialSource fallback) {
    return host -> {
      Optional<Credentials> found = credentials(host);
      return found.isPresent() ? found : fallback.credentials(host);
    };
  }
}
