package dev.cairn.digest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.Seeds;
import dev.cairn.testing.Tools;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** ISA-L's CRC-64/ISO agrees with the table-driven loop, whatever the sizes, offsets and splits. */
class NativeCrc64Test {
  static LongStream seeds() {
    return Seeds.stream(NativeCrc64Test.class, 40);
  }

  static void requireLibrary() {
    Tools.requireThat(NativeCrc64.available(), "ISA-L (Debian: libisal2) does not load");
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void agreesWithTheTable(long seed) {
    requireLibrary();
    Random r = new Random(seed);
    // Sizes around the native threshold, the folding width and the chunk (1 MiB).
    int size =
        switch (r.nextInt(4)) {
          case 0 -> r.nextInt(200);
          case 1 -> (1 << 20) - 70 + r.nextInt(140);
          case 2 -> r.nextInt(5000);
          default -> r.nextInt(3 << 20);
        };
    byte[] data = new byte[size + 16];
    r.nextBytes(data);
    int off = r.nextInt(16);
    long expected = ~Crc64.sliced(~0L, data, off, size);

    int cut = size == 0 ? 0 : r.nextInt(size);
    long split = NativeCrc64.update(0L, MemorySegment.ofArray(data).asSlice(off, cut));
    split = NativeCrc64.update(split, MemorySegment.ofArray(data).asSlice(off + cut, size - cut));
    assertThat(split).isEqualTo(expected);
    assertThat(Crc64.of(data, off, size)).isEqualTo(expected);

    try (Arena arena = Arena.ofConfined()) {
      MemorySegment offHeap = arena.allocate(Math.max(1, size));
      MemorySegment.copy(MemorySegment.ofArray(data), off, offHeap, 0, size);
      assertThat(NativeCrc64.update(0L, offHeap.asSlice(0, size))).isEqualTo(expected);
    }
  }
}
