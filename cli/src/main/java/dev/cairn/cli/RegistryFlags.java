package dev.cairn.cli;

import dev.cairn.registry.RegistryOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** How to reach registries, as pull and push take it: plain-HTTP hosts and extra CAs. */
final class RegistryFlags {
  @Option(
      names = "--insecure-registry",
      paramLabel = "HOST[:PORT]",
      description = "Talk plain HTTP to this registry (repeatable); loopback hosts always may.")
  List<String> insecure = new ArrayList<>();

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description = "Also trust the CA certificates in this PEM file (repeatable).")
  List<Path> caCerts = new ArrayList<>();

  RegistryOptions applyTo(RegistryOptions options) {
    return options.withInsecureRegistries(Set.copyOf(insecure)).withCaCertificates(caCerts);
  }
}
