package dev.cairn.testing;

import dev.cairn.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of the {@code chain} test image: 20 small layers with whiteouts of a file, a symlink
 * and a directory, opaque directories, a directory replaced by a file and the reverse, {@code
 * ./}-prefixed names (layer 2), a hard link and a symlink, and layer 17 the same tar as layer 3;
 * its config has two history steps that made no layer (an ENV after layer 1, the final CMD).
 */
public final class ChainImage {
  private ChainImage() {}

  /** The 20 layer tars, base first. */
  public static List<byte[]> layers() {
    List<byte[]> layers = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      layers.add(i == 17 ? layers.get(2) : layer(i));
    }
    return List.copyOf(layers);
  }

  private static String fill(String seed, int size) {
    StringBuilder b = new StringBuilder(size);
    while (b.length() < size) {
      b.append(seed).append(' ').append(b.length()).append('\n');
    }
    return b.substring(0, size);
  }

  private static byte[] layer(int i) {
    TarBuilder t = TarBuilder.tar();
    switch (i) {
      case 1 ->
          t.dir("bin/")
              .file("bin/sh", fill("sh", 6000))
              .dir("etc/")
              .file("etc/keep.conf", fill("keep", 300))
              .file("etc/obsolete.conf", fill("obs", 300))
              .file("etc/os-release", fill("os-1", 200))
              .dir("opt/")
              .dir("opt/data/")
              .file("opt/data/1.bin", fill("data-1", 1600))
              .dir("srv/")
              .dir("srv/dir-to-file/")
              .file("srv/dir-to-file/inner.txt", fill("d2f", 500))
              .file("srv/file-to-dir", fill("f2d", 500))
              .dir("usr/")
              .dir("usr/lib/")
              .symlink("usr/lib/libfoo.so", "libfoo.so.1")
              .file("usr/lib/libfoo.so.1", fill("libfoo1", 4000))
              .dir("var/")
              .dir("var/cache/")
              .dir("var/cache/app/")
              .file("var/cache/app/a.cache", fill("cache-a", 400));
      case 2 ->
          t.dir("./")
              .dir("./etc/")
              .file("./etc/layer02.conf", fill("l2", 400))
              .file("./etc/os-release", fill("os-2", 210));
      case 3 -> t.dir("dup/").file("dup/same.txt", fill("dup", 800));
      case 5 -> t.dir("etc/").whiteout("etc", "obsolete.conf");
      case 7 -> t.dir("var/cache/app/").file("var/cache/app/d.cache", fill("cache-d", 400));
      case 8 ->
          t.dir("var/cache/app/")
              .opaque("var/cache/app")
              .file("var/cache/app/new.cache", fill("cache-new", 400));
      case 10 ->
          t.dir("usr/lib/")
              .whiteout("usr/lib", "libfoo.so")
              .file("usr/lib/libfoo.so.2", fill("libfoo2", 4000));
      case 12 -> t.dir("opt/").whiteout("opt", "data");
      case 14 -> t.dir("opt/data/").file("opt/data/fresh.bin", fill("fresh", 1600));
      case 15 ->
          t.dir("srv/")
              .file("srv/dir-to-file", fill("d2f-file", 700))
              .dir("srv/file-to-dir/")
              .file("srv/file-to-dir/inner.txt", fill("f2d-inner", 700));
      case 18 -> t.dir("newdir/").opaque("newdir").file("newdir/x.txt", fill("newdir", 1000));
      case 19 ->
          t.dir("usr/local/bin/")
              .file("usr/local/bin/tool", fill("tool19", 3000))
              .hardlink("usr/local/bin/tool-hardlink", "usr/local/bin/tool")
              .symlink("usr/local/bin/tool-symlink", "tool");
      case 20 ->
          t.dir("etc/").whiteout("etc", "layer02.conf").file("etc/os-release", fill("os-20", 220));
      default -> {
        String dir = "usr/share/layer%02d/".formatted(i);
        t.dir(dir);
        for (int k = 1; k <= 3; k++) {
          t.file(dir + "f" + k + ".txt", fill("chain-" + i + "-" + k, 800 * k));
        }
      }
    }
    return t.bytes();
  }

  /**
   * The image's config for {@code layers}; {@code cmdComment}, when not null, is the comment of its
   * last step (a field no v1 JSON holds).
   */
  public static byte[] config(List<byte[]> layers, String cmdComment) {
    String created = "2023-11-14T22:13:20Z";
    StringBuilder diffIds = new StringBuilder();
    StringBuilder history = new StringBuilder();
    for (int i = 0; i < layers.size(); i++) {
      diffIds.append(i > 0 ? "," : "").append('"').append(Digest.sha256(layers.get(i))).append('"');
      history
          .append(i > 0 ? "," : "")
          .append("{\"created\":\"")
          .append(created)
          .append(
              "\",\"created_by\":\"/bin/sh -c #(nop) ADD file:layer%02d in / \"}".formatted(i + 1));
      if (i == 0) {
        history.append(
            ",{\"created\":\"%s\",\"created_by\":\"/bin/sh -c #(nop)  ENV BENCH=chain\",\"empty_layer\":true}"
                .formatted(created));
      }
    }
    history.append(
        ",{\"created\":\"%s\",\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"/bin/sh\\\"]\"%s,\"empty_layer\":true}"
            .formatted(created, cmdComment == null ? "" : ",\"comment\":\"" + cmdComment + "\""));
    return ("{\"created\":\"%s\",\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":"
            + "{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
            + "\"BENCH=chain\"],\"Cmd\":[\"/bin/sh\"],\"WorkingDir\":\"/\","
            + "\"Labels\":{\"bench.image\":\"chain\"}},\"rootfs\":{\"type\":\"layers\","
            + "\"diff_ids\":[%s]},\"history\":[%s]}")
        .formatted(created, diffIds, history)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The chain image's config. */
  public static byte[] config() {
    return config(layers(), null);
  }
}
