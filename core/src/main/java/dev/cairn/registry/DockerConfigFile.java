package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.json.GoJsonWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the docker CLI's {@code config.json}: the document is read whole and written back with
 * every member kept as it was (unknown ones too), only {@code auths} entries changed; tab-indented
 * as docker writes it, through a temporary file renamed into place, mode 0600, in a directory made
 * 0700 when missing. {@link DockerConfigCredentials} reads the same file.
 */
final class DockerConfigFile {
  private static final int MAX_CONFIG = 4 * 1024 * 1024;

  private final Path file;
  private final Map<String, Object> document;

  private DockerConfigFile(Path file, Map<String, Object> document) {
    this.file = file;
    this.document = document;
  }

  @SuppressWarnings("unchecked")
  static DockerConfigFile read(Path file) throws IOException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_CONFIG) {
        throw CairnException.invalid(file + ": larger than 4 MiB");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new DockerConfigFile(file, new LinkedHashMap<>());
    }
    Object json;
    try {
      json = bytes.length == 0 ? new LinkedHashMap<String, Object>() : JsonText.parse(bytes);
    } catch (CairnException e) {
      throw e.in(file.toString());
    }
    if (!(json instanceof Map<?, ?>)) {
      throw CairnException.invalid(file + ": not a JSON object");
    }
    return new DockerConfigFile(file, (Map<String, Object>) json);
  }

  Path path() {
    return file;
  }

  /**
   * The credential helper docker uses for {@code serverKey}: its credHelpers entry, else
   * credsStore.
   */
  String helperFor(String serverKey) {
    String helper = JsonText.member(document.get("credHelpers"), serverKey, String.class);
    if (helper == null) {
      helper = JsonText.member(document, "credsStore", String.class);
    }
    return helper == null || helper.isEmpty() ? null : helper;
  }

  /** Sets {@code auths[serverKey]} to exactly {@code entry} (an empty map for a helper's login). */
  void putAuth(String serverKey, Map<String, Object> entry) {
    auths().put(serverKey, entry);
  }

  /**
   * Whether {@code auths[serverKey]} already holds exactly this user name and password, compared as
   * docker compares them (the entry decoded, no e-mail or token beside), so that a login changing
   * nothing leaves the file alone as docker's does. Empty strings ask for an entry without
   * credentials, as a credential helper's login leaves.
   */
  boolean holds(String serverKey, String username, String password) {
    if (!(document.get("auths") instanceof Map<?, ?> auths)
        || !(auths.get(serverKey) instanceof Map<?, ?> entry)) {
      return false;
    }
    for (String other : List.of("email", "identitytoken", "registrytoken")) {
      if (!text(entry, other).isEmpty()) {
        return false;
      }
    }
    String user = text(entry, "username");
    String secret = text(entry, "password");
    String auth = text(entry, "auth");
    if (!auth.isEmpty()) {
      String pair;
      try {
        pair = new String(java.util.Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException notBase64) {
        return false;
      }
      int colon = pair.indexOf(':');
      if (colon < 0) {
        return false;
      }
      user = pair.substring(0, colon);
      secret = pair.substring(colon + 1);
    }
    return user.equals(username) && secret.equals(password);
  }

  private static String text(Map<?, ?> entry, String key) {
    return entry.get(key) instanceof String s ? s : "";
  }

  /** Removes {@code auths[serverKey]}; true when it was there. */
  boolean removeAuth(String serverKey) {
    Object auths = document.get("auths");
    return auths instanceof Map<?, ?> m && m.remove(serverKey) != null;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> auths() {
    Object auths = document.get("auths");
    if (!(auths instanceof Map<?, ?>)) {
      auths = new LinkedHashMap<String, Object>();
      // docker's struct puts auths first
      Map<String, Object> reordered = new LinkedHashMap<>();
      reordered.put("auths", auths);
      document.remove("auths");
      reordered.putAll(document);
      document.clear();
      document.putAll(reordered);
    }
    return (Map<String, Object>) auths;
  }

  /** Writes the document: temp file in the same directory, 0600, fsync, rename. */
  void write() throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    GoJsonWriter w = new GoJsonWriter();
    encode(w, document);
    byte[] bytes = GoJsonWriter.indent(w.toByteArray(), "\t");
    Path temp =
        Files.createTempFile(
            dir,
            file.getFileName() + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (var ch =
          java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void encode(GoJsonWriter w, Object v) {
    switch (v) {
      case Map<?, ?> m -> {
        w.punct('{');
        boolean first = true;
        for (var e : m.entrySet()) {
          if (!first) {
            w.punct(',');
          }
          first = false;
          w.name((String) e.getKey());
          encode(w, e.getValue());
        }
        w.punct('}');
      }
      case List<?> l -> {
        w.punct('[');
        for (int i = 0; i < l.size(); i++) {
          if (i > 0) {
            w.punct(',');
          }
          encode(w, l.get(i));
        }
        w.punct(']');
      }
      case String s -> w.string(s);
      case BigDecimal n -> w.ascii(n.toString());
      case Boolean b -> w.bool(b);
      default -> w.ascii("null");
    }
  }
}
