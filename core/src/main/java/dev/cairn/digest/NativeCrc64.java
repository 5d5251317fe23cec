package dev.cairn.digest;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * CRC-64/ISO by the system's ISA-L ({@code crc64_iso_refl}), which folds with carry-less
 * multiplication: over ten times the speed of the best table-driven Java loop. Used when the
 * library loads and agrees with Go's check value; {@link #available()} says whether it did.
 */
final class NativeCrc64 {
  private static final long CHUNK = 1 << 20; // a critical call holds off GC: keep each one short

  // uint64_t crc64_iso_refl(uint64_t init_crc, const unsigned char *buf, uint64_t len): init_crc
  // and the result are the checksum itself (the inversions happen inside), as Go's crc64.Update.
  private static final MethodHandle ISO_REFL = load();

  private NativeCrc64() {}

  static boolean available() {
    return ISO_REFL != null;
  }

  private static MethodHandle load() {
    try {
      MemorySegment symbol =
          java.lang.foreign.SymbolLookup.libraryLookup("libisal.so.2", Arena.global())
              .find("crc64_iso_refl")
              .orElse(null);
      if (symbol == null) {
        return null;
      }
      MethodHandle h =
          Linker.nativeLinker()
              .downcallHandle(
                  symbol,
                  FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
                  Linker.Option.critical(true)); // reads a byte[] in place, no copy
      // The CRC-64/GO-ISO check value of "123456789": a library that answers otherwise is unused.
      byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      long value = (long) h.invokeExact(0L, MemorySegment.ofArray(check), 9L);
      return value == 0xb90956c775a41001L ? h : null;
    } catch (Throwable t) {
      return null; // no ISA-L, no native access: the table-driven loop serves
    }
  }

  /** The checksum {@code crc} continued over {@code data} (on-heap or native). */
  static long update(long crc, MemorySegment data) {
    for (long done = 0, size = data.byteSize(); done < size; ) {
      long n = Math.min(CHUNK, size - done);
      try {
        crc = (long) ISO_REFL.invokeExact(crc, data.asSlice(done, n), n);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
      done += n;
    }
    return crc;
  }
}
