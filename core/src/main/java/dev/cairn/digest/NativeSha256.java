package dev.cairn.digest;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * SHA-256 by the system's libcrypto, which uses the CPU's SHA extensions at any JIT level (the
 * JDK's own intrinsic exists only in C2, and its Java fallback is several times slower). Used when
 * the library loads; {@link #available()} says whether it did.
 */
final class NativeSha256 {
  private static final long CTX_BYTES = 128; // SHA256_CTX is 112 bytes; room to spare
  private static final int CHUNK = 1 << 20; // a critical call holds off GC: keep each one short

  private static final MethodHandle INIT;
  private static final MethodHandle UPDATE;
  private static final MethodHandle FINAL;

  static {
    MethodHandle[] h = load();
    INIT = h == null ? null : h[0];
    UPDATE = h == null ? null : h[1];
    FINAL = h == null ? null : h[2];
  }

  private final MemorySegment ctx = Arena.ofAuto().allocate(CTX_BYTES, 16);
  private final MemorySegment out = Arena.ofAuto().allocate(32);

  NativeSha256() {
    reset();
  }

  static boolean available() {
    return INIT != null;
  }

  private static MethodHandle[] load() {
    try {
      SymbolLookup lib = library();
      if (lib == null) {
        return null;
      }
      Linker linker = Linker.nativeLinker();
      MethodHandle init =
          linker.downcallHandle(
              lib.find("SHA256_Init").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
      MethodHandle update =
          linker.downcallHandle(
              lib.find("SHA256_Update").orElseThrow(),
              FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG),
              Linker.Option.critical(true)); // hashes a byte[] in place, no copy
      MethodHandle fin =
          linker.downcallHandle(
              lib.find("SHA256_Final").orElseThrow(),
              FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
      MethodHandle[] h = {init, update, fin};
      if (!selfTest(h)) {
        return null;
      }
      return h;
    } catch (RuntimeException | LinkageError e) {
      return null; // no libcrypto, no native access: the JDK's digest serves
    }
  }

  private static SymbolLookup library() {
    for (String name : new String[] {"libcrypto.so.3", "libcrypto.so"}) {
      try {
        return SymbolLookup.libraryLookup(name, Arena.global());
      } catch (IllegalArgumentException e) {
        // not this name
      }
    }
    return null;
  }

  // The digest of "abc" (FIPS 180-2): a library that answers otherwise is not used.
  private static boolean selfTest(MethodHandle[] h) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment c = arena.allocate(CTX_BYTES, 16);
      MemorySegment d = arena.allocate(32);
      byte[] abc = {'a', 'b', 'c'};
      int ok = (int) h[0].invokeExact(c);
      ok &= (int) h[1].invokeExact(c, MemorySegment.ofArray(abc), 3L);
      ok &= (int) h[2].invokeExact(d, c);
      return ok == 1
          && java.util.HexFormat.of()
              .formatHex(d.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
              .equals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    } catch (Throwable t) {
      return false;
    }
  }

  void update(byte[] b, int off, int len) {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    update(MemorySegment.ofArray(b).asSlice(off, len));
  }

  void update(MemorySegment data) {
    for (long done = 0, size = data.byteSize(); done < size; ) {
      long n = Math.min(CHUNK, size - done);
      int ok;
      try {
        ok = (int) UPDATE.invokeExact(ctx, data.asSlice(done, n), n);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
      if (ok != 1) {
        throw new IllegalStateException("SHA256_Update failed");
      }
      done += n;
    }
  }

  /** The digest of everything since the last reset; starts over. */
  byte[] digest() {
    try {
      int ok = (int) FINAL.invokeExact(out, ctx);
      if (ok != 1) {
        throw new IllegalStateException("SHA256_Final failed");
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    byte[] d = out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    reset();
    return d;
  }

  private void reset() {
    try {
      int ok = (int) INIT.invokeExact(ctx);
      if (ok != 1) {
        throw new IllegalStateException("SHA256_Init failed");
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  static Optional<NativeSha256> create() {
    return available() ? Optional.of(new NativeSha256()) : Optional.empty();
  }
}
