package dev.cairn.tarsplit;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One line of tar-split metadata: a {@link #SEGMENT} of raw stream bytes, or a {@link #FILE} whose
 * payload is read back from disk and checked against its CRC64-ISO.
 *
 * @param name the file name's raw bytes (files only)
 * @param payload segment bytes, or the eight-byte big-endian CRC64 of a file; null when absent
 */
record Entry(int type, byte[] name, long size, byte[] payload, long position) {
  Entry {
    name = name == null ? new byte[0] : name;
  }

  static final int FILE = 1;
  static final int SEGMENT = 2;

  static Entry segment(byte[] bytes, long position) {
    return new Entry(SEGMENT, null, 0, bytes, position);
  }

  /**
   * True when the name goes in {@code name} rather than base64 in {@code name_raw}: valid UTF-8,
   * which JSON carries unaltered (the released tar-split tool writes U+FFFD as text too).
   */
  static boolean textName(byte[] name) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(name));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** The name for messages: UTF-8 with malformed bytes replaced. */
  /** The name for messages: quoted, with what is not printable UTF-8 escaped. */
  String displayName() {
    return dev.cairn.CairnException.quote(name);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e
        && type == e.type
        && Arrays.equals(name, e.name)
        && size == e.size
        && Arrays.equals(payload, e.payload)
        && position == e.position;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(name) * 31 + Long.hashCode(position);
  }

  @Override
  public String toString() {
    return "Entry[type " + type + ", " + displayName() + ", " + size + " bytes, #" + position + "]";
  }
}
