package dev.cairn.archive;

import dev.cairn.CairnException;
import java.util.ArrayList;
import java.util.List;

/**
 * A user-namespace ID map: ranges of container IDs and the host IDs they stand for, written {@code
 * CONTAINER:HOST:SIZE} as in {@code /proc/PID/uid_map} and Docker's userns-remap. The empty map is
 * the identity.
 */
public record IdMap(List<Range> ranges) {

  /**
   * {@code size} consecutive container IDs from {@code container}, mapped to those from {@code
   * host}.
   */
  public record Range(long container, long host, long size) {
    public Range {
      if (container < 0
          || host < 0
          || size <= 0
          || container + size > 1L << 32
          || host + size > 1L << 32) {
        throw CairnException.invalid(
            "ID map range "
                + container
                + ":"
                + host
                + ":"
                + size
                + " is outside 0..2^32-1 or empty");
      }
    }

    boolean contains(long id) {
      return id >= container && id - container < size;
    }

    @Override
    public String toString() {
      return container + ":" + host + ":" + size;
    }
  }

  /** The map that leaves every ID as it is. */
  public static final IdMap IDENTITY = new IdMap(List.of());

  public IdMap {
    ranges = List.copyOf(ranges);
    for (int i = 0; i < ranges.size(); i++) {
      for (int j = i + 1; j < ranges.size(); j++) {
        Range a = ranges.get(i);
        Range b = ranges.get(j);
        if (a.container < b.container + b.size && b.container < a.container + a.size) {
          throw CairnException.invalid("ID map ranges " + a + " and " + b + " overlap");
        }
      }
    }
  }

  /** Parses ranges such as {@code "0:100000:65536"}, several separated by commas. */
  public static IdMap parse(String spec) {
    if (spec.isBlank()) {
      return IDENTITY;
    }
    List<Range> ranges = new ArrayList<>();
    for (String part : spec.split(",")) {
      String[] f = part.trim().split(":", -1);
      if (f.length != 3) {
        throw CairnException.invalid("ID map \"" + part.trim() + "\" is not CONTAINER:HOST:SIZE");
      }
      try {
        ranges.add(new Range(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
      } catch (NumberFormatException e) {
        throw CairnException.invalid(
            "ID map \"" + part.trim() + "\" is not CONTAINER:HOST:SIZE with decimal numbers");
      }
    }
    return new IdMap(ranges);
  }

  public boolean isIdentity() {
    return ranges.isEmpty();
  }

  /**
   * The host ID of a container ID; {@code what} names it in the error ("uid", "gid") when no range
   * holds it.
   */
  public int toHost(long containerId, String what) {
    if (isIdentity()) {
      return (int) containerId;
    }
    for (Range r : ranges) {
      if (r.contains(containerId)) {
        return (int) (r.host + (containerId - r.container));
      }
    }
    throw CairnException.invalid(what + " " + containerId + " is outside the ID map " + this);
  }

  /** The container ID of a host ID, or -1 when no range holds it. */
  public long toContainer(long hostId) {
    if (isIdentity()) {
      return hostId;
    }
    for (Range r : ranges) {
      if (hostId >= r.host && hostId - r.host < r.size) {
        return r.container + (hostId - r.host);
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return ranges.isEmpty()
        ? "identity"
        : String.join(",", ranges.stream().map(Range::toString).toList());
  }
}
