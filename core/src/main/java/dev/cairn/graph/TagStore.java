package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.Reference;
import dev.cairn.json.GoJsonWriter;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The tags of a graph: the {@code repositories-<driver>} file, {@code
 * {"Repositories":{"name":{"tag":"id","name@sha256:…":"id"}}}} with names in their short form as
 * Docker 1.9 wrote them. Each reference names one node; a tag moves when set again, a digest
 * reference only when forced. Writes replace the file atomically under a lock that other processes
 * honour too, re-reading it first so that no one's tags are lost.
 *
 * <p>An entry that names nothing usable (a name the reference grammar refuses, a value that is not
 * an image ID), as an older cairn or a hand edit may have left, is reported by {@link #skipped} and
 * resolves to nothing; every write keeps it as it was, so nothing is lost that a user may want.
 */
public final class TagStore {
  private static final int MAX_FILE = 64 << 20;

  private final Graph graph;
  private final Path file;
  // familiar name -> key ("tag" or "name@sha256:…") -> node ID
  private Map<String, Map<String, String>> repositories = new TreeMap<>();
  private List<Kept> kept = List.of();
  private Object seenVersion;
  // Made from repositories when first asked for, dropped whenever repositories changes.
  private Views views;
  // The references the last read made while checking each entry ("name key"), for views to reuse.
  private Map<String, Reference> checked = Map.of();

  private TagStore(Graph graph) {
    this.graph = graph;
    this.file = graph.root().resolve("repositories-" + graph.driver().name());
  }

  /** The tags of {@code graph}, read from its root. */
  public static TagStore open(Graph graph) throws IOException {
    TagStore s = new TagStore(graph);
    synchronized (s) {
      s.reloadIfChanged();
    }
    return s;
  }

  /**
   * Points {@code ref} at the node {@code idOrPrefix}.
   *
   * @return the node it pointed to before, when it moved
   * @throws CairnException CONFLICT when a digest reference would move without {@code force};
   *     INVALID for a reference with both tag and digest; NOT_FOUND for an unknown node
   */
  public synchronized Optional<String> tag(Reference ref, String idOrPrefix, boolean force)
      throws IOException {
    return set(ref, idOrPrefix, force, false);
  }

  /**
   * Points {@code ref} at the node {@code idOrPrefix} unless it already names a node, which it then
   * keeps naming.
   */
  public synchronized void tagUnlessNamed(Reference ref, String idOrPrefix) throws IOException {
    set(ref, idOrPrefix, false, true);
  }

  private Optional<String> set(Reference ref, String idOrPrefix, boolean force, boolean keep)
      throws IOException {
    String id = graph.get(idOrPrefix).id();
    Key k = key(ref);
    try (RootLock.Held l = graph.lock().lockTags()) {
      reloadIfChanged();
      String old = repositories.getOrDefault(k.name, Map.of()).get(k.key);
      if (id.equals(old) || old != null && keep) {
        return Optional.empty();
      }
      if (old != null && ref.digest() != null && !force) {
        throw new CairnException(
            CairnException.Kind.CONFLICT,
            "cannot move " + ref.familiar() + " from image " + old + " to " + id + " unforced");
      }
      Map<String, Map<String, String>> next = copy();
      next.computeIfAbsent(k.name, n -> new TreeMap<>(GoJsonWriter.KEY_ORDER)).put(k.key, id);
      // Setting a name replaces what the file held under it, usable or not.
      write(next, kept.stream().filter(e -> !e.isNamed(k)).toList());
      return Optional.ofNullable(old);
    }
  }

  /**
   * Removes {@code ref}.
   *
   * @return the node it pointed to
   * @throws CairnException NOT_FOUND when there is no such reference
   */
  public synchronized String untag(Reference ref) throws IOException {
    Key k = key(ref);
    try (RootLock.Held l = graph.lock().lockTags()) {
      reloadIfChanged();
      String old = repositories.getOrDefault(k.name, Map.of()).get(k.key);
      if (old == null) {
        throw CairnException.notFound("no such reference: " + ref.familiar());
      }
      Map<String, Map<String, String>> next = copy();
      Map<String, String> repo = next.get(k.name);
      repo.remove(k.key);
      if (repo.isEmpty()) {
        next.remove(k.name);
      }
      write(next, kept);
      return old;
    }
  }

  /** The node {@code ref} points to, if any. */
  public synchronized Optional<String> resolve(Reference ref) throws IOException {
    reloadIfChanged();
    Key k = key(ref);
    return Optional.ofNullable(repositories.getOrDefault(k.name, Map.of()).get(k.key));
  }

  /** Every reference that points to node {@code id}, in file order. */
  public synchronized List<Reference> references(String id) throws IOException {
    reloadIfChanged();
    String hex = NodeFiles.stripSha256(id);
    if (views != null) {
      return views.byNode().getOrDefault(hex, List.of());
    }
    // One image's names: the file's entries are looked through, no reference made for the others.
    List<Reference> out = new ArrayList<>(1);
    repositories.forEach(
        (name, refs) ->
            refs.forEach(
                (key, node) -> {
                  if (node.equals(hex)) {
                    out.add(made(name, key));
                  }
                }));
    return List.copyOf(out);
  }

  /**
   * The references of every node a reference points to, each node's in file order; unmodifiable, as
   * the file was when asked: one look for a listing of every image.
   */
  public synchronized Map<String, List<Reference>> byNode() throws IOException {
    return views().byNode();
  }

  /** Every reference with the node it points to, in file order; unmodifiable. */
  public synchronized Map<Reference, String> all() throws IOException {
    return views().all();
  }

  /**
   * The references as values, made once per version of the file: a listing asks for the names of
   * every image, and making them afresh for each would cost the number of images times the number
   * of tags.
   */
  private record Views(Map<Reference, String> all, Map<String, List<Reference>> byNode) {}

  private Views views() throws IOException {
    reloadIfChanged();
    if (views == null) {
      Map<Reference, String> all = new LinkedHashMap<>();
      Map<String, List<Reference>> byNode = new HashMap<>();
      repositories.forEach(
          (name, refs) ->
              refs.forEach(
                  (key, id) -> {
                    Reference ref = made(name, key);
                    all.put(ref, id);
                    byNode.computeIfAbsent(id, k -> new ArrayList<>(1)).add(ref);
                  }));
      checked = Map.of();
      byNode.replaceAll((id, refs) -> List.copyOf(refs));
      views = new Views(Collections.unmodifiableMap(all), Collections.unmodifiableMap(byNode));
    }
    return views;
  }

  /**
   * The entries of the file that could not be used, in file order, as last read. One per unusable
   * {@code repository:tag}, or per repository whose value is not an object.
   */
  public synchronized List<SkippedTag> skipped() throws IOException {
    reloadIfChanged();
    return kept.stream().map(Kept::report).toList();
  }

  /** The file the tags live in. */
  public Path file() {
    return file;
  }

  private record Key(String name, String key) {}

  /**
   * An unusable entry, kept to be written back: {@code key} is null when the whole repository value
   * is unusable; {@code name} and {@code normalKey} are its spelling as a usable entry, when it has
   * one, so that setting that name replaces it.
   */
  private record Kept(
      String repository,
      String key,
      JsonValue value,
      String name,
      String normalKey,
      SkippedTag report) {
    boolean isNamed(Key k) {
      return k.name().equals(name) && k.key().equals(normalKey);
    }
  }

  private static Key key(Reference ref) {
    if (ref.tag() != null && ref.digest() != null) {
      throw CairnException.invalid(
          "reference " + ref.familiar() + " has both a tag and a digest; store one of them");
    }
    if (ref.tag() == null && ref.digest() == null) {
      throw CairnException.invalid("reference " + ref.familiar() + " has neither tag nor digest");
    }
    String name = new Reference(ref.domain(), ref.path(), null, null).familiar();
    return new Key(name, ref.digest() != null ? name + "@" + ref.digest() : ref.tag());
  }

  // The reference the check of the file made for an entry, or one made now for an entry written
  // since the file was read.
  private Reference made(String name, String key) {
    Reference ref = checked.get(name + " " + key);
    return ref != null ? ref : reference(Reference.parse(name), key);
  }

  private static Reference reference(Reference base, String key) {
    int at = key.indexOf('@');
    if (at >= 0) {
      return base.withTag(null).withDigest(Digest.parse(key.substring(at + 1)));
    }
    if (Digest.isValid(key)) { // Docker 1.9 kept digests as bare keys
      return base.withTag(null).withDigest(Digest.parse(key));
    }
    return base.withTag(key);
  }

  private Map<String, Map<String, String>> copy() {
    Map<String, Map<String, String>> c = new TreeMap<>(GoJsonWriter.KEY_ORDER);
    repositories.forEach(
        (name, refs) -> {
          Map<String, String> r = new TreeMap<>(GoJsonWriter.KEY_ORDER);
          r.putAll(refs);
          c.put(name, r);
        });
    return c;
  }

  // The file is replaced by rename on every write, so its identity tells whether to re-read it.
  private void reloadIfChanged() throws IOException {
    Object version = version();
    if (version == null) {
      repositories = new TreeMap<>(GoJsonWriter.KEY_ORDER);
      kept = List.of();
      seenVersion = null;
      views = null;
      return;
    }
    if (version.equals(seenVersion)) {
      return;
    }
    byte[] bytes = NodeFiles.readCapped(file, MAX_FILE, file.getFileName().toString());
    List<Kept> unusable = new ArrayList<>();
    checked = new HashMap<>();
    repositories =
        bytes == null ? new TreeMap<>(GoJsonWriter.KEY_ORDER) : parse(bytes, unusable, checked);
    kept = List.copyOf(unusable);
    seenVersion = version;
    views = null;
  }

  /** The file's identity (null when there is none), which changes with every write. */
  private Object version() throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return List.of(Objects.toString(a.fileKey()), a.lastModifiedTime(), a.size());
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private Map<String, Map<String, String>> parse(
      byte[] bytes, List<Kept> unusable, Map<String, Reference> checked) {
    String what = file.getFileName().toString();
    Map<String, Map<String, String>> out = new TreeMap<>(GoJsonWriter.KEY_ORDER);
    JsonObject top = Json.parseObject(bytes, what);
    JsonValue repos = top.get("Repositories");
    if (repos == null || repos instanceof JsonValue.JsonNull) {
      return out;
    }
    if (!(repos instanceof JsonObject r)) {
      throw CairnException.invalid(what + ": Repositories is a " + repos.typeName());
    }
    for (JsonValue.Member repo : r.members()) {
      String name = null;
      Reference base = null;
      String nameProblem = null;
      try {
        String familiar = Reference.parse(repo.key()).withTag(null).familiar();
        base = Reference.parse(familiar);
        name = familiar;
      } catch (CairnException e) {
        nameProblem = e.getMessage();
      }
      if (!(repo.value() instanceof JsonObject refs)
          || (nameProblem != null && refs.members().isEmpty())) {
        String problem =
            nameProblem != null
                ? nameProblem
                : "a " + repo.value().typeName() + ", not an object of tags";
        unusable.add(
            new Kept(
                repo.key(), null, repo.value(), null, null, new SkippedTag(repo.key(), problem)));
        continue;
      }
      if (name != null && refs.members().isEmpty()) {
        out.computeIfAbsent(name, n -> new TreeMap<>(GoJsonWriter.KEY_ORDER));
      }
      for (JsonValue.Member ref : refs.members()) {
        String key = ref.key();
        String problem = nameProblem;
        if (name != null) {
          int at = key.indexOf('@');
          if (at >= 0) {
            key = name + key.substring(at); // one spelling of the name throughout
          } else if (Digest.isValid(key)) {
            key = name + "@" + key;
          }
          try {
            checked.put(name + " " + key, reference(base, key));
          } catch (CairnException e) {
            problem = e.getMessage();
          }
        }
        if (problem == null
            && (!(ref.value() instanceof JsonString id)
                || !Graph.isId(NodeFiles.stripSha256(id.value())))) {
          problem = "not an image ID";
        }
        if (problem != null) {
          SkippedTag report = new SkippedTag(entry(repo.key(), ref.key()), problem);
          unusable.add(new Kept(repo.key(), ref.key(), ref.value(), name, key, report));
        } else {
          out.computeIfAbsent(name, n -> new TreeMap<>(GoJsonWriter.KEY_ORDER))
              .put(key, NodeFiles.stripSha256(((JsonString) ref.value()).value()));
        }
      }
    }
    return out;
  }

  /** An entry as users write it: {@code name:tag}, {@code name@sha256:…}. */
  private static String entry(String repository, String key) {
    if (key.indexOf('@') >= 0) {
      return key;
    }
    return repository + (key.indexOf(':') >= 0 ? "@" : ":") + key;
  }

  private void write(Map<String, Map<String, String>> next, List<Kept> unusable)
      throws IOException {
    // Every repository, usable or not, in Go's key order; an unusable whole repository value is
    // written before a usable one of the same name, so that Go's last-wins decoding takes the
    // usable one.
    Map<String, List<Map.Entry<String, Consumer<GoJsonWriter>>>> members =
        new TreeMap<>(GoJsonWriter.KEY_ORDER);
    Map<String, List<JsonValue>> wholes = new TreeMap<>(GoJsonWriter.KEY_ORDER);
    for (Kept k : unusable) {
      if (k.key() == null) {
        wholes.computeIfAbsent(k.repository(), n -> new ArrayList<>()).add(k.value());
      } else {
        members
            .computeIfAbsent(k.repository(), n -> new ArrayList<>())
            .add(Map.entry(k.key(), w -> w.raw(k.value())));
      }
    }
    next.forEach(
        (name, refs) -> {
          List<Map.Entry<String, Consumer<GoJsonWriter>>> into =
              members.computeIfAbsent(name, n -> new ArrayList<>());
          refs.forEach((key, id) -> into.add(Map.entry(key, w -> w.string(id))));
        });
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("Repositories").punct('{');
    boolean firstRepo = true;
    Set<String> names = new TreeSet<>(GoJsonWriter.KEY_ORDER);
    names.addAll(members.keySet());
    names.addAll(wholes.keySet());
    for (String name : names) {
      for (JsonValue whole : wholes.getOrDefault(name, List.of())) {
        if (!firstRepo) {
          w.punct(',');
        }
        firstRepo = false;
        w.name(name).raw(whole);
      }
      List<Map.Entry<String, Consumer<GoJsonWriter>>> refs = members.get(name);
      if (refs == null) {
        continue;
      }
      if (!firstRepo) {
        w.punct(',');
      }
      firstRepo = false;
      w.name(name).punct('{');
      refs.sort(Map.Entry.comparingByKey(GoJsonWriter.KEY_ORDER)); // stable: duplicates stay
      boolean first = true;
      for (Map.Entry<String, Consumer<GoJsonWriter>> ref : refs) {
        if (!first) {
          w.punct(',');
        }
        first = false;
        ref.getValue().accept(w.name(ref.getKey()));
      }
      w.punct('}');
    }
    w.punct('}').punct('}');
    Path temp = graph.root().resolve("graph").resolve("_tmp").resolve("tags." + Graph.random());
    try {
      NodeFiles.writeSynced(temp, w.toByteArray());
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    NodeFiles.syncDir(graph.root());
    // The file holds what was just written (the tags lock keeps other writers out): no re-read.
    repositories = next;
    kept = List.copyOf(unusable);
    seenVersion = version();
    views = null;
    checked = Map.of();
  }
}
