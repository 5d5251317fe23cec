package dev.cairn.store;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.ProgressListener;
import dev.cairn.distribution.PullOptions;
import dev.cairn.distribution.PullResult;
import dev.cairn.distribution.Puller;
import dev.cairn.distribution.PushImage;
import dev.cairn.distribution.PushOptions;
import dev.cairn.distribution.PushResult;
import dev.cairn.distribution.Pusher;
import dev.cairn.distribution.RegistryFactory;
import dev.cairn.driver.Driver;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.graph.Graph;
import dev.cairn.graph.KnownBlob;
import dev.cairn.graph.Node;
import dev.cairn.graph.PulledManifest;
import dev.cairn.graph.SkippedNode;
import dev.cairn.graph.SkippedTag;
import dev.cairn.graph.TagStore;
import dev.cairn.image.Reference;
import dev.cairn.registry.CredentialSource;
import dev.cairn.registry.Credentials;
import dev.cairn.registry.Logins;
import dev.cairn.registry.Registry;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.tarexport.LoadResult;
import dev.cairn.tarexport.Loader;
import dev.cairn.tarexport.Saver;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The library's face: one store directory with its driver, graph and tags. Everything a {@code
 * cairn} command does is a call or two here. Thread-safe; several processes may share a root.
 */
public final class Store implements Closeable {
  private final Driver driver;
  private final Graph graph;
  private final TagStore tags;
  private final StoreOptions options;

  private Store(Driver driver, Graph graph, TagStore tags, StoreOptions options) {
    this.driver = driver;
    this.graph = graph;
    this.tags = tags;
    this.options = options;
  }

