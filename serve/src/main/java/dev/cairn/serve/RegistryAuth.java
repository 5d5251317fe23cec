package dev.cairn.serve;

import dev.cairn.CairnException;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.registry.CredentialSource;
import dev.cairn.registry.Credentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The credentials a client sends with a request: the {@code X-Registry-Auth} header of a pull or
 * push (base64 of docker's AuthConfig JSON), or the body of {@code POST /auth}.
 *
 * @param credentials the user and password or identity token, or null for none
 * @param server the {@code serveraddress} the client named, or null
 */
record RegistryAuth(Credentials credentials, String server) {
  static final String HEADER = "X-Registry-Auth";

  /**
   * The header's credentials. As dockerd, a header that cannot be read means none: clients send
   * {@code e30=} ({@code {}}) or worse when they have nothing. Both base64 alphabets are taken,
   * padded or not.
   */
  static RegistryAuth header(String value) {
    if (value == null || value.isBlank()) {
      return new RegistryAuth(null, null);
    }
    byte[] json;
    try {
      String unpadded = value.strip().replace('+', '-').replace('/', '_').replace("=", "");
      json = Base64.getUrlDecoder().decode(unpadded);
    } catch (IllegalArgumentException e) {
      return new RegistryAuth(null, null);
    }
    try {
      return body(json);
    } catch (CairnException e) {
      return new RegistryAuth(null, null);
    }
  }

  /** docker's AuthConfig JSON; its keys match case-insensitively, as Go decodes them. */
  static RegistryAuth body(byte[] json) {
    JsonValue.JsonObject o = Json.parseObject(json, "the registry credentials");
    String user = field(o, "username");
    String password = field(o, "password");
    String auth = field(o, "auth");
    String token = field(o, "identitytoken");
    if ((user == null || user.isEmpty()) && auth != null && !auth.isEmpty()) {
      // "auth" is base64 of user:password, as in a docker config file
      String pair;
      try {
        pair = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw CairnException.invalid("the registry credentials' auth is not base64");
      }
      int colon = pair.indexOf(':');
      if (colon < 0) {
        throw CairnException.invalid("the registry credentials' auth is not user:password");
      }
      user = pair.substring(0, colon);
      password = pair.substring(colon + 1);
    }
    Credentials credentials = null;
    if (token != null && !token.isEmpty()) {
      credentials = Credentials.identityToken(token);
    } else if (user != null && !user.isEmpty()) {
      credentials = Credentials.basic(user, password == null ? "" : password);
    }
    return new RegistryAuth(credentials, field(o, "serveraddress"));
  }

  /** For whichever registry the request goes to, as dockerd uses the header. */
  CredentialSource source() {
    return credentials == null ? CredentialSource.none() : host -> Optional.of(credentials);
  }

  private static String field(JsonValue.JsonObject o, String name) {
    String found = null;
    for (JsonValue.Member m : o.members()) {
      if (m.key().equalsIgnoreCase(name)) {
        if (!(m.value() instanceof JsonValue.JsonString s)) {
          throw CairnException.invalid("the registry credentials' " + name + " is not a string");
        }
        found = s.value();
      }
    }
    return found;
  }
}
