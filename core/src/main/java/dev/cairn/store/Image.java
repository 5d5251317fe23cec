package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.graph.Node;
import dev.cairn.image.Reference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An image in the store: its top node, the chain of nodes beneath it (base first), the node's JSON
 * exactly as stored, and the references that name it.
 *
 * @param json the top node's {@code json}: a v1 image JSON, or the config blob as received
 */
public record Image(List<Node> chain, byte[] json, List<Reference> references) {

  public Image {
    chain = List.copyOf(chain);
    references = List.copyOf(references);
  }

  public Node top() {
    return chain.getLast();
  }

  /** The image ID: the top node's ID as a digest. */
  public Digest id() {
    return Digest.sha256Hex(top().id());
  }

  public Instant created() {
    return top().created();
  }

  /** The bytes of every layer's files, base to top, as docker reports an image's size. */
  public long size() {
    long total = 0;
    for (Node n : chain) {
      total += Math.max(0, n.size());
    }
    return total;
  }

  /** The DiffIDs of the layers, base first (null where a node's DiffID is not yet known). */
  public List<Digest> diffIds() {
    List<Digest> out = new ArrayList<>(chain.size());
    for (Node n : chain) {
      out.add(n.diffId());
    }
    return out;
  }

  /** References with a tag, e.g. {@code alpine:3.20}. */
  public List<Reference> tags() {
    return references.stream().filter(r -> r.digest() == null).toList();
  }

  /** References by digest, e.g. {@code alpine@sha256:…}. */
  public List<Reference> digests() {
    return references.stream().filter(r -> r.digest() != null).toList();
  }
}
