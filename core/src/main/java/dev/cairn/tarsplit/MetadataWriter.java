package dev.cairn.tarsplit;

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
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private final OutputStream out;
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
        string(new String(name, StandardCharsets.UTF_8));
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

  /** A JSON string as Go writes it: HTML-safe, U+2028/9 escaped, other non-ASCII raw UTF-8. */
  private void string(String s) {
    ensure(2 + s.length() * 6);
    line[length++] = '"';
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"', '\\' -> {
          line[length++] = '\\';
          line[length++] = (byte) c;
        }
        case '\n' -> escape('n');
        case '\r' -> escape('r');
        case '\t' -> escape('t');
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            line[length++] = '\\';
            line[length++] = 'u';
            line[length++] = HEX[c >> 12 & 0xf];
            line[length++] = HEX[c >> 8 & 0xf];
            line[length++] = HEX[c >> 4 & 0xf];
            line[length++] = HEX[c & 0xf];
          } else if (c < 0x80) {
            line[length++] = (byte) c;
          } else {
            int end = i + 1;
            if (Character.isHighSurrogate(c) && end < s.length()) {
              end++;
            }
            byte[] utf8 = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
            System.arraycopy(utf8, 0, line, length, utf8.length);
            length += utf8.length;
            i = end - 1;
          }
        }
      }
    }
    line[length++] = '"';
  }

  private void escape(char c) {
    line[length++] = '\\';
    line[length++] = (byte) c;
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
