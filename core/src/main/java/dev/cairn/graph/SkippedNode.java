package dev.cairn.graph;

/**
 * A node directory that opening the graph found unusable and left out, with the reason.
 *
 * @param name the directory's name under {@code graph/} (normally the node ID)
 * @param reason why, as a sentence fragment ("json: invalid JSON at byte 3: ...")
 */
public record SkippedNode(String name, String reason) {}
