package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.registry.RegistryServer;
import dev.cairn.tar.TarEntry;
import dev.cairn.tar.TarReader;
import dev.cairn.testing.DockerEngine;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The round trips of {@code cairn push} on the corpus ({@link DockerDifferentialTest}): what cairn
 * pulled and pushes to a second registry, dockerd pulls as the very image it pulled from the first:
 * the same ID (the config's digest, for a schema1 image the config docker made of it), the same
 * layers, a RepoDigest that is the digest cairn printed, and layer tars in {@code docker save} that
 * hash to the DiffIDs of the tars cairn saves.
 */
final class DockerPushChecks {
  private DockerPushChecks() {}

  /**
   * Pushes sample {@code s} from {@code cairn} to {@code second}, pulls it with docker, compares,
   * and removes the pushed name from both again; the archives go to {@code dir}.
   *
   * @return the digest cairn printed for the push
   */
  static String roundTrip(
      DockerEngine docker,
      Cli cairn,
      RegistryServer second,
      DockerCorpus.Sample s,
      String repo,
      Path dir)
      throws Exception {
    String target = second.host() + "/" + repo + ":1";
    assertThat(cairn.run("tag", s.reference(), target).exit()).isZero();
    try {
      CliResult push = cairn.run("push", "--progress=plain", target);
      assertThat(push.exit()).as("cairn push of %s: %s", s, push.err()).isZero();
      String last = push.lines().getLast();
      assertThat(last).matches("1: digest: sha256:[0-9a-f]{64} size: [0-9]+");
      String digest = last.split(" ")[2];

      docker.docker(pull(s, target));
      JsonObject mine = DockerDifferentialTest.dockerInspect(target);
      JsonObject pulled = DockerDifferentialTest.dockerInspect(s.reference());
      assertThat(Differences.plain(mine.get("Id")))
          .as("%s: docker's ID of cairn's push", s)
          .isEqualTo(Differences.plain(pulled.get("Id")));
      assertThat(Differences.plain(mine.get("RootFS")))
          .as("%s: docker's layers of cairn's push", s)
          .isEqualTo(Differences.plain(pulled.get("RootFS")));
      assertThat(Differences.plain(mine.get("RepoDigests")).toString())
          .contains(second.host() + "/" + repo + "@" + digest);
      if (!s.schema1()) {
        // A schema1 image's ID in cairn is its strong ID (Docker 1.9's); the others are docker's.
        assertThat(Differences.plain(DockerDifferentialTest.cairnInspect(cairn, target).get("Id")))
            .isEqualTo(Differences.plain(mine.get("Id")));
      }
      Path theirs = Files.createTempFile(dir, "docker", ".tar");
      Path ours = Files.createTempFile(dir, "cairn", ".tar");
      docker.docker("save", "-o", theirs.toString(), target);
      CliResult save = cairn.run("save", "-o", ours.toString(), target);
      assertThat(save.exit()).as("cairn save of %s: %s", s, save.err()).isZero();
      List<String> dockerDiffIds = layerDigests(theirs);
      assertThat(dockerDiffIds)
          .as("%s: DiffIDs of docker save of cairn's push", s)
          .isEqualTo(Differences.plain(((JsonObject) mine.get("RootFS")).get("Layers")))
          .isEqualTo(layerDigests(ours));
      return digest;
    } finally {
      docker.run("rmi", target);
      cairn.run("rmi", target);
    }
  }

  /**
   * Pushes sample {@code s} to {@code second} as a signed schema1 manifest; docker pulls it with
   * the layers it pulled from the first registry (its ID is another: docker makes a config of
   * schema1).
   */
  static void schema1RoundTrip(
      DockerEngine docker, Cli cairn, RegistryServer second, DockerCorpus.Sample s, String repo)
      throws Exception {
    String target = second.host() + "/" + repo + ":1";
    assertThat(cairn.run("tag", s.reference(), target).exit()).isZero();
    try {
      CliResult push = cairn.run("push", "-q", "--format", "v2s1", target);
      assertThat(push.exit()).as("cairn push --format v2s1 of %s: %s", s, push.err()).isZero();
      docker.docker(pull(s, target));
      JsonObject mine = DockerDifferentialTest.dockerInspect(target);
      JsonObject pulled = DockerDifferentialTest.dockerInspect(s.reference());
      for (String field : List.of("RootFS", "Architecture", "Os")) {
        assertThat(Differences.plain(mine.get(field)))
            .as("%s: docker's %s of cairn's schema1 push", s, field)
            .isEqualTo(Differences.plain(pulled.get(field)));
      }
      assertThat(Differences.plain(mine.get("RootFS")))
          .as("%s: docker's layers of cairn's schema1 push against cairn's", s)
          .isEqualTo(
              Differences.plain(DockerDifferentialTest.cairnInspect(cairn, target).get("RootFS")));
    } finally {
      docker.run("rmi", target);
      cairn.run("rmi", target);
    }
  }

  /**
   * Pushes schema1 sample {@code s}, which {@code kept} pulled keeping its blobs, to {@code second}
   * as a signed schema1 manifest: {@code fresh}, a store that never had it, pulls the very image
   * (the same strong ID, so the same chain), and docker pulls it with the same layers.
   */
  static void schema1KeptRoundTrip(
      DockerEngine docker,
      Cli kept,
      Cli fresh,
      RegistryServer second,
      DockerCorpus.Sample s,
      String repo)
      throws Exception {
    String target = second.host() + "/" + repo + ":1";
    assertThat(kept.run("tag", s.reference(), target).exit()).isZero();
    try {
      CliResult push = kept.run("push", "-q", "--format", "v2s1", target);
      assertThat(push.exit()).as("cairn push --format v2s1 of %s: %s", s, push.err()).isZero();
      CliResult pull = fresh.run("pull", "-q", target);
      assertThat(pull.exit()).as("cairn pull of %s: %s", target, pull.err()).isZero();
      JsonObject original = DockerDifferentialTest.cairnInspect(kept, s.reference());
      assertThat(Differences.plain(DockerDifferentialTest.cairnInspect(fresh, target).get("Id")))
          .as("%s: cairn's ID of its schema1 push, pulled anew", s)
          .isEqualTo(Differences.plain(original.get("Id")));
      docker.docker("pull", "-q", target);
      assertThat(Differences.plain(DockerDifferentialTest.dockerInspect(target).get("RootFS")))
          .as("%s: docker's layers of cairn's schema1 push", s)
          .isEqualTo(Differences.plain(original.get("RootFS")));
    } finally {
      docker.run("rmi", target);
      kept.run("rmi", target);
      fresh.run("rmi", target);
    }
  }

  /**
   * What {@code cairn push} prints off a terminal against what {@code docker push} prints, for one
   * image pushed the same three ways by each into {@code fresh}, a registry neither has pushed to
   * (into a new repository, again, and into another repository, which mounts): the same lines, but
   * for the repository names, the manifest digest and size (each compresses its own way), and the
   * order the layers finish in.
   */
  static void outputLikeDocker(
      DockerEngine docker, Cli cairn, RegistryServer fresh, DockerCorpus.Sample s)
      throws Exception {
    List<String> theirs = new ArrayList<>();
    List<String> ours = new ArrayList<>();
    for (String[] way :
        List.of(new String[] {"a", "a"}, new String[] {"a", "a"}, new String[] {"b", "a"})) {
      String dockerRepo = fresh.host() + "/docker-" + way[0] + "/" + s.name();
      String cairnRepo = fresh.host() + "/cairn-" + way[0] + "/" + s.name();
      docker.docker("tag", s.reference(), dockerRepo + ":1");
      assertThat(cairn.run("tag", s.reference(), cairnRepo + ":1").exit()).isZero();
      theirs.addAll(normal(docker.docker("push", dockerRepo + ":1").lines().toList(), "docker"));
      CliResult r = cairn.run("push", "--progress=plain", cairnRepo + ":1");
      assertThat(r.exit()).as("cairn push: %s", r.err()).isZero();
      ours.addAll(normal(r.lines(), "cairn"));
    }
    try {
      assertThat(ours).as("%s: cairn push against docker push", s).isEqualTo(theirs);
    } finally {
      for (String repo : List.of("a", "b")) {
        docker.run("rmi", fresh.host() + "/docker-" + repo + "/" + s.name() + ":1");
        cairn.run("rmi", fresh.host() + "/cairn-" + repo + "/" + s.name() + ":1");
      }
    }
  }

  /**
   * A push's lines with {@code tool}'s repository names made neutral, the digest line's values
   * blanked, and each run of final layer lines sorted (layers finish in any order).
   */
  private static List<String> normal(List<String> lines, String tool) {
    List<String> out = new ArrayList<>();
    List<String> finished = new ArrayList<>();
    for (String line : lines) {
      String l = line.replace("/" + tool + "-", "/TOOL-").replace(" " + tool + "-", " TOOL-");
      if (l.matches("[0-9a-f]{12}: (Pushed|Layer already exists|Mounted from .*)")) {
        finished.add(l);
        continue;
      }
      finished.sort(null);
      out.addAll(finished);
      finished.clear();
      out.add(
          l.replaceFirst(
              "^(.*): digest: sha256:[0-9a-f]{64} size: [0-9]+$", "$1: digest: D size: N"));
    }
    finished.sort(null);
    out.addAll(finished);
    return out;
  }

  /**
   * The SHA-256 of each layer tar of the archive's one image, in its {@code manifest.json} order: a
   * layer's DiffID. A layer docker saved before is a symbolic link to that first copy.
   */
  private static List<String> layerDigests(Path archive) throws Exception {
    Map<String, String> digests = new HashMap<>();
    Map<String, String> links = new HashMap<>();
    byte[] manifest = null;
    try (InputStream in = Files.newInputStream(archive)) {
      TarReader tar = new TarReader(in);
      for (TarEntry e = tar.next(); e != null; e = tar.next()) {
        if (e.name().equals("manifest.json")) {
          manifest = tar.payload().readAllBytes();
        } else if (e.name().endsWith("/layer.tar") && e.type() == TarEntry.Type.SYMLINK) {
          links.put(
              e.name(), Path.of(e.name()).resolveSibling(e.linkname()).normalize().toString());
        } else if (e.name().endsWith("/layer.tar")) {
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          try (InputStream payload = new DigestInputStream(tar.payload(), sha)) {
            payload.transferTo(OutputStream.nullOutputStream());
          }
          digests.put(e.name(), "sha256:" + HexFormat.of().formatHex(sha.digest()));
        }
      }
    }
    assertThat(manifest).as("%s has a manifest.json", archive).isNotNull();
    JsonArray images = (JsonArray) Json.parse(manifest);
    assertThat(images.items()).hasSize(1);
    List<String> out = new ArrayList<>();
    for (JsonValue layer :
        ((JsonArray) ((JsonObject) images.items().getFirst()).get("Layers")).items()) {
      String name = ((JsonString) layer).value();
      out.add(digests.get(links.getOrDefault(name, name)));
    }
    return out;
  }

  /** The digest the registry serves {@code s} under, as cairn recorded it when pulling. */
  static String pulledDigest(Cli cairn, DockerCorpus.Sample s) {
    Object digests =
        Differences.plain(
            DockerDifferentialTest.cairnInspect(cairn, s.reference()).get("RepoDigests"));
    assertThat(digests).isInstanceOf(List.class);
    String name = s.reference().substring(0, s.reference().lastIndexOf(':'));
    for (Object d : (List<?>) digests) {
      if (d.toString().startsWith(name + "@")) {
        return d.toString().substring(name.length() + 1);
      }
    }
    throw new AssertionError(s + ": no RepoDigest for " + name + " in " + digests);
  }

  /** A second cairn store that pulls {@code corpus} keeping the original blobs. */
  static Cli keeping(Path root, List<DockerCorpus.Sample> corpus) {
    Cli kept = new Cli(root, "overlay");
    for (DockerCorpus.Sample s : corpus) {
      List<String> args = new ArrayList<>(List.of("pull", "-q", "--keep-blobs"));
      if (s.platform() != null) {
        args.add("--platform=" + s.platform());
      }
      args.add(s.reference());
      CliResult r = kept.run(args.toArray(String[]::new));
      assertThat(r.exit()).as("cairn pull --keep-blobs %s: %s", s, r.err()).isZero();
    }
    return kept;
  }

  private static String[] pull(DockerCorpus.Sample s, String reference) {
    List<String> args = new ArrayList<>(List.of("pull", "-q"));
    if (s.platform() != null) {
      args.add("--platform=" + s.platform());
    }
    args.add(reference);
    return args.toArray(String[]::new);
  }
}
