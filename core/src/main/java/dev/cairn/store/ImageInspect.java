package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.image.EngineConfig;
import dev.cairn.image.GoTime;
import dev.cairn.image.Reference;
import java.util.List;

/**
 * What {@code docker inspect} shows of an image (the Engine API's {@code GET /images/{name}/json}
 * of Docker 20.10), in docker's field order; {@link EngineJson#inspect} writes it as docker does.
 *
 * @param id the image ID
 * @param repoTags the tags that name it, ordered as docker orders them (by full name)
 * @param repoDigests the {@code name@digest} references that name it, ordered likewise
 * @param parent the parent image, or null: only images as Docker 1.9 kept them (pulled as schema1,
 *     or from a Docker 1.9 graph or archive) have one; the layers below an image of docker 1.10 or
 *     later are not images
 * @param comment the image's comment, else the comment of its last build step
 * @param config the config the image runs with, or null when its JSON has none
 * @param os the OS it is for (docker's own, {@code linux}, when the image names none)
 * @param size the bytes of every layer's files, base to top (not a throwaway v1 image's: docker
 *     leaves those out of an image pulled as schema1)
 * @param layers the DiffIDs of its layers, base first (RootFS.Layers; likewise without those of
 *     throwaway v1 images)
 */
public record ImageInspect(
    Digest id,
    List<Reference> repoTags,
    List<Reference> repoDigests,
    Digest parent,
    String comment,
    GoTime created,
    String container,
    EngineConfig containerConfig,
    String dockerVersion,
    String author,
    EngineConfig config,
    String architecture,
    String variant,
    String os,
    String osVersion,
    long size,
    List<Digest> layers) {

  public ImageInspect {
    repoTags = List.copyOf(repoTags);
    repoDigests = List.copyOf(repoDigests);
    layers = List.copyOf(layers);
  }
}
