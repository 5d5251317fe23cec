package dev.cairn.tarsplit;

import dev.cairn.CairnException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Files under a layer root, resolved as if the root were {@code /}. */
final class DirectorySource implements FileSource {
  private static final int MAX_LINKS = 255;
  private final Path root;
  // Resolved parent directories; layers list many files per directory.
  private final Map<String, Dir> parents = new HashMap<>();

  DirectorySource(Path root) {
    this.root = root;
  }

  @Override
  public FileChannel open(byte[] name) throws IOException {
    String text = new String(name, StandardCharsets.UTF_8);
    if (!Arrays.equals(text.getBytes(StandardCharsets.UTF_8), name)) {
      throw CairnException.invalid(
          "file name "
              + CairnException.quote(name)
              + " is not valid UTF-8 and cannot be opened as a path here;"
              + " open the layer with dev.cairn.archive.LayerFiles, which takes raw names");
    }
    int slash = text.lastIndexOf('/', trimmedEnd(text) - 1);
    String parent = slash < 0 ? "" : text.substring(0, slash);
    String base = text.substring(slash + 1);
    Dir dir = parents.get(parent);
    if (dir == null) {
      List<String> parts = resolve(List.of(), parent);
      dir = new Dir(parts, toPath(parts));
      parents.put(parent, dir);
    }
    if (!base.isEmpty() && !base.equals(".") && !base.equals("..")) {
      Path file = dir.path().resolve(base);
      try {
        return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
      } catch (FileSystemException e) {
        if (!Files.isSymbolicLink(file)) {
          throw e;
        }
      }
    }
    // The name ends in a link (or is odd): resolve it inside the root, then open what it names.
    return FileChannel.open(
        toPath(resolve(dir.parts(), base)), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
  }

  private record Dir(List<String> parts, Path path) {}

  private static int trimmedEnd(String s) {
    int end = s.length();
    while (end > 1 && s.charAt(end - 1) == '/') {
      end--;
    }
    return Math.max(end, 1);
  }

  /**
   * Resolves {@code rel} below the already resolved {@code from}, following links inside the root:
   * a link's absolute target restarts at the root, and {@code ..} never climbs above it.
   */
  private List<String> resolve(List<String> from, String rel) throws IOException {
    List<String> done = new ArrayList<>(from);
    Deque<String> todo = new ArrayDeque<>();
    push(todo, rel);
    int links = 0;
    while (!todo.isEmpty()) {
      String part = todo.pollFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      done.add(part);
      Path p = toPath(done);
      if (Files.isSymbolicLink(p)) {
        if (++links > MAX_LINKS) {
          throw new FileSystemException(p.toString(), null, "too many levels of symbolic links");
        }
        String target = Files.readSymbolicLink(p).toString();
        done.removeLast();
        if (target.startsWith("/")) {
          done.clear();
        }
        push(todo, target);
      }
    }
    return done;
  }

  private static void push(Deque<String> todo, String path) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) {
      todo.addFirst(parts[i]);
    }
  }

  private Path toPath(List<String> parts) {
    Path p = root;
    for (String s : parts) {
      p = p.resolve(s);
    }
    return p;
  }
}
