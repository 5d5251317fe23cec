package dev.cairn.driver;

import dev.cairn.CairnException;
import dev.cairn.archive.ApplyOptions;
import dev.cairn.archive.ApplyResult;
import dev.cairn.archive.Diff;
import dev.cairn.archive.Layer;
import dev.cairn.archive.LayerFiles;
import dev.cairn.archive.LowerView;
import dev.cairn.archive.WhiteoutFormat;
import dev.cairn.posix.FileStat;
import dev.cairn.posix.Posix;
import dev.cairn.posix.PosixException;
import dev.cairn.tarsplit.FileSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layers as Linux overlayfs upper directories over their parents', in the spirit of Docker's
 * overlay2: {@code ROOT/overlay/<id>/diff} holds the layer's own changes (whiteouts as 0/0
 * character devices, opaque directories flagged by an xattr), {@code work} is overlayfs's scratch
 * directory, {@code merged} the mount point, {@code lower} the parent chain (top first) as short
 * links {@code l/<name>} to the parents' {@code diff} directories, which keeps the mount options
 * within the kernel's one-page limit. Creating a layer copies nothing. Needs root.
 */
final class OverlayDriver implements Driver {
  static final String NAME = "overlay";
  private static final String LINKS = "l";
  private static final int LINK_CHARS = 12;
  private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
  // The kernel copies mount data into one page, the terminating NUL included.
  private static final int MAX_MOUNT_DATA = 4095;

  private final Path home;
  private final Path links;
  private final Staging staging;
  private final DriverOptions options;
  private final OverlayProbe probe;
  private final Holds holds = new Holds();
  private final SecureRandom random = new SecureRandom();

  /**
   * @param probe whether overlayfs mounts here and takes {@code index=off}, which keeps layers
   *     shared by several mounts usable; asked only when a layer is made or mounted
   */
  OverlayDriver(Path root, DriverOptions options, OverlayProbe probe) throws IOException {
    this.home = root.resolve(NAME);
    this.links = home.resolve(LINKS);
    this.staging = new Staging(home);
    this.options = options;
    this.probe = probe;
    DirectoryModes.createPassage(home, options);
    DirectoryModes.createPrivate(links);
  }

  @Override
  public void cleanUp() throws IOException {
    // A cut-short create or remove of a layer is cleared by its next create or remove (Staging),
    // and the graph removes every layer whose register or delete was cut short: no walk here.
    unmountLeftovers();
  }

  /**
   * The short link that a cut-short create made, or a cut-short remove left, for the layer staged
   * in {@code tree}: the tree names it (written before the link is made), so no walk of {@code l/}
   * is needed to find it. Only a link to this layer's {@code diff} goes (the name may be one that
   * another layer took first), and not the one the committed layer uses.
   */
  private void removeStagedLink(String id, Path tree) throws IOException {
    String link = readIfExists(tree.resolve("link"));
    if (link == null
        || link.length() != LINK_CHARS
        || !link.chars().allMatch(c -> new String(BASE32).indexOf(c) >= 0)
        || link.equals(readIfExists(layer(id).resolve("link")))) {
      return;
    }
    Path p = links.resolve(link);
    if (Files.isSymbolicLink(p) && Files.readSymbolicLink(p).equals(Path.of("..", id, "diff"))) {
      Files.delete(p);
    }
  }

  /** Marks a layer whose merged view a user asked to keep ({@code cairn mount}). */
  private static final String PINNED = "pinned";

