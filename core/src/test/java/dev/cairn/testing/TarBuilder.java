package dev.cairn.testing;

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
import java.util.Map;

/** A layer tar described entry by entry. */
public final class TarBuilder {
  private record Item(TarEntry entry, byte[] payload) {}

  private final List<Item> items = new ArrayList<>();

  public static TarBuilder tar() {
    return new TarBuilder();
  }

  public TarBuilder dir(String name) {
    return add(TarEntry.directory(name).withMtime(Instant.ofEpochSecond(1_600_000_000)));
  }

  public TarBuilder dir(String name, int mode) {
    return add(
        TarEntry.directory(name).withMode(mode).withMtime(Instant.ofEpochSecond(1_600_000_000)));
  }

  public TarBuilder file(String name, String content) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    return add(TarEntry.regular(name, b.length).withMtime(Instant.ofEpochSecond(1_600_000_000)), b);
  }

  public TarBuilder symlink(String name, String target) {
    return add(TarEntry.symlink(name, target).withMtime(Instant.ofEpochSecond(1_600_000_000)));
  }

  public TarBuilder hardlink(String name, String target) {
    return add(TarEntry.hardlink(name, target));
  }

  public TarBuilder whiteout(String dir, String name) {
    return add(TarEntry.regular((dir.isEmpty() ? "" : dir + "/") + ".wh." + name, 0));
  }

  public TarBuilder opaque(String dir) {
    return add(TarEntry.regular(dir + "/.wh..wh..opq", 0));
  }

  public TarBuilder xattrs(Map<String, String> xattrs) {
    Item last = items.removeLast();
    Map<String, String> pax = new java.util.TreeMap<>(last.entry().pax());
    xattrs.forEach((k, v) -> pax.put("SCHILY.xattr." + k, v));
    items.add(new Item(last.entry().withPax(pax), last.payload()));
    return this;
  }

  public TarBuilder owner(long uid, long gid) {
    Item last = items.removeLast();
    items.add(new Item(last.entry().withOwner(uid, gid, "", ""), last.payload()));
    return this;
  }

  public TarBuilder add(TarEntry e) {
    return add(e, new byte[0]);
  }

  public TarBuilder add(TarEntry e, byte[] payload) {
    items.add(new Item(e, payload));
    return this;
  }

  public byte[] bytes() {
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

  public ByteArrayInputStream stream() {
    return new ByteArrayInputStream(bytes());
  }
}
