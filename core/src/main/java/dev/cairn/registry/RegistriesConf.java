package dev.cairn.registry;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.json.Toml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * containers-registries.conf(5), the v2 format podman, skopeo and buildah read: per registry (by
 * {@code prefix}) where it really is ({@code location}), whether it is spoken to in plain HTTP
 * ({@code insecure}) or refused ({@code blocked}), and its mirrors, tried in order before it. The
 * file's drop-ins ({@code registries.conf.d/*.conf}, by name) follow it, an entry of a prefix
 * already seen replacing the earlier one. {@code unqualified-search-registries} and short-name
 * aliases are read and not used: a short name means Docker Hub, as with docker.
 *
 * @param registries the entries, by prefix
 * @param unqualifiedSearch the registries the file names for short names (not used)
 * @param files the files read, in order
 */
public record RegistriesConf(
    List<Entry> registries, List<String> unqualifiedSearch, List<Path> files) {

  public RegistriesConf {
    registries = List.copyOf(registries);
    unqualifiedSearch = List.copyOf(unqualifiedSearch);
    files = List.copyOf(files);
  }

  /** When a mirror serves: for any pull, only by digest, or only by tag. */
  public enum PullFromMirror {
    ALL,
    DIGEST_ONLY,
    TAG_ONLY;

    static PullFromMirror parse(String text, String where) {
      return switch (text) {
        case "all" -> ALL;
        case "digest-only" -> DIGEST_ONLY;
        case "tag-only" -> TAG_ONLY;
        default ->
            throw CairnException.invalid(
                where
                    + ": pull-from-mirror must be all, digest-only or tag-only, not "
                    + CairnException.quote(text));
      };
    }
  }

  /** A mirror of an entry: {@code location} is a host with an optional repository namespace. */
  public record Mirror(String location, boolean insecure, PullFromMirror pullFromMirror) {}

  /**
   * One {@code [[registry]]}.
   *
   * @param prefix the names it is for: a host, a host and repository namespace, or {@code *.domain}
   * @param location where those names are pulled from instead (the prefix itself when not given)
   * @param file the file it came from, named when it refuses a pull
   */
  public record Entry(
      String prefix,
      String location,
      boolean insecure,
      boolean blocked,
      boolean mirrorByDigestOnly,
      List<Mirror> mirrors,
      Path file) {
    public Entry {
      mirrors = List.copyOf(mirrors);
    }

    /** Whether {@code name} ({@code host/path}) is one of this entry's. */
    boolean matches(String name) {
      if (prefix.startsWith("*.")) {
        int slash = name.indexOf('/');
        String host = slash < 0 ? name : name.substring(0, slash);
        return host.endsWith(prefix.substring(1));
      }
      return name.equals(prefix) || name.startsWith(prefix + "/");
    }

    /** The length of the match, to pick the most specific entry. */
    int specificity() {
      return prefix.startsWith("*.") ? prefix.length() - 2 : prefix.length() + 1;
    }
  }

  /**
   * A place to pull a repository from: a mirror or the registry.
   *
   * @param host the registry host ({@code host} or {@code host:port})
   * @param repository the repository's path there
   * @param insecure whether the host is spoken to in plain HTTP
   * @param mirror whether it is a mirror (the registry itself comes last)
   */
  public record Source(String host, String repository, boolean insecure, boolean mirror) {
    @Override
    public String toString() {
      return host + "/" + repository;
    }
  }

  /** No file: every name is pulled from its own registry. */
  public static RegistriesConf none() {
    return new RegistriesConf(List.of(), List.of(), List.of());
  }

  /**
   * The file the environment names: {@code $CAIRN_REGISTRIES_CONF}, else {@code
   * $XDG_CONFIG_HOME/containers/registries.conf} (or {@code ~/.config/…}) when it exists, else
   * {@code /etc/containers/registries.conf}; none when it does not exist.
   */
  public static Path path(Map<String, String> env) {
    String named = env.get("CAIRN_REGISTRIES_CONF");
    if (named != null && !named.isEmpty()) {
      return Path.of(named);
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    String home = env.get("HOME");
    Path user =
        xdg != null && !xdg.isEmpty()
            ? Path.of(xdg, "containers", "registries.conf")
            : home != null && !home.isEmpty()
                ? Path.of(home, ".config", "containers", "registries.conf")
                : null;
    if (user != null && Files.exists(user)) {
      return user;
    }
    return Path.of("/etc/containers/registries.conf");
  }

  /** The configuration the environment names ({@link #path}), with its drop-ins. */
  public static RegistriesConf load(Map<String, String> env) throws IOException {
    return read(path(env));
  }

  /**
   * {@code file} and the drop-ins of {@code file.d/}, in name order; a missing file or directory is
   * none.
   *
   * @throws CairnException INVALID naming the file (and line) of what is wrong
   */
  public static RegistriesConf read(Path file) throws IOException {
    List<Path> files = new ArrayList<>();
    if (Files.isRegularFile(file)) {
      files.add(file);
    }
    Path dropIns = file.resolveSibling(file.getFileName() + ".d");
    if (Files.isDirectory(dropIns)) {
      try (Stream<Path> s = Files.list(dropIns)) {
        s.filter(p -> p.getFileName().toString().endsWith(".conf") && Files.isRegularFile(p))
            .sorted()
            .forEach(files::add);
      }
    }
    Map<String, Entry> byPrefix = new TreeMap<>();
    List<String> search = List.of();
    for (Path f : files) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(f);
      } catch (NoSuchFileException gone) {
        continue;
      }
      Map<String, Object> doc = Toml.parse(bytes, f.toString());
      if (doc.containsKey("registries")) {
        throw CairnException.invalid(
            f
                + ": the v1 format ([registries.search] and the like) is not read; use v2's"
                + " [[registry]] entries");
      }
      Object unqualified = doc.get("unqualified-search-registries");
      if (unqualified != null) {
        search = strings(unqualified, f + ": unqualified-search-registries");
      }
      Object entries = doc.get("registry");
      if (entries == null) {
        continue;
      }
      if (!(entries instanceof List<?> list)) {
        throw CairnException.invalid(f + ": registry must be an array of tables ([[registry]])");
      }
      for (int i = 0; i < list.size(); i++) {
        Entry e = entry(list.get(i), f, i + 1);
        byPrefix.put(e.prefix(), e);
      }
    }
    return new RegistriesConf(new ArrayList<>(byPrefix.values()), search, files);
  }

  private static Entry entry(Object value, Path file, int number) {
    String where = file + ": [[registry]] number " + number;
    if (!(value instanceof Map<?, ?> table)) {
      throw CairnException.invalid(where + " is not a table");
    }
    String location = string(table, "location", where);
    String prefix = string(table, "prefix", where);
    if ((prefix == null || prefix.isEmpty()) && (location == null || location.isEmpty())) {
      throw CairnException.invalid(where + ": it needs a prefix or a location");
    }
    if (prefix == null || prefix.isEmpty()) {
      prefix = location;
    }
    where = file + ": [[registry]] " + CairnException.quote(prefix);
    prefix = name(prefix, where + ": prefix");
    if (prefix.startsWith("*.") && prefix.indexOf('/') >= 0) {
      throw CairnException.invalid(where + ": a wildcard prefix names hosts only");
    }
    if (location == null || location.isEmpty()) {
      location = prefix;
    } else {
      location = name(location, where + ": location");
      if (prefix.startsWith("*.")) {
        throw CairnException.invalid(where + ": a wildcard prefix takes no location");
      }
    }
    List<Mirror> mirrors = new ArrayList<>();
    Object m = table.get("mirror");
    if (m != null && prefix.startsWith("*.")) {
      throw CairnException.invalid(where + ": a wildcard prefix takes no mirrors");
    }
    if (m != null) {
      if (!(m instanceof List<?> list)) {
        throw CairnException.invalid(where + ": mirror must be an array of tables");
      }
      for (Object item : list) {
        if (!(item instanceof Map<?, ?> mt)) {
          throw CairnException.invalid(where + ": a mirror is not a table");
        }
        String ml = string(mt, "location", where + ": mirror");
        if (ml == null || ml.isEmpty()) {
          throw CairnException.invalid(where + ": a mirror needs a location");
        }
        String pull = string(mt, "pull-from-mirror", where + ": mirror " + ml);
        mirrors.add(
            new Mirror(
                name(ml, where + ": mirror location"),
                bool(mt, "insecure", where + ": mirror " + ml),
                pull == null || pull.isEmpty()
                    ? PullFromMirror.ALL
                    : PullFromMirror.parse(pull, where + ": mirror " + ml)));
      }
    }
    return new Entry(
        prefix,
        location,
        bool(table, "insecure", where),
        bool(table, "blocked", where),
        bool(table, "mirror-by-digest-only", where),
        mirrors,
        file);
  }

  /** A host with an optional path, as the file may write it (no scheme, no trailing slash). */
  private static String name(String text, String where) {
    String s = text.strip();
    if (s.contains("://")) {
      throw CairnException.invalid(where + " takes no scheme: " + CairnException.quote(text));
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty() || s.contains(" ") || s.contains("@")) {
      throw CairnException.invalid(
          where + " is not a registry name: " + CairnException.quote(text));
    }
    // docker.io's other spellings, as references normalise them
    if (s.equals("index.docker.io") || s.startsWith("index.docker.io/")) {
      s = "docker.io" + s.substring("index.docker.io".length());
    }
    return s.toLowerCase(Locale.ROOT).equals(s) ? s : hostLower(s);
  }

  private static String hostLower(String s) {
    int slash = s.indexOf('/');
    return slash < 0
        ? s.toLowerCase(Locale.ROOT)
        : s.substring(0, slash).toLowerCase(Locale.ROOT) + s.substring(slash);
  }

  private static String string(Map<?, ?> table, String key, String where) {
    Object v = table.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw CairnException.invalid(where + ": " + key + " must be a string");
    }
    return s;
  }

  private static boolean bool(Map<?, ?> table, String key, String where) {
    Object v = table.get(key);
    if (v == null) {
      return false;
    }
    if (!(v instanceof Boolean b)) {
      throw CairnException.invalid(where + ": " + key + " must be true or false");
    }
    return b;
  }

  private static List<String> strings(Object v, String where) {
    if (!(v instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
      throw CairnException.invalid(where + " must be an array of strings");
    }
    return list.stream().map(String.class::cast).toList();
  }

  /**
   * The same, with {@code mirrors} before any Docker Hub has (docker's {@code registry-mirrors},
   * {@code --registry-mirror}); {@code from} is named when Docker Hub is blocked.
   */
  public RegistriesConf withDockerHubMirrors(List<Mirror> mirrors, Path from) {
    if (mirrors.isEmpty()) {
      return this;
    }
    List<Entry> out = new ArrayList<>();
    boolean found = false;
    for (Entry e : registries) {
      if (e.prefix().equals("docker.io")) {
        List<Mirror> all = new ArrayList<>(mirrors);
        all.addAll(e.mirrors());
        e =
            new Entry(
                e.prefix(),
                e.location(),
                e.insecure(),
                e.blocked(),
                e.mirrorByDigestOnly(),
                all,
                e.file());
        found = true;
      }
      out.add(e);
    }
    if (!found) {
      out.add(new Entry("docker.io", "docker.io", false, false, false, mirrors, from));
    }
    return new RegistriesConf(out, unqualifiedSearch, files);
  }

  /**
   * Whether the file marks {@code host} insecure: an entry's location on it, a wildcard entry over
   * it, or a mirror on it.
   */
  public boolean insecure(String host) {
    for (Entry e : registries) {
      if (e.insecure()
          && (e.prefix().startsWith("*.") ? e.matches(host) : hostOf(e.location()).equals(host))) {
        return true;
      }
      for (Mirror m : e.mirrors()) {
        if (m.insecure() && hostOf(m.location()).equals(host)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String hostOf(String location) {
    int slash = location.indexOf('/');
    return slash < 0 ? location : location.substring(0, slash);
  }

  /** The most specific entry for the repository {@code ref} names, if any. */
  public Optional<Entry> entry(Reference ref) {
    String name = ref.name();
    Entry best = null;
    for (Entry e : registries) {
      if (e.matches(name) && (best == null || e.specificity() > best.specificity())) {
        best = e;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Where to pull {@code ref} from, in order: the mirrors that serve a pull of its kind (by digest
   * or by tag), then the registry (at the entry's location).
   *
   * @throws CairnException INVALID when the entry is blocked, naming its file
   */
  public List<Source> sources(Reference ref) {
    Optional<Entry> found = entry(ref);
    if (found.isEmpty()) {
      return List.of(new Source(ref.domain(), ref.path(), false, false));
    }
    Entry e = found.get();
    if (e.blocked()) {
      throw CairnException.invalid(
          "pulling "
              + ref.familiar()
              + " is blocked by "
              + e.file()
              + " (prefix "
              + e.prefix()
              + ")");
    }
    if (e.prefix().startsWith("*.")) {
      return List.of(new Source(ref.domain(), ref.path(), e.insecure(), false));
    }
    String rest = ref.name().substring(e.prefix().length());
    List<Source> out = new ArrayList<>();
    boolean byDigest = ref.digest() != null;
    for (Mirror m : e.mirrors()) {
      boolean serves =
          switch (e.mirrorByDigestOnly() ? PullFromMirror.DIGEST_ONLY : m.pullFromMirror()) {
            case ALL -> true;
            case DIGEST_ONLY -> byDigest;
            case TAG_ONLY -> !byDigest;
          };
      if (serves) {
        out.add(source(m.location() + rest, m.insecure(), true));
      }
    }
    out.add(source(e.location() + rest, e.insecure(), false));
    return out;
  }

  private static Source source(String name, boolean insecure, boolean mirror) {
    int slash = name.indexOf('/');
    if (slash < 0) {
      throw CairnException.invalid(name + " names no repository");
    }
    return new Source(name.substring(0, slash), name.substring(slash + 1), insecure, mirror);
  }
}
