package dev.cairn.cli;

import dev.cairn.registry.OciLayouts;
import dev.cairn.registry.RegistryServer;
import dev.cairn.registry.Tools;
import dev.cairn.tar.TarEntry;
import dev.cairn.testing.DockerEngine;
import dev.cairn.testing.TarBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The images the differential tests pull with both docker and cairn, put into a test registry:
 * three built by dockerd ({@code docker build} with the classic builder, then {@code docker push}),
 * one of them served only as a signed schema1 manifest (skopeo converts and signs it), and four
 * written as OCI layouts and pushed by skopeo (OCI, docker schema2, an index of two platforms
 * pulled for each, and one whose layers hold symlinks, hard links, whiteouts, an opaque directory,
 * non-ASCII names, an empty layer and a layer that appears twice). dockerd is left holding none of
 * them, so that each test sees what a pull gives.
 */
final class DockerCorpus {
  private DockerCorpus() {}

  /**
   * One image of the corpus: a short name for messages, its reference, the platform to ask for
   * (null for the default) and whether the registry serves it as schema1 only.
   */
  record Sample(String name, String reference, String platform, boolean schema1) {
    /** The corpus as a whole, for what concerns every image (the rows of {@code images}). */
    static final Sample ALL = new Sample("all", "", null, false);

    @Override
    public String toString() {
      return name;
    }
  }

  private static final Instant MTIME = Instant.ofEpochSecond(1_600_000_000);

  /** Builds and pushes every image; returns them in the order the tests list them. */
  static List<Sample> build(Path dir, RegistryServer registry, DockerEngine docker)
      throws IOException, InterruptedException {
    String host = registry.host();
    String base = host + "/built/base:1";
    String child = host + "/built/child:1";
    String schema1Source = host + "/built/s1-source:1";
    String schema1 = host + "/built/s1:1";

    Path baseContext = context(dir.resolve("base"));
    Files.write(baseContext.resolve("rootfs.tar"), rootfs());
    Files.writeString(
        baseContext.resolve("Dockerfile"),
        """
        FROM scratch
        MAINTAINER cairn tests <tests@cairn.invalid>
        ADD rootfs.tar /
        COPY tree/ /opt/tree/
        ENV PATH=/bin:/usr/bin LANG=C.UTF-8
        LABEL org.example.name="base" org.example.note="ünïcode ✓"
        WORKDIR /work
        USER 1000:1000
        EXPOSE 8080/tcp 53/udp
        VOLUME ["/data", "/var/cache/app"]
        STOPSIGNAL SIGINT
        HEALTHCHECK --interval=30s CMD ["/bin/check"]
        ONBUILD COPY extra.txt /onbuild/
        ENTRYPOINT ["/bin/sh"]
        CMD ["-c", "true"]
        """);
    docker.docker("build", "-q", "-t", base, baseContext.toString());
    docker.docker("push", base);

    Path childContext = Files.createDirectories(dir.resolve("child"));
    Files.writeString(childContext.resolve("extra.txt"), "extra\n");
    Files.writeString(
        childContext.resolve("Dockerfile"),
        """
        FROM %s
        COPY extra.txt /opt/extra.txt
        ENV CHILD=1
        CMD ["-c", "echo child"]
        """
            .formatted(base));
    docker.docker("build", "-q", "-t", child, childContext.toString());
    docker.docker("push", child);

    Path s1Context = context(dir.resolve("s1"));
    Files.writeString(
        s1Context.resolve("Dockerfile"),
        """
        FROM scratch
        COPY tree/ /tree/
        ENV S1=yes
        LABEL kind=schema1
        COPY tree/target.txt /hello.txt
        CMD ["/hello"]
        """);
    docker.docker("build", "-q", "-t", schema1Source, s1Context.toString());
    docker.docker("push", schema1Source);
    Tools.run(
        List.of(
            Tools.require("skopeo").toString(),
            "--insecure-policy",
            "copy",
            "--quiet",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            "--format",
            "v2s1",
            "docker://" + schema1Source,
            "docker://" + schema1));
    // dockerd keeps what it built (parents, container config) under the same IDs: drop it all, so
    // that the tests compare pulls.
    docker.docker("rmi", base, child, schema1Source);

    OciLayouts layout = new OciLayouts(dir.resolve("layout"));
    layout.tag(
        "oci",
        layout
            .image(
                "amd64",
                List.of(Map.of("etc/os-release", "ID=oci\n"), Map.of("usr/bin/app", "app\n")))
            .manifest());
    layout.tag(
        "s2",
        layout
            .image("amd64", List.of(Map.of("etc/os-release", "ID=s2\n"), Map.of("s2", "two\n")))
            .manifest());
    OciLayouts.Image amd = layout.image("amd64", List.of(Map.of("arch", "amd64\n")));
    OciLayouts.Image arm = layout.image("arm64", List.of(Map.of("arch", "arm64\n")));
    OciLayouts.Blob index = layout.index(List.of(amd, arm), List.of("amd64", "arm64"));
    layout.tag("multi", index);
    layout.tag("arm", index);
    layout.tag("tricky", tricky(layout).manifest());
    Tools.push(layout.dir(), "oci", host, "corpus/oci");
    Tools.push(layout.dir(), "s2", host, "corpus/s2", "--format", "v2s2");
    Tools.push(layout.dir(), "multi", host, "corpus/multi", "--multi-arch", "all");
    Tools.push(layout.dir(), "arm", host, "corpus/multi", "--multi-arch", "all");
    Tools.push(layout.dir(), "tricky", host, "corpus/tricky");

    return List.of(
        new Sample("base", base, null, false),
        new Sample("child", child, null, false),
        new Sample("schema1", schema1, null, true),
        new Sample("oci", host + "/corpus/oci:oci", null, false),
        new Sample("schema2", host + "/corpus/s2:s2", null, false),
        new Sample("index-amd64", host + "/corpus/multi:multi", null, false),
        new Sample("index-arm64", host + "/corpus/multi:arm", "linux/arm64", false),
        new Sample("tricky", host + "/corpus/tricky:tricky", null, false));
  }

