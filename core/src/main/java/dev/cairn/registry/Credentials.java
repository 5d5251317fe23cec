package dev.cairn.registry;

/**
 * What a user proves their identity with at one registry: a user name and password, or an identity
 * (refresh) token as Docker credential helpers hand out. {@link #toString()} never shows secrets.
 *
 * @param username the user name, or null with an identity token
 * @param password the password, or null with an identity token
 * @param identityToken an OAuth2 refresh token, or null
 */
public record Credentials(String username, String password, String identityToken) {

  public Credentials {
    boolean basic = username != null && password != null;
    if (!basic && identityToken == null) {
      throw new IllegalArgumentException("credentials need a user name and password or a token");
    }
  }

  public static Credentials basic(String username, String password) {
    return new Credentials(username, password, null);
  }

  public static Credentials identityToken(String token) {
    return new Credentials(null, null, token);
  }

  @Override
  public String toString() {
    return identityToken != null
        ? "Credentials[identity token]"
        : "Credentials[user " + username + ", password hidden]";
  }
}
