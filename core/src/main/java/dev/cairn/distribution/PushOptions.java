package dev.cairn.distribution;

import dev.cairn.CairnException;
import dev.cairn.registry.CredentialSource;
import java.util.Locale;

/**
 * How a push goes.
 *
 * @param concurrency layers uploaded at once
 * @param format the manifest to write
 * @param credentials who to be at the registry for this push, or null for the store's own
 */
public record PushOptions(int concurrency, Format format, CredentialSource credentials) {
  /** The manifest a push writes, as skopeo's {@code --format} names them. */
  public enum Format {
    /** The manifest the image was pulled with when it can be sent again, else schema2. */
    DEFAULT,
    /** Docker's schema2. */
    V2S2,
    /** OCI's image manifest. */
    OCI,
    /** Docker's schema1, signed with the store's key. */
    V2S1;

    /** {@code v2s1}, {@code v2s2} or {@code oci}. */
    public static Format parse(String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "v2s1" -> V2S1;
        case "v2s2" -> V2S2;
        case "oci" -> OCI;
        default ->
            throw CairnException.invalid(
                "unknown manifest format " + CairnException.quote(name) + ": v2s1, v2s2 or oci");
      };
    }
  }

  public PushOptions {
    if (concurrency < 1 || concurrency > 64) {
      throw CairnException.invalid("push concurrency must be 1 to 64, not " + concurrency);
    }
    if (format == null) {
      format = Format.DEFAULT;
    }
  }

  /** 5 uploads at once, as docker's default; the manifest as pulled, else schema2. */
  public static PushOptions defaults() {
    return new PushOptions(5, Format.DEFAULT, null);
  }

  public PushOptions withFormat(Format f) {
    return new PushOptions(concurrency, f, credentials);
  }

  /** Pushes as {@code source} says, rather than with the store's credentials. */
  public PushOptions withCredentials(CredentialSource source) {
    return new PushOptions(concurrency, format, source);
  }
}
