package dev.cairn.cli;

import dev.cairn.CairnException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where {@code save} and {@code layer export} write a tar. A regular file, or a name that does not
 * exist yet, is written beside itself under a temporary name and renamed over it, so that a failed
 * or interrupted write leaves the old file or none. Anything else (a device, a FIFO, a terminal
 * behind {@code /dev/stdout}) is opened and written in place, as a shell redirection would:
 * renaming over it would replace the node. A symlink is followed, as {@code docker save -o} does;
 * the link stays and its target is written.
 */
final class OutputFile {
  private OutputFile() {}

  /** What writes the data. */
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Standard output closed by its reader before everything was written (EPIPE): the command ends
   * quietly, as a Unix tool killed by SIGPIPE does.
   */
  static final class StdoutClosed extends IOException {
    private static final long serialVersionUID = 1L;

    StdoutClosed(IOException cause) {
      super("standard output closed", cause);
    }
  }

  /** Symlinks followed at most, as Linux does (ELOOP after 40). */
  private static final int MAX_LINKS = 40;

  /** Refuses standard output when it is a terminal, where a tar must not go. */
  static void refuseTerminal(Main main) {
    if (main.stdoutIsTerminal()) {
      throw CairnException.invalid(
          "refusing to write a tar archive to a terminal: use -o FILE or redirect the output");
    }
  }

  /** Writes to standard output, which must not be a terminal. */
  static void toStdout(Main main, Body body) throws IOException {
    refuseTerminal(main);
    OutputStream out = main.stdoutBytes();
    try {
      body.writeTo(out);
      out.flush();
    } catch (IOException e) {
      if (brokenPipe(e)) {
        throw new StdoutClosed(e);
      }
      throw e;
    }
  }

  /** Writes to {@code target} as the class comment says. */
  static void toFile(Path target, Body body) throws IOException {
    BasicFileAttributes attrs = attributes(target);
    if (attrs != null && attrs.isDirectory()) {
      throw CairnException.invalid(target + " is a directory");
    }
    if (attrs != null && !attrs.isRegularFile()) {
      try (OutputStream out = new FileOutputStream(target.toFile())) {
        body.writeTo(out);
      } catch (IOException e) {
        throw failed(target, e);
      }
      return;
    }
    Path file = attrs != null ? target.toRealPath() : danglingEnd(target.toAbsolutePath());
    Path dir = file.getParent();
    if (!Files.isDirectory(dir)) {
      throw CairnException.invalid("cannot write " + target + ": " + dir + " is not a directory");
    }
    Path partial;
    try {
      partial = Files.createTempFile(dir, "." + file.getFileName() + ".", ".partial");
    } catch (IOException e) {
      throw failed(target, e);
    }
    // SIGINT and SIGTERM run the JVM's shutdown hooks, never the finally below.
    Thread cleanup = new Thread(() -> deleteQuietly(partial));
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      if (attrs != null) {
        // A file replaced keeps its mode; a new one is private (0600), as docker save -o makes it.
        Files.setPosixFilePermissions(partial, Files.getPosixFilePermissions(file));
      }
      // A FileOutputStream lets the layers' big files go through the kernel (copy_file_range).
      try (OutputStream out = new FileOutputStream(partial.toFile())) {
        body.writeTo(out);
      }
      Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw failed(target, e);
    } finally {
      deleteQuietly(partial);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run: it removes the file
      }
    }
  }

  /** The attributes of what {@code path} names, symlinks followed; null when nothing is there. */
  private static BasicFileAttributes attributes(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /** Where a chain of symlinks ending nowhere leads: the file a write would create. */
  private static Path danglingEnd(Path path) throws IOException {
    Path p = path;
    for (int hops = 0; Files.isSymbolicLink(p); hops++) {
      if (hops == MAX_LINKS) {
        throw CairnException.invalid(
            "cannot write " + path + ": too many levels of symbolic links");
      }
      p = p.getParent().resolve(Files.readSymbolicLink(p));
    }
    return p;
  }

  private static IOException failed(Path target, IOException e) {
    return new IOException("writing " + target + ": " + Main.describe(e), e);
  }

  /** EPIPE, which the JDK reports only by its text. */
  private static boolean brokenPipe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException && "Broken pipe".equals(t.getMessage())) {
        return true;
      }
    }
    return false;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // nothing more to do on the way out
    }
  }
}
