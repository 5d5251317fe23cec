package dev.cairn.tarsplit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * gzip at ISA-L's level 1 ({@code isal_deflate}), for tar-split metadata: a layer of many small
 * files has megabytes of JSON lines to compress on the thread that extracts it, which ISA-L does
 * over ten times faster than zlib's default level, and a little smaller than zlib's fastest. Where
 * ISA-L does not load, zlib's fastest level serves ({@link #open}).
 *
 * <p>ISA-L's stream is a C struct used through the fixed offsets of its 2.x layout (soname {@code
 * libisal.so.2}); a self-test at load compresses a sample that the JDK must read back intact.
 */
public final class IsalGzip extends OutputStream {
  // struct isal_zstream of ISA-L 2.x: the fields used, and room to spare for the whole of it.
  private static final long STREAM_BYTES = 96 << 10;
  private static final long NEXT_IN = 0;
  private static final long AVAIL_IN = 8;
  private static final long NEXT_OUT = 16;
  private static final long AVAIL_OUT = 24;
  private static final long LEVEL = 40;
  private static final long LEVEL_BUF_SIZE = 44;
  private static final long LEVEL_BUF = 48;
  private static final long END_OF_STREAM = 56;
  private static final long GZIP_FLAG = 60;
  private static final long STATE = 84; // internal_state.state
  private static final int ZSTATE_END = 11;
  private static final int IGZIP_GZIP = 1;
  private static final int LEVEL_1_BUF = 282_624; // ISAL_DEF_LVL1_DEFAULT

  private static final int IN = 64 << 10;
  private static final int OUT = 64 << 10;

  /** {@code void isal_deflate_init(struct isal_zstream *)}, {@code int isal_deflate(...)}. */
  private record Library(MethodHandle init, MethodHandle deflate) {}

  private static final Library LIBRARY = load();

  private final Library lib;
  private final OutputStream out;
  private final Arena arena = Arena.ofAuto(); // freed with the stream, finished or abandoned
  private final MemorySegment stream = arena.allocate(STREAM_BYTES, 64);
  private final MemorySegment input = arena.allocate(IN);
  private final MemorySegment output = arena.allocate(OUT);
  private final byte[] transfer = new byte[OUT];
  private int buffered;
  private boolean finished;

  private IsalGzip(Library lib, OutputStream out) {
    this.lib = lib;
    this.out = out;
    try {
      lib.init.invokeExact(stream);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    stream.set(JAVA_INT, LEVEL, 1);
    stream.set(JAVA_INT, LEVEL_BUF_SIZE, LEVEL_1_BUF);
    stream.set(JAVA_LONG, LEVEL_BUF, arena.allocate(LEVEL_1_BUF, 64).address());
    stream.set(JAVA_SHORT, GZIP_FLAG, (short) IGZIP_GZIP);
  }

  /**
   * A gzip stream into {@code out}; {@link #finish}-like behaviour on close, which leaves {@code
   * out} open.
   */
  public static OutputStream open(OutputStream out) throws IOException {
    if (LIBRARY != null) {
      return new IsalGzip(LIBRARY, out);
    }
    return new FastestZlib(out);
  }

  static boolean loaded() {
    return LIBRARY != null;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (finished) {
      throw new IOException("gzip stream already finished");
    }
    while (len > 0) {
      int n = Math.min(len, IN - buffered);
      MemorySegment.copy(b, off, input, JAVA_BYTE, buffered, n);
      buffered += n;
      off += n;
      len -= n;
      if (buffered == IN) {
        deflate(false);
      }
    }
  }

  /** Compresses what is buffered; at the end, until ISA-L has written the trailer. */
  private void deflate(boolean end) throws IOException {
    stream.set(JAVA_LONG, NEXT_IN, input.address());
    stream.set(JAVA_INT, AVAIL_IN, buffered);
    stream.set(JAVA_SHORT, END_OF_STREAM, (short) (end ? 1 : 0));
    do {
      stream.set(JAVA_LONG, NEXT_OUT, output.address());
      stream.set(JAVA_INT, AVAIL_OUT, OUT);
      int rc;
      try {
        rc = (int) lib.deflate.invokeExact(stream);
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
      if (rc != 0) {
        throw new IOException("gzip compression failed: ISA-L error " + rc);
      }
      int produced = OUT - stream.get(JAVA_INT, AVAIL_OUT);
      MemorySegment.copy(output, JAVA_BYTE, 0, transfer, 0, produced);
      out.write(transfer, 0, produced);
    } while (stream.get(JAVA_INT, AVAIL_IN) > 0
        || stream.get(JAVA_INT, AVAIL_OUT) == 0
        || end && stream.get(JAVA_INT, STATE) != ZSTATE_END);
    buffered = 0;
  }

  /** Writes the rest and the trailer; {@code out} stays open. */
  void finish() throws IOException {
    if (!finished) {
      deflate(true);
      finished = true;
    }
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    finish();
    out.flush();
  }

  /** zlib at its fastest level; finish on close, {@code out} left open. */
  private static final class FastestZlib extends GZIPOutputStream {
    FastestZlib(OutputStream out) throws IOException {
      super(out, 64 << 10);
      def.setLevel(Deflater.BEST_SPEED);
    }

    @Override
    public void close() throws IOException {
      finish();
      out.flush();
      def.end();
    }
  }

  private static Library load() {
    try {
      SymbolLookup so = SymbolLookup.libraryLookup("libisal.so.2", Arena.global());
      Linker linker = Linker.nativeLinker();
      Library lib =
          new Library(
              linker.downcallHandle(
                  so.find("isal_deflate_init").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS)),
              linker.downcallHandle(
                  so.find("isal_deflate").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS)));
      return selfTest(lib) ? lib : null;
    } catch (Throwable t) {
      return null; // no ISA-L, no native access: zlib serves
    }
  }

  // More than one input buffer of JSON-like lines: the JDK must read back exactly them.
  private static boolean selfTest(Library lib) throws IOException {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    for (int i = 0; text.size() < 3 * IN; i++) {
      text.writeBytes(
          ("{\"type\":1,\"name\":\"usr/lib/file-" + i + "\",\"size\":" + i * 7 + "}\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    byte[] sample = text.toByteArray();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (IsalGzip out = new IsalGzip(lib, gz)) {
      out.write(sample, 0, 1000);
      out.write(sample, 1000, sample.length - 1000);
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.toByteArray()))) {
      return java.util.Arrays.equals(in.readAllBytes(), sample);
    }
  }
}
