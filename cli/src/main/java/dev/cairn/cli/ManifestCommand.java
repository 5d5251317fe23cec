package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.image.Schema1Image;
import dev.cairn.image.Schema1Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn manifest}: commands that read a manifest without touching the store. */
@Command(
    name = "manifest",
    description = "Inspect image manifests.",
    mixinStandardHelpOptions = true,
    subcommands = {ManifestCommand.Ids.class},
    exitCodeListHeading = ExitStatus.HEADING,
    exitCodeList = {ExitStatus.OK, ExitStatus.INVALID})
final class ManifestCommand {
  /** Manifests are small; a larger input is refused rather than buffered. */
  static final int MAX_MANIFEST = 4 << 20;

  @ParentCommand Main main;

  /** {@code cairn manifest ids}: the content-addressable IDs of a schema1 manifest's images. */
  @Command(
      name = "ids",
      mixinStandardHelpOptions = true,
      description = {
        "Validate a schema1 manifest (signed or not) and print the image IDs cairn would store it"
            + " under.",
        "",
        "Prints one line per image, from the base to the top:",
        "  <strong ID> <v1Compatibility id> <blobSum>",
        "where the strong ID is the SHA-256 of the image's configuration chained over the"
            + " images below it. An image listed twice in a row is printed once. Signatures,"
            + " when present, must verify over the payload.",
        ""
      },
      exitCodeListHeading = ExitStatus.HEADING,
      exitCodeList = {
        "0:the manifest is valid",
        "1:the manifest is invalid or unreadable, or a usage error"
      })
  static final class Ids implements Callable<Integer> {
    @ParentCommand ManifestCommand parent;

    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "FILE",
        description = "The manifest file, or - to read standard input.")
    String file;

    @Override
    public Integer call() throws IOException {
      boolean stdin = file.equals("-");
      String what = "manifest " + (stdin ? "(standard input)" : file);
      List<String> lines;
      try {
        byte[] body;
        try {
          body = stdin ? read(parent.main.stdin()) : read(Path.of(file));
        } catch (IOException e) {
          throw new IOException(what + ": " + reason(e), e);
        }
        Schema1Manifest manifest = Schema1Manifest.parse(body);
        List<Schema1Image> images = manifest.images();
        List<Digest> ids = manifest.strongIds();
        lines = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
          Schema1Image image = images.get(i);
          lines.add(ids.get(i).hex() + " " + image.id() + " " + image.blobSum());
        }
      } catch (CairnException e) {
        throw e.in(what);
      }
      // Everything was checked before the first line goes out.
      var out = spec.commandLine().getOut();
      lines.forEach(out::println);
      out.flush();
      return 0;
    }

    private static byte[] read(Path path) throws IOException {
      try (InputStream in = Files.newInputStream(path)) {
        return read(in);
      }
    }

    private static byte[] read(InputStream in) throws IOException {
      byte[] body = in.readNBytes(MAX_MANIFEST + 1);
      if (body.length > MAX_MANIFEST) {
        throw CairnException.invalid("larger than 4 MiB, the limit for a manifest");
      }
      return body;
    }

    private static String reason(IOException e) {
      return switch (e) {
        case java.nio.file.NoSuchFileException n -> "no such file";
        case java.nio.file.AccessDeniedException a -> "permission denied";
        default -> e.getMessage() == null ? e.toString() : e.getMessage();
      };
    }
  }
}
