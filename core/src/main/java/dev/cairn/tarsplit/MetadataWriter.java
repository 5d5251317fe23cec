package dev.cairn.tarsplit;

import dev.cairn.json.GoJsonWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes entries as JSON lines byte for byte as Go's encoding/json writes tar-split's entry struct:
 * fields type, name, name_raw, size, payload, position; name, name_raw and size omitted when empty;
 * payload null when absent.
 */
final class MetadataWriter {
  private static final byte[] B64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
          .getBytes(StandardCharsets.US_ASCII);
  private final OutputStream out;
  private final GoJsonWriter names = new GoJsonWriter(); // Go's string escaping, in one place
  private long position;
  private byte[] line = new byte[1024];
  private int length;

  MetadataWriter(OutputStream out) {
    this.out = out;
  }

  void segment(byte[] b, int off, int len) throws IOException {
    start(Entry.SEGMENT);
    payload(b, off, len);
    end();
  }

  void file(byte[] name, long size, byte[] crc) throws IOException {
    start(Entry.FILE);
    if (name.length > 0) {
      if (Entry.textName(name)) {
        ascii(",\"name\":");
        out.write(line, 0, length);
        length = 0;
        names.reset().string(new String(name, StandardCharsets.UTF_8)).writeTo(out);
      } else {
        ascii(",\"name_raw\":\"");
        base64(name, 0, name.length);
        ascii("\"");
      }
    }
    if (size != 0) {
      ascii(",\"size\":");
      ascii(Long.toString(size));
    }
    if (crc == null) {
      ascii(",\"payload\":null");
    } else {
      payload(crc, 0, crc.length);
    }
    end();
  }

  private void start(int type) {
    length = 0;
    ascii("{\"type\":");
    ascii(Integer.toString(type));
  }

  private void payload(byte[] b, int off, int len) {
    ascii(",\"payload\":\"");
    base64(b, off, len);
    ascii("\"");
  }

  private void end() throws IOException {
    ascii(",\"position\":");
    ascii(Long.toString(position++));
    ascii("}\n");
    out.write(line, 0, length);
    length = 0;
  }

  /** Standard base64 with padding, as Go encodes a byte slice, straight into the line. */
  private void base64(byte[] b, int off, int len) {
    ensure(4 * ((len + 2) / 3));
    byte[] l = line;
    int o = length;
    int i = off;
    int end = off + len;
    for (; end - i >= 3; i += 3) {
      int v = (b[i] & 0xff) << 16 | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff);
      l[o++] = B64[v >>> 18];
      l[o++] = B64[v >>> 12 & 63];
      l[o++] = B64[v >>> 6 & 63];
      l[o++] = B64[v & 63];
    }
    if (end - i == 1) {
      int v = (b[i] & 0xff) << 16;
      l[o++] = B64[v >>> 18];
      l[o++] = B64[v >>> 12 & 63];
      l[o++] = '=';
      l[o++] = '=';
    } else if (end - i == 2) {
      int v = (b[i] & 0xff) << 16 | (b[i + 1] & 0xff) << 8;
      l[o++] = B64[v >>> 18];
      l[o++] = B64[v >>> 12 & 63];
      l[o++] = B64[v >>> 6 & 63];
      l[o++] = '=';
    }
    length = o;
  }

  private void ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      line[length++] = (byte) s.charAt(i);
    }
  }

  private void ensure(int n) {
    if (line.length - length < n) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
    }
  }
}
