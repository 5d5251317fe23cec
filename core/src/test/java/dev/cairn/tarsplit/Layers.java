package dev.cairn.tarsplit;

import dev.cairn.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/** Test plumbing: disassemble into files keyed by raw name, assemble back, compare digests. */
final class Layers {
  private Layers() {}

  /** Metadata plus extracted contents. */
  record Split(byte[] metadata, Map<String, Path> files) {
    FileSource source() {
      return name -> {
        Path p = files.get(HexFormat.of().formatHex(name));
        if (p == null) {
          throw new NoSuchFileException(new String(name));
        }
        return FileChannel.open(p, StandardOpenOption.READ);
      };
    }
  }

  /** Disassembles, saving each payload to a file in {@code dir} keyed by the raw name. */
  static Split split(byte[] tar, Path dir) throws IOException {
    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    Map<String, Path> files = new HashMap<>();
    long read =
        TarSplit.disassemble(
            new ByteArrayInputStream(tar),
            meta,
            (entry, payload) -> {
              Path f = dir.resolve("f" + files.size());
              try (OutputStream out = Files.newOutputStream(f)) {
                payload.transferTo(out);
              }
              files.put(HexFormat.of().formatHex(entry.rawName()), f);
            });
    if (read != tar.length) {
      throw new AssertionError("read " + read + " of " + tar.length + " bytes");
    }
    return new Split(meta.toByteArray(), files);
  }

  static byte[] assemble(byte[] metadata, FileSource files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = TarSplit.assemble(new ByteArrayInputStream(metadata), files, out);
    if (n != out.size()) {
      throw new AssertionError("reported " + n + " bytes, wrote " + out.size());
    }
    return out.toByteArray();
  }

  static String sha256(byte[] b) {
    return Digest.sha256(b).toString();
  }

  static String sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return sha256(in.readAllBytes());
    }
  }

  static byte[] gunzip(byte[] gz) throws IOException {
    return new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes();
  }
}
