package dev.cairn.registry;

import dev.cairn.image.MediaType;
import java.util.List;

/**
 * The manifest media types a registry may answer with, and the Accept list that asks for them. The
 * names are {@link MediaType}'s, repeated here so that registry code reads on its own.
 */
public final class MediaTypes {
  public static final String OCI_INDEX = MediaType.OCI_INDEX;
  public static final String OCI_MANIFEST = MediaType.OCI_MANIFEST;
  public static final String DOCKER_LIST = MediaType.DOCKER_LIST;
  public static final String DOCKER_MANIFEST = MediaType.DOCKER_MANIFEST;
  public static final String DOCKER_SCHEMA1_SIGNED = MediaType.DOCKER_SCHEMA1_SIGNED;
  public static final String DOCKER_SCHEMA1 = MediaType.DOCKER_SCHEMA1;

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
    return MediaType.isIndex(mediaType);
  }

  public static boolean isSchema1(String mediaType) {
    return MediaType.isSchema1(mediaType);
  }

  public static boolean isManifest(String mediaType) {
    return MediaType.isImageManifest(mediaType);
  }
}
