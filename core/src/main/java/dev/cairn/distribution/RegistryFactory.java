package dev.cairn.distribution;

import dev.cairn.registry.Registry;
import java.io.IOException;

/** Opens the client for a registry host; a {@link Puller} opens each host once and closes it. */
@FunctionalInterface
public interface RegistryFactory {
  Registry open(String host) throws IOException;
}
