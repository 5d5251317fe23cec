package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import dev.cairn.CairnException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class DecompressTest {
  interface Compressor {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  static Compressor compressor(Compression c) {
    return switch (c) {
      case NONE -> out -> out;
      case GZIP -> GZIPOutputStream::new;
      case BZIP2 -> BZip2CompressorOutputStream::new;
      case XZ -> out -> new XZOutputStream(out, new LZMA2Options(1));
      case ZSTD -> ZstdOutputStream::new;
    };
  }

  static byte[] compress(Compression c, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = compressor(c).wrap(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }

  static byte[] sample(int size) {
    byte[] data = new byte[size];
    Random random = new Random(42);
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (random.nextInt(16) + 'a'); // compressible, not trivially
    }
    return data;
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void detectsAndDecompressesEveryFormat(Compression c) throws IOException {
    byte[] data = sample(300_000);
    byte[] blob = compress(c, data);
    assertThat(Compression.detect(blob, blob.length)).isEqualTo(c);
    try (InputStream in = Decompress.open(new ByteArrayInputStream(blob))) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"GZIP", "BZIP2", "XZ", "ZSTD"})
  void concatenatedMembersAreOneStream(Compression c) throws IOException {
    byte[] a = sample(1000);
    byte[] b = "second member".getBytes();
    ByteArrayOutputStream blob = new ByteArrayOutputStream();
    blob.write(compress(c, a));
    blob.write(compress(c, b));
    try (InputStream in = Decompress.open(new ByteArrayInputStream(blob.toByteArray()))) {
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      expected.write(a);
      expected.write(b);
      assertThat(in.readAllBytes()).isEqualTo(expected.toByteArray());
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void refusesToExpandPastTheCap(Compression c) throws IOException {
    byte[] blob = compress(c, new byte[1 << 20]);
    try (InputStream in = Decompress.open(new ByteArrayInputStream(blob), 1000)) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(CairnException.class)
          .hasMessage("uncompressed layer is larger than the limit of 1000 bytes");
    }
  }

  @Test
  void drainsTheBlobToItsEndSoThatItsDigestIsChecked() throws IOException {
    byte[] member = compress(Compression.GZIP, sample(5000));
    ByteArrayOutputStream blob = new ByteArrayOutputStream();
    blob.write(member);
    blob.write(new byte[100_000]); // padding after the last member, which gzip tools ignore
    ByteArrayInputStream raw = new ByteArrayInputStream(blob.toByteArray());
    try (InputStream in = Decompress.open(raw)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    assertThat(raw.available()).isZero();
  }

  @Test
  void corruptDataIsAnErrorNamingTheFormat() throws IOException {
    byte[] blob = compress(Compression.GZIP, sample(100_000));
    blob[blob.length / 2] ^= 0x55;
    blob[blob.length / 2 + 1] ^= 0x55;
    try (InputStream in = Decompress.open(new ByteArrayInputStream(blob))) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(CairnException.class)
          .hasMessageStartingWith("gzip stream is corrupt after");
    }
  }

  // Found by DecompressFuzzTest: bzip2 decodes its first block while the stream is opened.
  @Test
  void corruptDataInTheFirstBlockIsRefusedWhenTheStreamOpens() throws IOException {
    byte[] blob = compress(Compression.BZIP2, sample(10_000));
    for (int i = 10; i < 40; i++) {
      blob[i] = (byte) 0xff;
    }
    assertThatThrownBy(() -> Decompress.open(new ByteArrayInputStream(blob)))
        .isInstanceOf(CairnException.class)
        .hasMessageStartingWith("bzip2 stream is corrupt after 0 uncompressed bytes");
  }

  // Found by DecompressFuzzTest: commons-compress's bzip2 decoder indexes past its Huffman tables
  // on this block (ArrayIndexOutOfBoundsException), which is corrupt data as any other.
  @Test
  void aDecoderThatFailsWithARuntimeExceptionReportsCorruptData() throws IOException {
    byte[] blob =
        getClass()
            .getResourceAsStream(
                "DecompressFuzzTestInputs/anyBlobDecompressesWithinItsCapOrIsRefused/"
                    + "finding-bzip2-huffman-table-overrun")
            .readAllBytes();
    assertThatThrownBy(
            () -> {
              try (InputStream in = Decompress.open(new ByteArrayInputStream(blob))) {
                in.readAllBytes();
              }
            })
        .isInstanceOf(CairnException.class)
        .hasMessageStartingWith("bzip2 stream is corrupt after 0 uncompressed bytes: ")
        .hasRootCauseInstanceOf(ArrayIndexOutOfBoundsException.class);
  }

  @Test
  void aFailureToReadTheBlobIsReportedAsItWasNotAsCorruptData() throws IOException {
    byte[] blob = compress(Compression.GZIP, sample(100_000));
    IOException broken = new IOException("connection reset");
    InputStream failing =
        new java.io.FilterInputStream(new ByteArrayInputStream(blob)) {
          private int read;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (read > 1000) {
              throw broken;
            }
            int n = super.read(b, off, Math.min(len, 500));
            read += Math.max(n, 0);
            return n;
          }
        };
    try (InputStream in = Decompress.open(failing)) {
      assertThatThrownBy(in::readAllBytes).isSameAs(broken);
    }
  }

  @Test
  void shortAndEmptyBlobsArePlain() throws IOException {
    assertThat(Decompress.open(new ByteArrayInputStream(new byte[0])).readAllBytes()).isEmpty();
    byte[] two = {0x1f, 0x00};
    assertThat(Decompress.open(new ByteArrayInputStream(two)).readAllBytes()).isEqualTo(two);
  }
}
