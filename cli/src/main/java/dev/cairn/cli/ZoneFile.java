package dev.cairn.cli;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A time zone as a TZif file (RFC 8536, {@code /usr/share/zoneinfo}) gives it, read and consulted
 * as Go's time package does: versions 1 to 3 (the 64-bit data of versions 2 and 3), the zone of the
 * last transition at or before an instant, the footer's rule ({@link TzRule}) after the last one,
 * and before the first the first zone Go picks (the first standard-time zone that no transition
 * uses, as a rule the local mean time).
 */
final class ZoneFile {
  /** The zone in effect at an instant: seconds east of UTC, and its abbreviation (may be empty). */
  record Local(int offset, String abbreviation) {}

  private record Type(int offset, boolean dst, String abbreviation) {}

  private final long[] when;
  private final int[] type;
  private final List<Type> types;
  private final String footer;

  private ZoneFile(long[] when, int[] type, List<Type> types, String footer) {
    this.when = when;
    this.type = type;
    this.types = types;
    this.footer = footer;
  }

  /** The zone {@code data} describes, or null for data Go refuses (it then uses UTC). */
  static ZoneFile parse(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    try {
      int[] counts = header(b);
      if (counts == null) {
        return null;
      }
      boolean v2 = data[4] != 0;
      if (v2) { // skip the 32-bit data: the 64-bit copy follows it with a header of its own
        b.position((int) Math.min((long) b.position() + blockSize(counts, 4), Integer.MAX_VALUE));
        counts = header(b);
        if (counts == null) {
          return null;
        }
      }
      return block(b, counts, v2 ? 8 : 4);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      return null; // short data, or counts beyond it
    }
  }

  private static final int IS_UT = 0;
  private static final int IS_STD = 1;
  private static final int LEAP = 2;
  private static final int TIME = 3;
  private static final int TYPE = 4;
  private static final int CHAR = 5;

  /** The magic, a version Go reads (none, 2 or 3), and the six counts; null when not so. */
  private static int[] header(ByteBuffer b) {
    byte[] magic = new byte[4];
    b.get(magic);
    int version = b.get();
    if (!"TZif".equals(new String(magic, StandardCharsets.US_ASCII))
        || version != 0 && version != '2' && version != '3') {
      return null;
    }
    b.position(b.position() + 15);
    int[] counts = new int[6];
    for (int i = 0; i < 6; i++) {
      counts[i] = b.getInt();
      if (counts[i] < 0) {
        return null;
      }
    }
    return counts;
  }

  /** The bytes of a data block; past the int range it cannot be in the file anyway. */
  private static int blockSize(int[] n, int timeSize) {
    long size =
        (long) n[TIME] * (timeSize + 1)
            + (long) n[TYPE] * 6
            + n[CHAR]
            + (long) n[LEAP] * (timeSize + 4)
            + n[IS_STD]
            + n[IS_UT];
    return (int) Math.min(size, Integer.MAX_VALUE);
  }

  private static ZoneFile block(ByteBuffer b, int[] n, int timeSize) {
    if (n[TYPE] == 0 || blockSize(n, timeSize) > b.remaining()) {
      return null; // Go refuses a file without zones, or one shorter than its counts say
    }
    long[] when = new long[n[TIME]];
    for (int i = 0; i < when.length; i++) {
      when[i] = timeSize == 8 ? b.getLong() : b.getInt();
    }
    int[] type = new int[n[TIME]];
    for (int i = 0; i < type.length; i++) {
      type[i] = b.get() & 0xff;
      if (type[i] >= n[TYPE]) {
        return null;
      }
    }
    byte[] typeData = new byte[Math.multiplyExact(n[TYPE], 6)];
    b.get(typeData);
    byte[] chars = new byte[n[CHAR]];
    b.get(chars);
    List<Type> types = new ArrayList<>(n[TYPE]);
    ByteBuffer t = ByteBuffer.wrap(typeData);
    for (int i = 0; i < n[TYPE]; i++) {
      int offset = t.getInt();
      boolean dst = t.get() != 0;
      int index = t.get() & 0xff;
      if (index >= chars.length) {
        return null;
      }
      int end = index;
      while (end < chars.length && chars[end] != 0) {
        end++;
      }
      types.add(
          new Type(offset, dst, new String(chars, index, end - index, StandardCharsets.UTF_8)));
    }
    long skip = (long) n[LEAP] * (timeSize + 4) + n[IS_STD] + n[IS_UT]; // not needed to look up
    b.position((int) Math.min(b.position() + skip, Integer.MAX_VALUE));
    String footer = null;
    int rest = b.remaining();
    if (timeSize == 8 && rest > 2 && b.get(b.position()) == '\n' && b.get(b.limit() - 1) == '\n') {
      byte[] f = new byte[rest - 2];
      b.get(b.position() + 1, f);
      footer = new String(f, StandardCharsets.UTF_8);
    }
    if (when.length == 0) { // as Go: one transition at the start of time, to the first zone
      return new ZoneFile(new long[] {Long.MIN_VALUE}, new int[] {0}, types, footer);
    }
    return new ZoneFile(when, type, types, footer);
  }

  /** The zone in effect at {@code sec} seconds after the epoch. */
  Local at(long sec) {
    if (sec < when[0]) {
      Type first = types.get(firstZone());
      return new Local(first.offset(), first.abbreviation());
    }
    int lo = 0;
    int hi = when.length;
    while (hi - lo > 1) { // the last transition at or before sec
      int mid = (lo + hi) >>> 1;
      if (sec < when[mid]) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    if (lo == when.length - 1 && footer != null && !footer.isEmpty()) {
      TzRule rule = TzRule.parse(footer);
      if (rule != null) {
        return rule.at(sec);
      }
    }
    Type z = types.get(type[lo]);
    return new Local(z.offset(), z.abbreviation());
  }

  /**
   * The zone before the first transition, as Go chooses it: the first zone if no transition uses
   * it; else the last standard-time zone listed before the first transition's, when that one is
   * daylight saving time; else the first standard-time zone; else the first.
   */
  private int firstZone() {
    boolean firstUsed = false;
    for (int t : type) {
      firstUsed |= t == 0;
    }
    if (!firstUsed) {
      return 0;
    }
    if (types.get(type[0]).dst()) {
      for (int z = type[0] - 1; z >= 0; z--) {
        if (!types.get(z).dst()) {
          return z;
        }
      }
    }
    for (int z = 0; z < types.size(); z++) {
      if (!types.get(z).dst()) {
        return z;
      }
    }
    return 0;
  }
}
