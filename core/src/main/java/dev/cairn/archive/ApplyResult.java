package dev.cairn.archive;

import dev.cairn.digest.Digest;

/**
 * What applying a layer did.
 *
 * @param diffId SHA-256 of the uncompressed tar, every byte of it
 * @param tarSize length of the uncompressed tar
 * @param size the layer's size as docker's overlay2 reports it: the bytes of regular file content
 *     written (a file with several links counted once) plus each symlink's target length (its
 *     {@code lstat} size)
 * @param entries tar entries seen, whiteouts included
 * @param whiteouts whiteout and opaque markers applied
 * @param skipped entries not created because this process may not: device nodes and privileged
 *     xattrs when not root (their owners and metadata remain in the tar and its tar-split)
 * @param rootEntry whether the tar had an entry for the root directory itself ({@code ./}), which
 *     set the root's owner, mode and times
 */
public record ApplyResult(
    Digest diffId,
    long tarSize,
    long size,
    long entries,
    long whiteouts,
    long skipped,
    boolean rootEntry) {}
