package dev.cairn.graph;

/**
 * An entry of the tags file that opening the store could not use and left out, with the reason. It
 * names nothing until fixed by hand, and every later write keeps it in the file as it was.
 *
 * @param entry the entry as the file spells it: {@code repository:tag}, {@code
 *     repository:name@sha256:…}, or {@code repository} when the repository itself is unusable
 * @param reason why, as a sentence fragment ("not an image ID", "invalid reference …: …")
 */
public record SkippedTag(String entry, String reason) {}
