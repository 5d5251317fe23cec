package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.digest.Digest;
import dev.cairn.image.ChainId;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import dev.cairn.testing.DockerEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The differential checks of {@code system df} and {@code image prune} on the corpus both docker
 * and cairn pulled ({@link DockerDifferentialTest}): the same rows and figures, the same images and
 * layers removed (in any order: dockerd prunes in its map's order) and the same space reclaimed.
 */
final class DockerDiskChecks {
  private DockerDiskChecks() {}

  /** {@code system df}: its table, its json lines, and -v's images by REPOSITORY:TAG. */
  static List<Differences> systemDf(
      DockerEngine docker, Cli cairn, List<DockerCorpus.Sample> corpus) throws Exception {
    Differences whole = new Differences(DockerCorpus.Sample.ALL, "system df");
    whole.compare("table", docker.docker("system", "df"), out(cairn, "system", "df"));
    whole.compare(
        "json",
        docker.docker("system", "df", "--format", "json"),
        out(cairn, "system", "df", "--format", "json"));
    String dockerVerbose = docker.docker("system", "df", "-v");
    String cairnVerbose = out(cairn, "system", "df", "-v");
    whole.compare("-v sections", sections(dockerVerbose), sections(cairnVerbose));
    Map<String, Map<String, String>> d = imageRows(dockerVerbose);
    Map<String, Map<String, String>> c = imageRows(cairnVerbose);
    whole.compare("-v rows", d.keySet(), c.keySet());
    Map<String, Map<String, String>> dj =
        jsonImages(docker.docker("system", "df", "-v", "--format", "json"));
    Map<String, Map<String, String>> cj =
        jsonImages(out(cairn, "system", "df", "-v", "--format", "json"));
    whole.compare("-v json rows", dj.keySet(), cj.keySet());
    List<Differences> all = new ArrayList<>(List.of(whole));
    for (DockerCorpus.Sample s : corpus) {
      Differences diffs = new Differences(s, "system df -v");
      compareRow(diffs, d.get(s.reference()), c.get(s.reference()), "CREATED");
      compareRow(diffs, dj.get(s.reference()), cj.get(s.reference()), "CreatedSince");
      all.add(diffs);
    }
    return all;
  }

  private static void compareRow(
      Differences diffs, Map<String, String> docker, Map<String, String> cairn, String age) {
    if (docker == null || cairn == null) {
      diffs.compare("row", docker, cairn);
      return;
    }
    for (String column : docker.keySet()) {
      String dv = docker.get(column);
      String cv = cairn.get(column);
      if (column.equals(age) ? cv == null || !Ages.agree(dv, cv) : !dv.equals(cv)) {
        diffs.add(column, dv, cv);
      }
    }
  }

  /** The -v output without the images table's rows: headings, headers and empty sections. */
  private static List<String> sections(String verbose) {
    List<String> lines = new ArrayList<>(verbose.lines().toList());
    int end = lines.indexOf("Containers space usage:") - 1;
    lines.subList(3, end).clear();
    lines.set(2, String.join("|", lines.get(2).split(" {2,}")));
    return lines;
  }

  /** The images table of -v, by REPOSITORY:TAG. */
  private static Map<String, Map<String, String>> imageRows(String verbose) {
    List<String> lines = verbose.lines().toList();
    int end = lines.indexOf("Containers space usage:") - 1;
    Map<String, Map<String, String>> rows = new LinkedHashMap<>();
    for (Map<String, String> row : Table.parse(String.join("\n", lines.subList(2, end)))) {
      rows.put(row.get("REPOSITORY") + ":" + row.get("TAG"), row);
    }
    return rows;
  }

  /** The Images of -v --format json, by Repository:Tag. */
  private static Map<String, Map<String, String>> jsonImages(String document) {
    JsonObject o = Json.parseObject(document.strip().getBytes(StandardCharsets.UTF_8), "df");
    Map<String, Map<String, String>> rows = new LinkedHashMap<>();
    for (JsonValue v : ((JsonArray) o.get("Images")).items()) {
      Map<String, String> row = new LinkedHashMap<>();
      ((JsonObject) v).members().forEach(m -> row.put(m.key(), ((JsonString) m.value()).value()));
      rows.put(row.get("Repository") + ":" + row.get("Tag"), row);
    }
    return rows;
  }

  /**
   * {@code image prune -f}, once one image of the corpus is made dangling the same way on both
   * sides (its tag moved to another image), then {@code image prune -a -f}, which leaves both
   * empty. The IDs of an image pulled as schema1 are the mission's (strong IDs, a node per v1
   * image), compared apart.
   */
  static List<Differences> prune(DockerEngine docker, Cli cairn, List<DockerCorpus.Sample> corpus)
      throws Exception {
    DockerCorpus.Sample moved = sample(corpus, "index-arm64");
    DockerCorpus.Sample onto = sample(corpus, "oci");
    docker.docker("tag", onto.reference(), moved.reference());
    assertThat(cairn.run("tag", onto.reference(), moved.reference()).exit()).isZero();
    Differences dangling = new Differences(moved, "image prune");
    compareOutput(
        dangling,
        docker.docker("image", "prune", "-f"),
        out(cairn, "image", "prune", "-f"),
        Set.of(),
        Set.of());
    List<Differences> all = new ArrayList<>(List.of(dangling));

    Set<String> dockerLegacy = new TreeSet<>();
    Set<String> cairnLegacy = new TreeSet<>();
    DockerCorpus.Sample legacy = null;
    for (DockerCorpus.Sample s : corpus) {
      if (s.schema1() && !s.equals(moved)) {
        legacy = s;
        JsonObject inspect = DockerDifferentialTest.dockerInspect(s.reference());
        dockerLegacy.add(((JsonString) inspect.get("Id")).value());
        List<Digest> diffIds = new ArrayList<>();
        JsonObject rootFs = (JsonObject) inspect.get("RootFS");
        for (JsonValue layer : ((JsonArray) rootFs.get("Layers")).items()) {
          diffIds.add(Digest.parse(((JsonString) layer).value()));
        }
        ChainId.of(diffIds).forEach(chain -> dockerLegacy.add(chain.toString()));
        cairnLegacy.addAll(
            out(cairn, "history", "-q", "--no-trunc", s.reference()).lines().toList());
      }
    }
    Differences every = new Differences(DockerCorpus.Sample.ALL, "image prune -a");
    Differences legacyIds =
        new Differences(legacy == null ? DockerCorpus.Sample.ALL : legacy, "image prune -a");
    compareOutput(
        every,
        docker.docker("image", "prune", "-a", "-f"),
        out(cairn, "image", "prune", "-a", "-f"),
        dockerLegacy,
        cairnLegacy,
        legacyIds);
    every.compare("images left", "", out(cairn, "images", "-a", "-q"));
    all.add(every);
    all.add(legacyIds);
    return all;
  }

  private static void compareOutput(
      Differences diffs,
      String docker,
      String cairn,
      Set<String> dockerLegacy,
      Set<String> cairnLegacy,
      Differences... legacy) {
    List<String> d = docker.lines().toList();
    List<String> c = cairn.lines().toList();
    assertThat(d).as("docker removed something").contains("Deleted Images:");
    diffs.compare("total", d.getLast(), c.getLast());
    diffs.compare("header", d.getFirst(), c.getFirst());
    Set<String> dLines = new TreeSet<>(d.subList(0, d.size() - 1));
    Set<String> cLines = new TreeSet<>(c.subList(0, c.size() - 1));
    Set<String> dOwn = new TreeSet<>();
    Set<String> cOwn = new TreeSet<>();
    dLines.removeIf(l -> dockerLegacy.contains(l.replace("deleted: ", "")) && dOwn.add(l));
    cLines.removeIf(l -> cairnLegacy.contains(l.replace("deleted: ", "")) && cOwn.add(l));
    diffs.compare("removed", dLines, cLines);
    diffs.compare("lines", d.size() - dOwn.size(), c.size() - cOwn.size());
    if (legacy.length > 0) {
      legacy[0].compare("deleted", dOwn, cOwn);
    }
  }

  private static DockerCorpus.Sample sample(List<DockerCorpus.Sample> corpus, String name) {
    return corpus.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  private static String out(Cli cairn, String... args) {
    CliResult r = cairn.run(args);
    assertThat(r.exit()).as("cairn %s: %s", String.join(" ", args), r.err()).isZero();
    return r.out();
  }
}
