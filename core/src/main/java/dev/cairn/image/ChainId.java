package dev.cairn.image;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * ChainIDs (OCI image spec; ARCHITECTURE.md, ChainID nodes): {@code ChainID_0 = DiffID_0}, {@code
 * ChainID_i = sha256(ChainID_{i-1} + " " + DiffID_i)}, so that a ChainID names a layer together
 * with every layer below it.
 */
public final class ChainId {
  private ChainId() {}

  /** The ChainID of every layer, base first. */
  public static List<Digest> of(List<Digest> diffIds) {
    List<Digest> out = new ArrayList<>(diffIds.size());
    Digest previous = null;
    for (Digest d : diffIds) {
      if (d == null) {
        throw CairnException.invalid("a DiffID is missing");
      }
      previous =
          previous == null
              ? d
              : Digest.sha256((previous + " " + d).getBytes(StandardCharsets.US_ASCII));
      out.add(previous);
    }
    return List.copyOf(out);
  }
}
