package dev.cairn.archive;

import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A layer tar described entry by entry. */
final class TestLayer {
  private record Item(TarEntry entry, byte[] payload) {}

  private final List<Item> items = new ArrayList<>();

  static TestLayer of() {
    return new TestLayer();
  }

  TestLayer dir(String name) {
    return add(TarEntry.directory(name), new byte[0]);
  }

  TestLayer dir(String name, int mode) {
    return add(TarEntry.directory(name).withMode(mode), new byte[0]);
  }

  TestLayer file(String name, String content) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    return add(TarEntry.regular(name, b.length), b);
  }

  TestLayer file(String name, String content, UnaryOperator<TarEntry> change) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    return add(change.apply(TarEntry.regular(name, b.length)), b);
  }

  TestLayer symlink(String name, String target) {
    return add(TarEntry.symlink(name, target), new byte[0]);
  }

  TestLayer symlink(String name, String target, UnaryOperator<TarEntry> change) {
    return add(change.apply(TarEntry.symlink(name, target)), new byte[0]);
  }

  TestLayer hardlink(String name, String target) {
    return add(TarEntry.hardlink(name, target), new byte[0]);
  }

  TestLayer fifo(String name) {
    return add(TarEntry.fifo(name), new byte[0]);
  }

  TestLayer device(String name, char type, long major, long minor) {
    return add(TarEntry.device(name, (byte) type, major, minor), new byte[0]);
  }

  TestLayer entry(TarEntry e, byte[] payload) {
    return add(e, payload);
  }

  TestLayer dirAt(String name, long mtimeSeconds) {
    return add(
        TarEntry.directory(name).withMtime(Instant.ofEpochSecond(mtimeSeconds)), new byte[0]);
  }

  private TestLayer add(TarEntry e, byte[] payload) {
    items.add(new Item(e, payload));
    return this;
  }

  byte[] tar() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (Item i : items) {
        w.add(i.entry(), new ByteArrayInputStream(i.payload()));
      }
      w.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  ByteArrayInputStream stream() {
    return new ByteArrayInputStream(tar());
  }
}