  /**
   * Opens (creating when absent) the store at {@code root}. A store is used with the ID maps it was
   * made with (CONFLICT otherwise), and is for the user that made it alone, as docker's data root.
   */
  public static Store open(Path root, StoreOptions options) throws IOException {
    IdMaps maps = IdMaps.of(options);
    DriverOptions driverOptions = DriverOptions.defaults().withIdMaps(maps.uids(), maps.gids());
    boolean unrecorded = StoreRoot.prepare(root, maps, driverOptions);
    Driver driver = Drivers.open(root, options.driver(), driverOptions);
    if (unrecorded) {
      StoreRoot.record(root, maps);
    }
    try {
      Graph graph = Graph.open(root, driver);
      try {
        return new Store(driver, graph, TagStore.open(graph), options);
      } catch (IOException | RuntimeException e) {
        graph.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      driver.close();
      throw e;
    }
  }

  /**
   * cairn fsck: checks every node of the store at {@code root} (its files, its ID, its layer
   * rebuilt to its DiffID, its driver layer), every tag, the driver's layers and, when no other
   * process has the store open, the leftovers of interrupted work; with {@code repair}, removes
   * each broken node with every node above it and their tags, orphan layers and leftovers, and
   * rewrites what cairn computes again. A node held by a pull, save or load, or mounted, stays. It
   * opens the store itself, so that the open's own clean-up leaves the leftovers for it to report.
   */
  public static CheckResult check(
      Path root, StoreOptions options, boolean repair, CheckListener listener) throws IOException {
    return StoreCheck.run(root, options, repair, listener);
  }

  Graph graph() {
    return graph;
  }

  TagStore tags() {
    return tags;
  }

  Driver driver() {
    return driver;
  }

  /**
   * What opening the store found unusable and left out, one line each: a node directory under
   * {@code graph/} (left on disk as it is) or an entry of the tags file (kept in the file as it
   * is).
   */
  public List<String> warnings() throws IOException {
    List<String> out = new ArrayList<>();
    for (SkippedNode s : graph.skipped()) {
      out.add(warning(s));
    }
    for (SkippedTag s : tags.skipped()) {
      out.add(
          tags.file().getFileName()
              + ": ignoring "
              + CairnException.quote(s.entry())
              + " (kept in the file as it is): "
              + s.reason());
    }
    return out;
  }

  /**
   * Gives {@code to} every {@link #warnings} line now, and each node found unusable later, as it is
   * found: a node is read when first used, so what a command finds wrong shows as it goes.
   */
  public void reportWarnings(java.util.function.Consumer<String> to) throws IOException {
    java.util.Set<String> told = new java.util.HashSet<>();
    for (SkippedNode s : graph.skipped()) {
      told.add(s.name());
    }
    warnings().forEach(to);
    graph.onSkipped(
        s -> {
          if (told.add(s.name())) {
            to.accept(warning(s));
          }
        });
  }

  private static String warning(SkippedNode s) {
    return "graph: ignoring " + CairnException.quote(s.name()) + " (left as it is): " + s.reason();
  }

  /**
   * docker inspect: the image {@code refOrId} names ({@link #image(String)}), as docker shows it.
   */
  public ImageInspect inspect(String refOrId) throws IOException {
    return views().inspect(image(refOrId));
  }

  /** docker history: the steps that made the image {@code refOrId} names, newest first. */
  public List<HistoryEntry> history(String refOrId) throws IOException {
    return views().history(image(refOrId));
  }

  /**
   * docker images: every image {@link #images(boolean)} lists, newest first, as the engine
   * describes each one to the command that prints the table.
   */
  public List<ImageSummary> imageSummaries(boolean all) throws IOException {
    return new ImageListing(this, graph, tags).summaries(all);
  }

  /**
   * docker images --filter: the images {@link #imageSummaries(boolean)} lists that {@code filter}
   * keeps, each with the references that match its reference patterns, newest first. {@code before}
   * and {@code since} name images as {@link #image(String)} resolves them.
   *
   * @throws CairnException NOT_FOUND, in dockerd's words ({@code No such image: x:latest}), when
   *     {@code before} or {@code since} names no image
   */
  public List<ImageSummary> imageSummaries(boolean all, ImageFilter filter) throws IOException {
    if (filter.equals(ImageFilter.NONE)) {
      return imageSummaries(all);
    }
    Instant notBefore = filter.until();
    for (String b : filter.before()) {
      Instant t = createdOf(b);
      notBefore = notBefore == null || t.isBefore(notBefore) ? t : notBefore;
    }
    Instant notAfter = null;
    for (String s : filter.since()) {
      Instant t = createdOf(s);
      notAfter = notAfter == null || t.isAfter(notAfter) ? t : notAfter;
    }
    java.util.function.Predicate<Reference> match = filter.referenceMatch();
    List<ImageSummary> out = new ArrayList<>();
    boolean heads = Boolean.TRUE.equals(filter.dangling());
    for (ImageSummary s : new ImageListing(this, graph, tags).summaries(all, heads)) {
      ImageSummary kept = filter.apply(s, notBefore, notAfter, match);
      if (kept != null) {
        out.add(kept);
      }
    }
    return out;
  }

  /** When the image a filter names was created, as the listing shows it. */
  private Instant createdOf(String refOrId) throws IOException {
    try {
      return views().summary(image(refOrId)).created();
    } catch (CairnException e) {
      if (e.kind() != CairnException.Kind.NOT_FOUND) {
        throw e;
      }
      // as dockerd: an ID is told as given; anything else must be a reference ("invalid
      // reference"), told with its tag ("No such image: x:latest")
      String hex = refOrId.startsWith("sha256:") ? refOrId.substring(7) : refOrId;
      boolean id =
          (hex.length() == 64 || hex != refOrId)
              && !hex.isEmpty()
              && hex.chars().allMatch(Store::isLowerHex);
      throw CairnException.notFound(
          "No such image: " + (id ? refOrId : Reference.parse(refOrId).familiar()));
    }
  }

  ImageViews views() {
    return new ImageViews(this, graph, tags);
  }

  /**
   * The image a user means by {@code refOrId}: a tag or digest reference the store holds, else a
   * full or unambiguous short image ID (with or without {@code sha256:}), as docker resolves names.
   * The ID of a node that is no image (a layer below an image config, a node of an image not
   * finished: {@link #images}) names nothing, as a layer's ID names no image in docker.
   */
  public Image image(String refOrId) throws IOException {
    Optional<String> byRef = resolveReference(refOrId);
    if (byRef.isPresent()) {
      if (!graph.exists(byRef.get())) {
        graph.refresh(); // named after this graph last looked: the node was committed before
      }
      return image(graph.get(byRef.get()));
    }
    String hex = refOrId.startsWith("sha256:") ? refOrId.substring(7) : refOrId;
    if (!hex.isEmpty() && hex.length() <= 64 && hex.chars().allMatch(Store::isLowerHex)) {
      if (hex.length() == 64 && !tags.references(hex).isEmpty() && graph.exists(hex)) {
        return image(graph.get(hex)); // a named node is an image: no need to ask the whole graph
      }
      if (hex.length() < 64) {
        // One node with this prefix, and named: an image, found without reading the whole graph.
        List<String> ids = graph.idsWithPrefix(hex).orElse(List.of());
        if (ids.size() == 1 && !tags.references(ids.get(0)).isEmpty() && graph.exists(ids.get(0))) {
          return image(graph.get(ids.get(0)));
        }
      }
      Optional<String> id = ImageNodes.of(graph, tags).byId(hex);
      if (id.isPresent()) {
        return image(graph.get(id.get()));
      }
    }
    throw CairnException.notFound("no such image: " + CairnException.quote(refOrId));
  }

  /** The node the reference {@code text} names, if it is a reference the tags hold. */
  Optional<String> resolveReference(String text) throws IOException {
    Reference ref;
    try {
      ref = Reference.parse(text);
    } catch (CairnException e) {
      return Optional.empty();
    }
    return tags.resolve(ref);
  }

  /** The image whose top node is {@code top}. */
  public Image image(Node top) throws IOException {
    return image(top, tags.references(top.id()));
  }

  private Image image(Node top, List<Reference> references) throws IOException {
    List<Node> chain = new ArrayList<>();
    for (Node n = top; n != null; n = n.parent() == null ? null : graph.get(n.parent())) {
      chain.add(n);
    }
    Collections.reverse(chain);
    return new Image(chain, graph.rawJSON(top.id()), references);
  }

  /**
   * The images to list: every named image and every unnamed one without children (docker's dangling
   * images); with {@code all}, every image. A node is an image when a name points at it, or when it
   * is not marked unfinished ({@link Graph#isUnfinished}: its image is still being made or never
   * finished) and no image config sits above it: the nodes below a config are its layers, and no
   * listing shows them. Every node of a Docker 1.9-style chain (pulled as schema1, from a Docker
   * 1.9 graph or archive, imported) is an image.
   */
  public List<Image> images(boolean all) throws IOException {
    ImageListing listing = new ImageListing(this, graph, tags);
    List<Image> out = new ArrayList<>();
    for (String id : listing.listed(all)) {
      out.add(image(graph.get(id), listing.references(id)));
    }
    return out;
  }

  /**
   * The images {@link #images} lists, in its order, by ID and references alone, from the graph
   * index and the tags ({@code docker images -q}): no image's JSON is read.
   */
  public List<ListedImage> listedImages(boolean all) throws IOException {
    ImageListing listing = new ImageListing(this, graph, tags);
    List<ListedImage> out = new ArrayList<>();
    for (String id : listing.listed(all)) {
      out.add(new ListedImage(Digest.sha256Hex(id), listing.references(id)));
    }
    return out;
  }

  /** Pulls {@code ref} from its registry. */
  public PullResult pull(Reference ref, PullOptions pullOptions, ProgressListener listener)
      throws IOException {
    try (Puller puller = puller(pullOptions.credentials())) {
      return puller.pull(ref, withStoreOptions(pullOptions), listener);
    }
  }

  private PullOptions withStoreOptions(PullOptions pullOptions) {
    return options.keepBlobs() ? pullOptions.withKeepBlobs(true) : pullOptions;
  }

  /** Pulls every tag of {@code repository}. */
  public List<PullResult> pullAllTags(
      Reference repository, PullOptions pullOptions, ProgressListener listener) throws IOException {
    try (Puller puller = puller(pullOptions.credentials())) {
      return puller.pullAllTags(repository, withStoreOptions(pullOptions), listener);
    }
  }

  /**
   * Pushes the image {@code ref} names to its registry under the same name: each layer found in the
   * repository, mounted from where it is known to be, sent as the blob a pull kept, or compressed
   * again while it is sent; then its config (as {@code save} writes it), then its manifest: the one
   * it was pulled with when every blob is the original, else schema2 (OCI for an image pulled as
   * OCI).
   *
   * @throws CairnException NOT_FOUND when no image has that name
   */
  public PushResult push(Reference ref, PushOptions pushOptions, ProgressListener listener)
      throws IOException {
    if (ref.tag() == null) {
      throw CairnException.invalid("push needs a tag: " + ref);
    }
    listener.on(new ProgressEvent.PushStarted(ref)); // first, as docker: even for no such image
    String id =
        tags.resolve(ref)
            .orElseThrow(
                () ->
                    CairnException.notFound(
                        "An image does not exist locally with the tag: " + ref.familiarName()));
    try (Graph.Hold hold = graph.retain(List.of(id))) {
      Saver.Content c = new Saver(graph, tags).content(id);
      PushImage image =
          new PushImage(
              id,
              c.layers(),
              c.config(),
              dev.cairn.image.MediaType.DOCKER_MANIFEST,
              !c.configTyped());
      PushResult r =
          pusher().push(ref, image, pushOptions, registries(pushOptions.credentials()), listener);
      // as docker: the repository's name@digest of what was pushed, for RepoDigests
      tags.tagUnlessNamed(new Reference(ref.domain(), ref.path(), null, r.manifestDigest()), id);
      return r;
    }
  }

  private Pusher pusher;

  /** One for the store, so that its pushes share their uploads and per-layer locks. */
  private synchronized Pusher pusher() throws IOException {
    if (pusher == null) {
      pusher = new Pusher(graph);
    }
    return pusher;
  }

  /**
   * Checks {@code credentials} with the registry {@code server} names, as dockerd's side of {@code
   * docker login} does: nothing is kept.
   *
   * @throws CairnException UNAUTHORIZED when the registry refuses them
   */
  public void checkLogin(String server, Credentials credentials) throws IOException {
    Logins.check(server, credentials, options.registry());
  }

  /** The tags of the repository {@code ref} names, for {@code push --all-tags}. */
  public List<Reference> tagsOf(Reference repository) throws IOException {
    List<Reference> out = new ArrayList<>();
    for (List<Reference> refs : tags.byNode().values()) {
      for (Reference r : refs) {
        if (r.tag() != null && r.name().equals(repository.name())) {
          out.add(r);
        }
      }
    }
    out.sort(java.util.Comparator.comparing(Reference::tag));
    return out;
  }

  /** Opens registries with {@code credentials}, or the store's when null. */
  private RegistryFactory registries(CredentialSource credentials) {
    RegistryOptions r =
        credentials == null ? options.registry() : options.registry().withCredentials(credentials);
    return host -> Registry.open(host, r);
  }

  private Puller puller(CredentialSource credentials) throws IOException {
    return new Puller(
        graph,
        (r, id, move) -> {
          boolean named = tags.resolve(r).filter(id::equals).isPresent();
          if (move) {
            tags.tag(r, id, true);
          } else {
            tags.tagUnlessNamed(r, id);
          }
          return !named;
        },
        registries(credentials),
        options.registry().registries());
  }

  /**
   * Points {@code target} at the image {@code source} names.
   *
   * @return the image the tag was taken from, when it moved
   */
  public Optional<String> tag(String source, Reference target) throws IOException {
    requireTag(target, "tag");
    return tags.tag(target, image(source).top().id(), true);
  }

  // As docker: a name given by tag or import is a tag; a digest names what a registry served.
  private static void requireTag(Reference ref, String action) {
    if (ref.digest() != null) {
      throw CairnException.invalid(
          "cannot " + action + " with a digest reference " + ref.familiar() + ": name a tag");
    }
  }

  /** One thing {@link #remove} did, in docker's words: "Untagged: x" or "Deleted: sha256:…". */
  public record Removal(String action, String what) {
    @Override
    public String toString() {
      return action + ": " + what;
    }
  }

  /**
   * docker rmi: a reference is untagged, and the image goes once nothing names it; an ID removes
   * the image with its references (several repositories need {@code force}). Nodes left without
   * references or children are deleted down the chain. An image with children, mounted, or held by
   * a running pull, save or load (in any process) is never deleted: by name it is only untagged (a
   * mounted image's last name only with {@code force}, as docker treats a running container's
   * image), by ID it is refused. A refusal changes nothing.
   */
  public List<Removal> remove(String refOrId, boolean force) throws IOException {
    return remove(refOrId, force, false);
  }

  /**
   * As {@link #remove(String, boolean)}; with {@code noPrune}, as {@code docker rmi --no-prune},
   * the untagged parent images beneath stay (an image's own layers go with it all the same).
   */
  public List<Removal> remove(String refOrId, boolean force, boolean noPrune) throws IOException {
    return new ImageDelete(this, graph, tags).remove(refOrId, force, noPrune);
  }

  /**
   * docker system df: what the images take on disk, each layer counted once however many images
   * share it; a mounted image is active.
   */
  public DiskUsage diskUsage() throws IOException {
    return SpaceUsage.of(this, graph, views());
  }

  /**
   * docker image prune: removes the dangling images (with {@code options.all()}, every image no
   * mount uses), as {@link #remove} would without force, skipping silently what is in use. A
   * failure stops it: the report holds what went before, and the images not reached are as they
   * were.
   */
  public PruneReport prune(PruneOptions options) throws IOException {
    return new Prune(this, graph, new ImageDelete(this, graph, tags)).run(options);
  }

  /**
   * docker import: a root filesystem tarball (any supported compression) becomes a one-layer image
   * with a new random ID, tagged {@code ref} when given.
   */
  public Image importTarball(InputStream tarball, Reference ref, String comment)
      throws IOException {
    if (ref != null) {
      requireTag(ref, "import"); // before the node exists: a refused name leaves nothing behind
    }
    Node node = graph.create(null, comment, tarball);
    if (ref != null) {
      try {
        tags.tag(ref, node.id(), true);
      } catch (IOException | RuntimeException e) {
        try {
          graph.delete(node.id()); // an import that fails leaves no image behind
        } catch (IOException | RuntimeException again) {
          e.addSuppressed(again);
        }
        throw e;
      }
    }
    return image(graph.get(node.id()));
  }

  /**
   * docker save: writes an archive of the named images (references keep their tags; IDs are saved
   * without) that docker, skopeo and podman load.
   */
  public void save(List<String> names, OutputStream out) throws IOException {
    for (String name : names) {
      image(name); // a layer's ID names no image: refused before anything is written
    }
    new Saver(graph, tags).save(names, out);
  }

  /**
   * docker load: registers the images of an archive (cairn's, docker save's of every era, skopeo's
   * docker-archive) and applies its tags; all or nothing.
   */
  public LoadResult load(InputStream archive) throws IOException {
    return new Loader(graph, tags).load(archive);
  }

  /** Writes the layer tar of node {@code idOrPrefix}, byte-exact as it was pulled or loaded. */
  public long exportLayer(String idOrPrefix, OutputStream out) throws IOException {
    return graph.tarLayer(idOrPrefix, out);
  }

  /**
   * Makes the image's filesystem available and returns its directory; it stays until as many {@link
   * #unmount}s as mounts, from any process, and the image cannot be deleted meanwhile.
   */
  public Path mount(String refOrId) throws IOException {
    return graph.mounts().mount(image(refOrId).top().id());
  }

  /**
   * Ends one {@link #mount} of the image, named or by full or short ID (which still works once the
   * image has no name left); the directory goes with the last one.
   */
  public void unmount(String refOrId) throws IOException {
    graph.mounts().unmount(image(refOrId).top().id());
  }

  /** DiffIDs of every layer of the image, computing any that a loaded graph lacks. */
  public List<Digest> diffIds(Image image) throws IOException {
    List<Digest> out = new ArrayList<>();
    for (Node n : image.chain()) {
      out.add(n.diffId() != null ? n.diffId() : graph.diffId(n.id()));
    }
    return out;
  }

  // ---------------------------------------------------------------- what a push can reuse

  /**
   * The compressed blobs node {@code nodeId}'s layer is known under (registry, repository, digest,
   * size), newest first: filled by every pull and by {@link #recordKnownBlob}. Empty when none is
   * known or the record is unreadable.
   */
  public List<KnownBlob> knownBlobs(String nodeId) throws IOException {
    return graph.knownBlobs(nodeId);
  }

  /**
   * Records that node {@code nodeId}'s layer is known as {@code blob} (a push calls it after each
   * blob it pushed or found on the target): newest first, at most 50 per node. The node's {@code
   * checksum} never changes.
   *
   * @return a warning when the node's unreadable record was started anew
   * @throws CairnException NOT_FOUND when the node does not exist
   */
  public Optional<String> recordKnownBlob(String nodeId, KnownBlob blob) throws IOException {
    return graph.recordKnownBlob(nodeId, blob);
  }

  /**
   * The blob with this digest, when the store holds it byte for byte: a layer blob kept by {@code
   * pull --keep-blobs}, or an image config (the top node whose ID it is).
   */
  public Optional<KeptBlob> keptBlob(Digest digest) throws IOException {
    Optional<Path> layer = graph.blobs().path(digest);
    if (layer.isPresent()) {
      return Optional.of(new KeptBlob(digest, Files.size(layer.get()), layer.get()));
    }
    if (digest.algorithm() == Digest.Algorithm.SHA256) {
      if (!graph.exists(digest.hex())) {
        graph.refresh();
      }
      if (graph.exists(digest.hex())) {
        byte[] json = graph.rawJSON(digest.hex());
        if (Digest.sha256(json).equals(digest)) {
          return Optional.of(
              new KeptBlob(
                  digest,
                  json.length,
                  graph.root().resolve("graph").resolve(digest.hex()).resolve("json")));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The manifests the image {@code refOrId} was pulled with, byte for byte, one per registry and
   * repository, newest first.
   */
  public List<PulledManifest> pulledManifests(String refOrId) throws IOException {
    return graph.pulledManifests(image(refOrId).top().id());
  }

  /**
   * The manifest the image {@code refOrId} was pulled with from {@code host}/{@code repository},
   * else the newest it was pulled with from anywhere (its blobs are the same).
   */
  public Optional<PulledManifest> pulledManifest(String refOrId, String host, String repository)
      throws IOException {
    List<PulledManifest> all = pulledManifests(refOrId);
    return all.stream()
        .filter(m -> m.host().equals(host) && m.repository().equals(repository))
        .findFirst()
        .or(() -> all.stream().findFirst());
  }

  /**
   * docker info: how many images the store holds (as {@code images -a} lists them), its driver with
   * the driver's facts, its root, and the machine it is on.
   */
  public EngineInfo engineInfo() throws IOException {
    List<Map.Entry<String, String>> status = new ArrayList<>();
    driver
        .status()
        .forEach(
            (k, v) -> {
              if (!k.equals("Driver")) {
                status.add(Map.entry(k, v));
              }
            });
    return new EngineInfo(
        EngineInfo.idOf(graph.root()),
        listedImages(true).size(),
        driver.name(),
        status,
        graph.root(),
        options.registry().insecureRegistries().stream().sorted().toList(),
        EngineInfo.Machine.current());
  }

  /** Counts of what the store holds, for {@code cairn info}. */
  public Map<String, String> status() throws IOException {
    Map<String, String> m = new HashMap<>(driver.status());
    m.put("Driver", driver.name());
    m.put("Nodes", Integer.toString(graph.map().size()));
    m.put("Images", Integer.toString(images(false).size()));
    return m;
  }

  @Override
  public void close() throws IOException {
    try {
      graph.close();
    } finally {
      driver.close();
    }
  }

  private static boolean isLowerHex(int c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
  }
}