  /** A process that died holding mounts leaves them behind: nobody holds them now. */
  private void unmountLeftovers() throws IOException {
    String prefix = home.toAbsolutePath().toString() + "/";
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      if (f.length > 4) {
        String mountPoint = unescape(f[4]);
        if (mountPoint.startsWith(prefix)
            && mountPoint.endsWith("/merged")
            && !Files.exists(Path.of(mountPoint).resolveSibling(PINNED))) {
          Posix.umount2(mountPoint, Posix.MNT_DETACH);
        }
      }
    }
  }

  private static String unescape(String s) {
    // mountinfo writes space, tab, newline and backslash as \ooo
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  @Override
  public String name() {
    return NAME;
  }

  private Path layer(String id) {
    return home.resolve(LayerIds.check(id));
  }

  private Path existing(String id) {
    Path p = layer(id);
    if (!Files.isDirectory(p.resolve("diff"), LinkOption.NOFOLLOW_LINKS)) {
      throw CairnException.notFound("layer " + id + " does not exist in the overlay driver");
    }
    return p;
  }

  @Override
  public void create(String id, String parent) throws IOException {
    Path target = layer(id);
    LayerIds.checkParent(parent);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new CairnException(CairnException.Kind.CONFLICT, "layer " + id + " already exists");
    }
    Path parentDir = parent == null ? null : existing(parent);
    probe.indexOff(); // the first layer made here learns whether overlayfs works at all
    Path tmp = staging.clear(id, this::removeStagedLink);
    String link = null;
    try {
      DirectoryModes.setPassage(Files.createDirectory(tmp), options);
      Path diff = Files.createDirectory(tmp.resolve("diff"));
      rootPrivate(Files.createDirectory(tmp.resolve("work")));
      rootPrivate(Files.createDirectory(tmp.resolve("merged")));
      if (parentDir == null) {
        rootOwned(diff);
      } else {
        // The merged root takes the upper root's owner, mode and times: start from the parent's.
        copyRootMetadata(parentDir.resolve("diff"), diff);
        String parentLink = read(parentDir.resolve("link"));
        String parentLower = readIfExists(parentDir.resolve("lower"));
        String lower = LINKS + "/" + parentLink + (parentLower == null ? "" : ":" + parentLower);
        Files.writeString(tmp.resolve("lower"), lower);
      }
      link = newLink(id, tmp.resolve("link"));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try {
        if (link != null) {
          Files.deleteIfExists(links.resolve(link));
        }
        Trees.remove(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  @Override
  public boolean appliesBeforeParent() {
    return true;
  }

  @Override
  public void attach(String id, String parent, boolean rootEntry) throws IOException {
    Path p = existing(id);
    LayerIds.checkParent(parent);
    if (parent == null) {
      return;
    }
    Path parentDir = existing(parent);
    Path lowerFile = p.resolve("lower");
    if (Files.exists(lowerFile, LinkOption.NOFOLLOW_LINKS)) {
      throw new CairnException(
          CairnException.Kind.CONFLICT, "layer " + id + " is already on top of another layer");
    }
    inheritRootMetadata(parentDir.resolve("diff"), p.resolve("diff"), rootEntry);
    String parentLower = readIfExists(parentDir.resolve("lower"));
    String lower =
        LINKS
            + "/"
            + read(parentDir.resolve("link"))
            + (parentLower == null ? "" : ":" + parentLower);
    Files.writeString(lowerFile, lower);
  }

  /**
   * A fresh short name in {@code l/}, linked to the layer's (future) {@code diff}, and written to
   * {@code record} first, so that a crash leaves no link that no layer names.
   */
  private String newLink(String id, Path record) throws IOException {
    for (int attempt = 0; ; attempt++) {
      char[] c = new char[LINK_CHARS];
      for (int i = 0; i < c.length; i++) {
        c[i] = BASE32[random.nextInt(BASE32.length)];
      }
      String name = new String(c);
      Files.writeString(record, name);
      try {
        Files.createSymbolicLink(links.resolve(name), Path.of("..", id, "diff"));
        return name;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (attempt > 8) {
          throw e;
        }
      }
    }
  }

  /** overlayfs's work directory and the mount point, as overlay2 makes them: 0700, the root's. */
  private void rootPrivate(Path dir) throws IOException {
    byte[] name = Posix.bytes(dir.toAbsolutePath().toString());
    Posix.fchownat(
        Posix.AT_FDCWD, name, options.rootUid(), options.rootGid(), Posix.AT_SYMLINK_NOFOLLOW);
    Posix.fchmodat(Posix.AT_FDCWD, name, 0700);
  }

  private void rootOwned(Path diff) throws IOException {
    byte[] name = Posix.bytes(diff.toAbsolutePath().toString());
    Posix.fchownat(
        Posix.AT_FDCWD, name, options.rootUid(), options.rootGid(), Posix.AT_SYMLINK_NOFOLLOW);
    Posix.fchmodat(Posix.AT_FDCWD, name, 0755);
  }

  /** The parent's root owner, mode, xattrs and times, for a new layer's (empty) root. */
  private static void copyRootMetadata(Path from, Path to) throws IOException {
    inheritRootMetadata(from, to, false);
    FileStat st = Posix.lstatat(Posix.AT_FDCWD, Posix.bytes(from.toAbsolutePath().toString()));
    Posix.utimensat(
        Posix.AT_FDCWD,
        Posix.bytes(to.toAbsolutePath().toString()),
        st.atimeSeconds(),
        st.atimeNanos(),
        st.mtimeSeconds(),
        st.mtimeNanos(),
        Posix.AT_SYMLINK_NOFOLLOW);
  }

  /**
   * What a layer's root takes from its parent's: owner, mode and xattrs (overlayfs's own aside),
   * except what the layer's tar set for its root ({@code rootEntry}).
   */
  private static void inheritRootMetadata(Path from, Path to, boolean rootEntry)
      throws IOException {
    byte[] f = Posix.bytes(from.toAbsolutePath().toString());
    byte[] t = Posix.bytes(to.toAbsolutePath().toString());
    if (!rootEntry) {
      FileStat st = Posix.lstatat(Posix.AT_FDCWD, f);
      Posix.fchownat(Posix.AT_FDCWD, t, st.uid(), st.gid(), Posix.AT_SYMLINK_NOFOLLOW);
      Posix.fchmodat(Posix.AT_FDCWD, t, st.permissions());
    }
    // What the layer's own root entry set wins over the parent's.
    java.util.Set<String> own =
        rootEntry
            ? new java.util.HashSet<>(Posix.llistxattr(Posix.AT_FDCWD, t))
            : java.util.Set.of();
    for (String attr : Posix.llistxattr(Posix.AT_FDCWD, f)) {
      if (!attr.startsWith("trusted.overlay.") && !own.contains(attr)) {
        byte[] v = Posix.lgetxattr(Posix.AT_FDCWD, f, attr);
        if (v != null) {
          Posix.lsetxattr(Posix.AT_FDCWD, t, attr, v);
        }
      }
    }
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.US_ASCII).trim();
  }

  private static String readIfExists(Path p) throws IOException {
    return Files.exists(p) ? read(p) : null;
  }

  @Override
  public void remove(String id) throws IOException {
    Path p = layer(id);
    boolean pinned = Files.exists(p.resolve(PINNED), LinkOption.NOFOLLOW_LINKS);
    if (holds.drop(id) | pinned) {
      unmount(p.resolve("merged"));
    }
    Path doomed = staging.clear(id, this::removeStagedLink);
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    String link = readIfExists(p.resolve("link"));
    Files.move(p, doomed, StandardCopyOption.ATOMIC_MOVE);
    if (link != null) {
      Files.deleteIfExists(links.resolve(link));
    }
    Trees.remove(doomed);
  }

  @Override
  public boolean exists(String id) {
    return Files.isDirectory(layer(id).resolve("diff"), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public List<String> layers() throws IOException {
    return Drivers.layerIds(home); // l/ and staging names are no IDs
  }

  @Override
  public List<String> stagingLeftovers() throws IOException {
    return staging.leftovers();
  }

  @Override
  public void removeStagingLeftover(String name) throws IOException {
    staging.remove(name, this::removeStagedLink);
  }

  /**
   * Mounts the layer on its first hold; a base layer has nothing below it and is its own {@code
   * diff} directory, unmounted.
   */
  @Override
  public Path get(String id) throws IOException {
    Path p = existing(id);
    String lower = readIfExists(p.resolve("lower"));
    if (lower == null) {
      holds.acquire(id);
      return p.resolve("diff");
    }
    synchronized (holds) {
      if (holds.acquire(id) && !Files.exists(p.resolve(PINNED))) {
        try {
          mount(p, lower);
        } catch (IOException | RuntimeException e) {
          holds.release(id);
          throw e;
        }
      }
    }
    return p.resolve("merged");
  }

  private void mount(Path layer, String lower) throws IOException {
    String upper = layer.resolve("diff").toAbsolutePath().toString();
    String work = layer.resolve("work").toAbsolutePath().toString();
    String merged = layer.resolve("merged").toAbsolutePath().toString();
    String base = home.toAbsolutePath().toString();
    List<String> lowers = new ArrayList<>();
    for (String l : lower.split(":")) {
      lowers.add(base + "/" + l);
    }
    boolean indexOff = probe.indexOff();
    String data = mountData(lowers, upper, work, indexOff);
    if (data.length() <= MAX_MOUNT_DATA && plain(base)) {
      Posix.mount(NAME, merged, NAME, 0, data);
      return;
    }
    // Too long, or a path overlayfs cannot parse (',' ':'): name every directory by descriptor.
    List<Integer> fds = new ArrayList<>();
    try {
      List<String> lowerFds = new ArrayList<>();
      for (String l : lowers) {
        lowerFds.add(descriptorPath(l, fds));
      }
      String byFd =
          mountData(lowerFds, descriptorPath(upper, fds), descriptorPath(work, fds), indexOff);
      if (byFd.length() > MAX_MOUNT_DATA) {
        throw new CairnException(
            CairnException.Kind.UNAVAILABLE,
            "layer chain of " + lowers.size() + " parents is too deep for one overlay mount");
      }
      Posix.mount(NAME, merged, NAME, 0, byFd);
    } finally {
      for (int fd : fds) {
        Posix.close(fd);
      }
    }
  }

  private static String mountData(
      List<String> lowers, String upper, String work, boolean indexOff) {
    return "lowerdir="
        + String.join(":", lowers)
        + ",upperdir="
        + upper
        + ",workdir="
        + work
        + (indexOff ? ",index=off" : "");
  }

  private static boolean plain(String path) {
    return path.indexOf(',') < 0 && path.indexOf(':') < 0 && path.indexOf('\\') < 0;
  }

  private static String descriptorPath(String dir, List<Integer> fds) throws IOException {
    int fd = Posix.openat(Posix.AT_FDCWD, Posix.bytes(dir), Posix.O_PATH | Posix.O_DIRECTORY, 0);
    fds.add(fd);
    return "/proc/self/fd/" + fd;
  }

  @Override
  public void put(String id) throws IOException {
    Path p = layer(id);
    synchronized (holds) {
      if (holds.release(id)
          && Files.exists(p.resolve("lower"))
          && !Files.exists(p.resolve(PINNED))) {
        unmount(p.resolve("merged"));
      }
    }
  }

  @Override
  public Path mount(String id) throws IOException {
    Path p = existing(id);
    String lower = readIfExists(p.resolve("lower"));
    if (lower == null) {
      return p.resolve("diff");
    }
    synchronized (holds) {
      if (!Files.exists(p.resolve(PINNED))) {
        if (!holds.held(id)) {
          mount(p, lower);
        }
        Files.createFile(p.resolve(PINNED));
      } else if (!holds.held(id) && !mounted(p.resolve("merged"))) {
        mount(p, lower); // pinned, but the mount is gone (a reboot, an umount by hand)
      }
    }
    return p.resolve("merged");
  }

  /** Whether something is mounted on {@code dir}: a mount point is on another device. */
  private static boolean mounted(Path dir) throws IOException {
    return !Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS)
        .equals(Files.getAttribute(dir.getParent(), "unix:dev", LinkOption.NOFOLLOW_LINKS));
  }

  @Override
  public void unmount(String id) throws IOException {
    Path p = layer(id);
    synchronized (holds) {
      if (Files.deleteIfExists(p.resolve(PINNED)) && !holds.held(id)) {
        unmount(p.resolve("merged"));
      }
    }
  }

  private static void unmount(Path merged) throws IOException {
    String target = merged.toAbsolutePath().toString();
    try {
      Posix.umount2(target, 0);
    } catch (PosixException e) {
      if (e.errno() == Posix.EINVAL) {
        return; // not mounted
      }
      if (e.errno() != Posix.EBUSY) {
        throw e;
      }
      Posix.umount2(target, Posix.MNT_DETACH); // still in use by someone: goes when they leave
    }
  }

  @Override
  public ApplyResult applyDiff(String id, String parent, InputStream diff, Layer.TarDriver tar)
      throws IOException {
    Path p = existing(id);
    LayerIds.checkParent(parent);
    if (holds.held(id)) {
      // overlayfs does not expect its upper directory to change under a mount
      throw new CairnException(
          CairnException.Kind.CONFLICT, "layer " + id + " is mounted; cannot apply a diff to it");
    }
    ApplyOptions overlay = options.apply().withWhiteouts(WhiteoutFormat.OVERLAY);
    if (parent != null && !Files.exists(p.resolve("lower"), LinkOption.NOFOLLOW_LINKS)) {
      // Applied ahead of its parent, attached later: the layers below are not there to link to.
      return Layer.apply(diff, p.resolve("diff"), overlay, tar, LowerView.PENDING);
    }
    try (ParentView below = parent == null ? null : new ParentView(this, parent)) {
      return Layer.apply(diff, p.resolve("diff"), overlay, tar, below);
    }
  }

  /** Whether {@code parent} is the layer's own parent, whose diff is simply its upper directory. */
  private boolean ownParent(Path layer, String parent) throws IOException {
    String lower = readIfExists(layer.resolve("lower"));
    if (parent == null || lower == null) {
      return parent == null && lower == null;
    }
    Path parentDir = existing(parent);
    String first = lower.split(":")[0];
    return first.equals(LINKS + "/" + read(parentDir.resolve("link")));
  }

  @Override
  public InputStream diff(String id, String parent) throws IOException {
    Path p = existing(id);
    if (ownParent(p, parent)) {
      Path upper = p.resolve("diff");
      return DiffStream.start(
          out -> Diff.write(null, upper, WhiteoutFormat.OVERLAY, options.apply(), out), () -> {});
    }
    // Against another layer: compare the two mounted trees.
    Path upper = get(id);
    Path lower;
    try {
      lower = parent == null ? null : get(parent);
    } catch (IOException | RuntimeException e) {
      put(id);
      throw e;
    }
    return DiffStream.start(
        out -> Diff.write(lower, upper, WhiteoutFormat.AUFS, options.apply(), out),
        () -> {
          try {
            put(id);
            if (parent != null) {
              put(parent);
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  @Override
  public long diffSize(String id, String parent) throws IOException {
    Path p = existing(id);
    if (ownParent(p, parent)) {
      return Diff.measure(null, p.resolve("diff"), WhiteoutFormat.OVERLAY).size();
    }
    Path upper = get(id);
    try {
      Path lower = parent == null ? null : get(parent);
      try {
        return Diff.measure(lower, upper, WhiteoutFormat.AUFS).size();
      } finally {
        if (parent != null) {
          put(parent);
        }
      }
    } finally {
      put(id);
    }
  }

  @Override
  public FileSource files(String id) throws IOException {
    return LayerFiles.open(existing(id).resolve("diff")); // by raw name: any name a tar holds
  }

  @Override
  public Map<String, String> status() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("Driver", NAME);
    s.put("Backing Filesystem", Drivers.backingFilesystem(home));
    s.put("Layers", Long.toString(Drivers.countLayers(home) - 1)); // without l/
    s.put("Mounted", Integer.toString(holds.size()));
    s.put("Index", probe.describe());
    return s;
  }

  /** Unmounts every layer this driver still holds. */
  @Override
  public void close() throws IOException {
    IOException failure = null;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(home)) {
      for (Path p : s) {
        String id = p.getFileName().toString();
        if (id.length() == 64 && holds.drop(id) && Files.exists(p.resolve("lower"))) {
          try {
            unmount(p.resolve("merged"));
          } catch (IOException e) {
            failure = failure == null ? e : failure;
          }
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
