package dev.cairn.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a store of N nodes as a Docker 1.9 daemon with the vfs driver leaves it after building N/5
 * images of five steps each, every step an empty layer: {@code graph/<id>/json} (the v1 image JSON,
 * Go's field order), {@code layersize}, {@code tar-data.json.gz} (tar-split's record of the empty
 * tar), {@code vfs/dir/<id>/}, and one tag per chain in {@code repositories-vfs}. IDs are random as
 * Docker made them (never twelve digits in front), from a fixed seed, so that every run writes the
 * same store. No file of cairn's own (diffid, index) is written.
 *
 * <p>Runs without the rest of the project: {@code java ScaleStore.java ROOT NODES}.
 */
public final class ScaleStore {
  private static final int CHAIN = 5;
  private static final Instant START = Instant.parse("2015-11-20T10:00:00Z");
  private static final String[] STEPS = {
    "#(nop) ADD file:%s in /",
    "#(nop) ENV APP=%s",
    "echo %s > /etc/app",
    "#(nop) WORKDIR /%s",
    "#(nop) CMD [\\\"/app\\\" \\\"%s\\\"]"
  };

  private ScaleStore() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: ScaleStore ROOT NODES");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    int nodes = Integer.parseInt(args[1]);
    long start = System.nanoTime();
    write(root, nodes);
    System.out.printf(
        "%d nodes, %d tags in %s (%d ms)%n",
        nodes, nodes / CHAIN, root, (System.nanoTime() - start) / 1_000_000);
  }

  static void write(Path root, int nodes) throws IOException {
    Path graph = root.resolve("graph");
    Path layers = root.resolve("vfs/dir");
    Files.createDirectories(graph.resolve("_tmp"));
    Files.createDirectories(layers);
    var privateDir = PosixFilePermissions.fromString("rwx------");
    Files.setPosixFilePermissions(graph, privateDir);
    Files.setPosixFilePermissions(root.resolve("vfs"), privateDir);
    Files.setPosixFilePermissions(layers, privateDir);
    byte[] tarData = emptyTarData();
    byte[] zero = "0".getBytes(StandardCharsets.US_ASCII);
    Random random = new Random(19);
    TreeMap<String, TreeMap<String, String>> tags = new TreeMap<>();
    for (int chain = 0; chain * CHAIN < nodes; chain++) {
      String parent = null;
      String name = String.format("app%05d", chain);
      for (int step = 0; step < CHAIN && chain * CHAIN + step < nodes; step++) {
        int n = chain * CHAIN + step;
        String id = randomId(random);
        Path dir = graph.resolve(id);
        Files.createDirectory(dir);
        Files.write(dir.resolve("json"), json(id, parent, n, step, name, randomId(random)));
        Files.write(dir.resolve("layersize"), zero);
        Files.write(dir.resolve("tar-data.json.gz"), tarData);
        Files.createDirectory(layers.resolve(id));
        parent = id;
      }
      tags.computeIfAbsent("scale/group" + chain / 100, k -> new TreeMap<>())
          .put("v" + chain % 100, parent);
    }
    Files.write(root.resolve("repositories-vfs"), repositories(tags));
  }

  /** Docker's stringid.GenerateRandomID: 32 random bytes, redrawn when the short ID is a number. */
  private static String randomId(Random random) {
    byte[] bytes = new byte[32];
    while (true) {
      random.nextBytes(bytes);
      String id = HexFormat.of().formatHex(bytes);
      if (!id.substring(0, 12).chars().allMatch(Character::isDigit)) {
        return id;
      }
    }
  }

  /** The image JSON docker build wrote in 1.9 (image.Image, runconfig.Config in Go's order). */
  private static byte[] json(
      String id, String parent, int n, int step, String name, String container) {
    String created = START.plusSeconds(n).plusNanos(1000L * (n % 1000) + 1).toString();
    String env = "[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"";
    env += step >= 1 ? ",\"APP=" + name + "\"]" : "]";
    String cmd = step >= 4 ? "[\"/app\",\"" + name + "\"]" : "null";
    String workdir = step >= 3 ? "/" + name : "";
    String run = String.format(STEPS[step], name);
    String image = parent == null ? "" : parent;
    StringBuilder s = new StringBuilder(1400);
    s.append("{\"id\":\"").append(id).append('"');
    if (parent != null) {
      s.append(",\"parent\":\"").append(parent).append('"');
    }
    s.append(",\"created\":\"").append(created).append('"');
    s.append(",\"container\":\"").append(container).append('"');
    s.append(",\"container_config\":")
        .append(config(container.substring(0, 12), env, "[\"/bin/sh\",\"-c\",\"" + run + "\"]"))
        .append(image)
        .append("\",\"Volumes\":null,\"WorkingDir\":\"")
        .append(workdir)
        .append("\",\"Entrypoint\":null,\"OnBuild\":[],\"Labels\":{}}");
    s.append(",\"docker_version\":\"1.9.1\"");
    s.append(",\"config\":")
        .append(config("", env, cmd))
        .append(image)
        .append("\",\"Volumes\":null,\"WorkingDir\":\"")
        .append(workdir)
        .append("\",\"Entrypoint\":null,\"OnBuild\":[],\"Labels\":{}}");
    s.append(",\"architecture\":\"amd64\",\"os\":\"linux\"}");
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String config(String hostname, String env, String cmd) {
    return "{\"Hostname\":\""
        + hostname
        + "\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,"
        + "\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":"
        + env
        + ",\"Cmd\":"
        + cmd
        + ",\"Image\":\"";
  }

  /** What tar-split's disassembly of an empty layer (1024 zero bytes) records. */
  private static byte[] emptyTarData() throws IOException {
    String zeros = Base64.getEncoder().encodeToString(new byte[1024]);
    String lines =
        "{\"type\":2,\"payload\":\""
            + zeros
            + "\",\"position\":0}\n{\"type\":2,\"payload\":\"\",\"position\":1}\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(lines.getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  /** The TagStore as Docker 1.9 marshalled it: {"Repositories":{name:{tag:id}}}, keys sorted. */
  private static byte[] repositories(TreeMap<String, TreeMap<String, String>> tags) {
    StringBuilder s = new StringBuilder("{\"Repositories\":{");
    String comma = "";
    for (var repo : tags.entrySet()) {
      s.append(comma).append('"').append(repo.getKey()).append("\":{");
      comma = ",";
      String inner = "";
      for (var tag : repo.getValue().entrySet()) {
        s.append(inner).append('"').append(tag.getKey()).append("\":\"");
        s.append(tag.getValue()).append('"');
        inner = ",";
      }
      s.append('}');
    }
    return s.append("}}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
