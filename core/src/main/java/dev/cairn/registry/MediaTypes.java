package dev.cairn.registry;

import java.util.List;

/** The manifest media types a registry may answer with, and the Accept list that asks for them. */
public final class MediaTypes {
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String DOCKER_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_SCHEMA1_SIGNED =
      "application/vnd.docker.distribution.manifest.v1+prettyjws";
  public static final String DOCKER_SCHEMA1 =
      "application/vnd.docker.distribution.manifest.v1+json";

  /**
   * Every manifest type cairn reads, most wanted first. Always sent: a registry asked without an
   * Accept list converts a schema2 image to schema1 on the fly.
   */
  public static final List<String> MANIFEST_ACCEPT =
      List.of(
          OCI_INDEX,
          DOCKER_LIST,
          OCI_MANIFEST,
          DOCKER_MANIFEST,
          DOCKER_SCHEMA1_SIGNED,
          DOCKER_SCHEMA1);

  private MediaTypes() {}

  public static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType);
  }

  public static boolean isSchema1(String mediaType) {
    return DOCKER_SCHEMA1_SIGNED.equals(mediaType) || DOCKER_SCHEMA1.equals(mediaType);
  }

  public static boolean isManifest(String mediaType) {
    return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
  }
}
