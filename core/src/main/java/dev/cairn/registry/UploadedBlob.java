package dev.cairn.registry;

import dev.cairn.digest.Digest;

/** A blob the repository now holds: its digest and size in bytes. */
public record UploadedBlob(Digest digest, long size) {}
