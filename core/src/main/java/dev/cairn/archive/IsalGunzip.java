package dev.cairn.archive;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * gunzip by the system's ISA-L ({@code isal_inflate}), about 1.4 times zlib's speed on layer data.
 * Same contract as {@link java.util.zip.GZIPInputStream} for what layers hold: concatenated members
 * are one stream, every member's CRC-32 and size are checked, and bytes after a member that do not
 * start another one end the stream (the caller drains them).
 *
 * <p>ISA-L's state is a C struct used through fixed offsets of its 2.x layout (soname {@code
 * libisal.so.2}); a self-test at load inflates a known member, and any disagreement leaves the JDK
 * to do the work. {@link #loaded()} says whether it passed.
 */
final class IsalGunzip extends InputStream {
  // struct inflate_state of ISA-L 2.x: the fields used, and room to spare for the whole of it.
  private static final long STATE_BYTES = 128 << 10;
  private static final long NEXT_OUT = 0;
  private static final long AVAIL_OUT = 8;
  private static final long NEXT_IN = 16;
  private static final long AVAIL_IN = 32;
  private static final long BLOCK_STATE = 21160;
  private static final long CRC_FLAG = 21172;
  private static final int ISAL_BLOCK_FINISH = 5;
  // Raw deflate, then the gzip trailer (CRC-32 and size) checked by ISA-L. The header is parsed
  // here: ISA-L 2.30 mis-checks a header CRC (FHCRC) that arrives split across calls.
  private static final int ISAL_GZIP_NO_HDR_VER = 6;

  private static final int IN = 64 << 10;
  private static final int OUT = 128 << 10;

  /**
   * {@code void isal_inflate_init(struct inflate_state *)}, {@code void isal_inflate_reset(struct
   * inflate_state *)} and {@code int isal_inflate(struct inflate_state *)}.
   */
  private record Library(MethodHandle init, MethodHandle reset, MethodHandle inflate) {}

  private static final Library LIBRARY = load();

  private final Library lib;
  private final InputStream source;
  private final Arena arena = Arena.ofShared(); // made by the opener, read on a helper thread
  private final MemorySegment state = arena.allocate(STATE_BYTES, 64);
  private final MemorySegment input = arena.allocate(IN);
  private final MemorySegment output = arena.allocate(OUT);
  private final byte[] transfer = new byte[IN];
  private boolean sourceEnded;
  private boolean started;
  private boolean memberDone;
  private boolean ended;
  private boolean closed;

  IsalGunzip(InputStream source) {
    this(LIBRARY, source);
  }

  private IsalGunzip(Library lib, InputStream source) {
    this.lib = java.util.Objects.requireNonNull(lib, "ISA-L is not available");
    this.source = source;
    call(lib.init, state);
    state.set(JAVA_INT, CRC_FLAG, ISAL_GZIP_NO_HDR_VER);
    memberDone = true; // the first member's header comes first, as every member's does
  }

  static boolean loaded() {
    return LIBRARY != null;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("stream closed");
    }
    if (len == 0) {
      return 0;
    }
    while (!ended) {
      if (memberDone && !nextMember()) {
        ended = true;
        break;
      }
      if (availIn() == 0 && !sourceEnded) {
        fill();
      }
      int want = Math.min(len, OUT);
      state.set(JAVA_LONG, NEXT_OUT, output.address());
      state.set(JAVA_INT, AVAIL_OUT, want);
      int rc = inflate();
      if (rc < 0) {
        throw new ZipException(describe(rc));
      }
      int produced = want - state.get(JAVA_INT, AVAIL_OUT);
      memberDone = state.get(JAVA_INT, BLOCK_STATE) == ISAL_BLOCK_FINISH;
      if (produced > 0) {
        MemorySegment.copy(output, JAVA_BYTE, 0, b, off, produced);
        return produced;
      }
      if (!memberDone && availIn() == 0 && sourceEnded) {
        throw new EOFException("unexpected end of gzip stream");
      }
    }
    return -1;
  }

  /**
   * Before a member: reads its header if the input goes on with gzip's magic (the first member
   * must), leaving the input at its deflate data.
   */
  private boolean nextMember() throws IOException {
    boolean first = !started;
    started = true;
    while (availIn() < 2 && !sourceEnded) {
      fill();
    }
    if (availIn() < 2 || peek(0) != (byte) 0x1f || peek(1) != (byte) 0x8b) {
      if (first) {
        throw availIn() < 2
            ? new EOFException("unexpected end of gzip stream")
            : new ZipException("not in gzip format");
      }
      return false;
    }
    if (!first) {
      long next = state.get(JAVA_LONG, NEXT_IN);
      int avail = availIn();
      call(lib.reset, state); // keeps crc_flag; clears the input pointers
      state.set(JAVA_LONG, NEXT_IN, next);
      state.set(JAVA_INT, AVAIL_IN, avail);
    }
    readHeader();
    memberDone = false;
    return true;
  }

  /** RFC 1952's member header, as the JDK checks it: method 8, optional fields, header CRC. */
  private void readHeader() throws IOException {
    CRC32 crc = new CRC32();
    byte[] fixed = new byte[10];
    for (int i = 0; i < fixed.length; i++) {
      fixed[i] = nextByte(crc);
    }
    if (fixed[2] != 8) {
      throw new ZipException("unsupported compression method " + (fixed[2] & 0xff));
    }
    int flags = fixed[3] & 0xff;
    if ((flags & 4) != 0) { // FEXTRA
      int length = (nextByte(crc) & 0xff) | (nextByte(crc) & 0xff) << 8;
      for (int i = 0; i < length; i++) {
        nextByte(crc);
      }
    }
    for (int field : new int[] {8, 16}) { // FNAME, FCOMMENT: NUL-terminated
      if ((flags & field) != 0) {
        while (nextByte(crc) != 0) {
          // skipped
        }
      }
    }
    if ((flags & 2) != 0) { // FHCRC: the low 16 bits of the CRC-32 of the header so far
      int expected = (int) crc.getValue() & 0xffff;
      int found = (nextByte(null) & 0xff) | (nextByte(null) & 0xff) << 8;
      if (found != expected) {
        throw new ZipException("gzip header CRC does not match the header");
      }
    }
  }

  private byte peek(int i) {
    return MemorySegment.ofAddress(state.get(JAVA_LONG, NEXT_IN))
        .reinterpret(i + 1)
        .get(JAVA_BYTE, i);
  }

  private byte nextByte(CRC32 crc) throws IOException {
    if (availIn() == 0 && !sourceEnded) {
      fill();
    }
    if (availIn() == 0) {
      throw new EOFException("unexpected end of gzip stream in a member header");
    }
    byte b = peek(0);
    state.set(JAVA_LONG, NEXT_IN, state.get(JAVA_LONG, NEXT_IN) + 1);
    state.set(JAVA_INT, AVAIL_IN, availIn() - 1);
    if (crc != null) {
      crc.update(b);
    }
    return b;
  }

  private int availIn() {
    return state.get(JAVA_INT, AVAIL_IN);
  }

  /** Moves the unread input to the front of the buffer and reads more after it. */
  private void fill() throws IOException {
    int kept = availIn();
    if (kept > 0) {
      MemorySegment.copy(
          MemorySegment.ofAddress(state.get(JAVA_LONG, NEXT_IN)).reinterpret(kept),
          0,
          input,
          0,
          kept);
    }
    int n = source.read(transfer, 0, IN - kept);
    if (n < 0) {
      sourceEnded = true;
      n = 0;
    }
    MemorySegment.copy(transfer, 0, input, JAVA_BYTE, kept, n);
    state.set(JAVA_LONG, NEXT_IN, input.address());
    state.set(JAVA_INT, AVAIL_IN, kept + n);
  }

  private int inflate() {
    try {
      return (int) lib.inflate.invokeExact(state);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static void call(MethodHandle h, MemorySegment state) {
    try {
      h.invokeExact(state);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static String describe(int rc) {
    return switch (rc) {
      case -1 -> "invalid deflate block";
      case -2 -> "invalid deflate symbol";
      case -3 -> "invalid back-reference distance";
      case -4 -> "invalid gzip header";
      case -5 -> "unsupported compression method";
      case -6 -> "CRC-32 or size in the gzip trailer does not match the data";
      default -> "inflate error " + rc;
    };
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      arena.close();
      source.close();
    }
  }

  private static Library load() {
    try {
      SymbolLookup so = SymbolLookup.libraryLookup("libisal.so.2", Arena.global());
      Linker linker = Linker.nativeLinker();
      FunctionDescriptor voidOfState = FunctionDescriptor.ofVoid(ADDRESS);
      Library lib =
          new Library(
              linker.downcallHandle(so.find("isal_inflate_init").orElseThrow(), voidOfState),
              linker.downcallHandle(so.find("isal_inflate_reset").orElseThrow(), voidOfState),
              linker.downcallHandle(
                  so.find("isal_inflate").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS)));
      return selfTest(lib) ? lib : null;
    } catch (Throwable t) {
      return null; // no ISA-L, no native access: the JDK's inflater serves
    }
  }

  // Two members made by the JDK, read back in pieces: any disagreement (another struct layout, a
  // broken library) and ISA-L is not used.
  private static boolean selfTest(Library lib) throws IOException {
    byte[] unit = "cairn layer self-test 0123456789\n".getBytes(StandardCharsets.US_ASCII);
    byte[] text = new byte[100_000]; // repeats with shifts: matches at many distances
    for (int i = 0; i < text.length; i++) {
      text[i] = unit[(i + i / 4099) % unit.length];
    }
    ByteArrayOutputStream blob = new ByteArrayOutputStream();
    for (int m = 0; m < 2; m++) {
      try (GZIPOutputStream gz = new GZIPOutputStream(blob)) {
        gz.write(text);
      }
    }
    byte[] back;
    try (InputStream in =
        new IsalGunzip(lib, new java.io.ByteArrayInputStream(blob.toByteArray()))) {
      back = in.readAllBytes();
    }
    return back.length == 2 * text.length
        && java.util.Arrays.equals(back, 0, text.length, text, 0, text.length)
        && java.util.Arrays.equals(back, text.length, back.length, text, 0, text.length);
  }
}