  /** A build context with a directory holding a relative symlink and a non-ASCII name. */
  private static Path context(Path dir) throws IOException {
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("sub"));
    Files.writeString(tree.resolve("target.txt"), "target\n");
    Files.createSymbolicLink(tree.resolve("link"), Path.of("target.txt"));
    Files.writeString(tree.resolve("ünï ✓.txt"), "non-ascii\n");
    Files.writeString(tree.resolve("sub/deep.txt"), "deep\n");
    Files.writeString(dir.resolve("extra.txt"), "extra\n");
    return dir;
  }

  /** The base image's ADDed tar: hard links, absolute and relative symlinks, modes, owners. */
  private static byte[] rootfs() {
    return TarBuilder.tar()
        .dir("bin")
        .dir("etc")
        .dir("usr")
        .dir("usr/lib")
        .dir("usr/share/café")
        .add(file("bin/busybox", "busybox\n").withMode(0755), bytes("busybox\n"))
        .hardlink("bin/ls", "bin/busybox")
        .symlink("bin/sh", "busybox")
        .symlink("lib", "usr/lib")
        .symlink("etc/mtab", "/proc/self/mounts")
        .file("etc/os-release", "ID=base\n")
        .add(file("etc/secret", "s\n").withMode(0600).withOwner(1000, 1000, "", ""), bytes("s\n"))
        .add(file("bin/suid", "x\n").withMode(04755), bytes("x\n"))
        .file("usr/share/café/naïve.txt", "naïve\n")
        .file("日本/語.txt", "日本語\n")
        .add(file("empty", ""), new byte[0])
        .bytes();
  }

  /**
   * An OCI image whose layers hold what is hard to get right: whiteouts of a file and of a
   * directory, an opaque directory, a symlink replaced by a file, hard links (to a file and to a
   * symlink, their headers saying another owner, mode, time or xattr), non-ASCII names, an xattr,
   * an empty layer, and its first layer again on top. Its config has a zone offset and fractional
   * zeros in its dates, steps that made no layer, and fields docker's builder does not write.
   */
  private static OciLayouts.Image tricky(OciLayouts layout) throws IOException {
    byte[] first =
        TarBuilder.tar()
            .dir("a")
            .dir("a/keep")
            .file("a/keep/k.txt", "keep\n")
            .dir("opq")
            .file("opq/old.txt", "old\n")
            .file("gone.txt", "gone\n")
            .dir("gone-dir")
            .file("gone-dir/x", "x\n")
            .symlink("link", "gone.txt")
            .symlink("abs", "/etc/os-release")
            .file("h1", "hard\n")
            .add(TarEntry.hardlink("h2", "h1").withMode(04710).withOwner(7, 8, "", ""))
            .xattrs(Map.of("user.link", "h2"))
            .add(TarEntry.hardlink("abs2", "abs").withOwner(9, 9, "", ""))
            .dir("ñandú")
            .file("ñandú/ü.txt", "ü\n")
            .file("attr.txt", "with xattr\n")
            .xattrs(Map.of("user.note", "cairn"))
            .bytes();
    byte[] second =
        TarBuilder.tar()
            .whiteout("", "gone.txt")
            .whiteout("", "gone-dir")
            .dir("opq")
            .opaque("opq")
            .file("opq/new.txt", "new\n")
            .file("link", "now a file\n")
            .file("h4", "hard in the upper layer\n")
            .hardlink("h5", "h4")
            .bytes();
    byte[] empty = TarBuilder.tar().bytes();
    List<byte[]> tars = List.of(first, second, empty, first);
    String config =
        """
        {"architecture":"amd64","os":"linux","created":"2024-02-03T04:05:06.500+02:00",\
        "author":"tricky <t@example.invalid>","comment":"made by hand",\
        "config":{"User":"nobody","ExposedPorts":{"80/tcp":{}},"Env":["PATH=/bin","A=b c"],\
        "Entrypoint":["/bin/app"],"Cmd":["--flag"],"Volumes":{"/v":{}},"WorkingDir":"/a",\
        "Labels":{"l":"v"},"StopSignal":"SIGTERM"},\
        "rootfs":{"type":"layers","diff_ids":%s},\
        "history":[\
        {"created":"2024-02-03T04:05:06Z","created_by":"first layer","comment":"c1"},\
        {"created":"2024-02-03T04:05:07Z","created_by":"ENV only","empty_layer":true},\
        {"created":"2024-02-03T04:05:08.250000Z","created_by":"whiteouts","author":"someone"},\
        {"created":"2024-02-03T04:05:09Z","created_by":"empty tar"},\
        {"created":"2024-02-03T04:05:10Z","created_by":"first layer again"},\
        {"created":"2024-02-03T04:05:11Z","created_by":"CMD only","empty_layer":true}]}\
        """
            .formatted(OciLayouts.diffIds(tars));
    return layout.imageOfTars(tars, config);
  }

  private static TarEntry file(String name, String content) {
    return TarEntry.regular(name, bytes(content).length).withMtime(MTIME);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
