package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.tar.TarEntry;
import dev.cairn.testing.TarBuilder;
import dev.cairn.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the CLI says when the input is wrong: what and why, in one line, nothing raw. */
class CliMessagesTest {
  @TempDir Path dir;
  Cli cairn;

  @BeforeEach
  void setUp() {
    cairn = Cli.vfs(dir.resolve("store"));
  }

  /** No byte a terminal would act on: only printable text and the line's end. */
  private static void assertPrintable(String text) {
    assertThat(
            text.chars().filter(c -> c != '\n' && (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0)))
        .as(text)
        .isEmpty();
  }

  @Test
  void aRootThatIsAFileOrBelowOneIsNotADirectory() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    CliResult r = Cli.BARE.run("--root", file.toString(), "images");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("cairn: store directory " + file + " is not a directory\n");
    CliResult below = Cli.BARE.run("--root", file.resolve("store").toString(), "images");
    assertThat(below.exit()).isEqualTo(1);
    assertThat(below.err())
        .isEqualTo(
            "cairn: store directory "
                + file.resolve("store")
                + ": "
                + file
                + " is not a directory\n");
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void anEmptyRootIsRefusedBeforeAStoreIsMadeInTheCurrentDirectory() {
    CliResult r = Cli.BARE.run("--root", "", "images");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("cairn: the store directory (--root) is empty; name a directory\n");
    assertThat(Path.of("graph")).doesNotExist();
  }

  @ParameterizedTest
  @CsvSource({"load,-i", "import,"})
  void aDirectoryToReadFromIsNamedAsOne(String command, String flag) {
    CliResult r =
        flag == null
            ? cairn.run(command, dir.toString())
            : cairn.run(command, flag, dir.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("cairn: " + dir + " is a directory\n");
  }

  @Test
  void importOfRandomBytesSaysTheFileIsNotATarArchive() throws IOException {
    byte[] junk = new byte[4096];
    new Random(15).nextBytes(junk);
    Path file = Files.write(dir.resolve("junk"), junk);
    CliResult r = cairn.run("import", file.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith(
            "cairn: importing \"" + file + "\": not a tar archive: tar header at offset 0: ")
        .doesNotContain("registering image");
    assertPrintable(r.err());
    assertThat(cairn.run("images", "-a", "-q").out()).isEmpty();
  }

  @Test
  void tarEntryNamesInMessagesAreEscaped() throws IOException {
    byte[] name = {'.', '.', '/', 0x1b, '[', '2', 'J', (byte) 0x9b, 'x', (byte) 0xc2, (byte) 0x9b};
    Path tar =
        Files.write(
            dir.resolve("hostile.tar"),
            TarBuilder.tar().add(TarEntry.regular("x", 0).withName(name), new byte[0]).bytes());
    CliResult r = cairn.run("import", tar.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "cairn: importing \""
                + tar
                + "\": entry \"../\\x1b[2J\\x9bx\\u009b\": the name leaves the layer root\n");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "load | requested load from stdin, but stdin is empty",
        "import | requested import from stdin, but stdin is empty"
      })
  void readingAnArchiveFromATerminalIsRefusedAsDockerDoes(String command, String message)
      throws Exception {
    Path script = Tools.require("script", "util-linux");
    List<String> child =
        new ArrayList<>(
            Tools.childJvm(Main.class, "--root", dir.resolve("store").toString(), command));
    if (command.equals("import")) {
      child.add("-");
    }
    StringBuilder line = new StringBuilder();
    for (String arg : child) {
      line.append(" '").append(arg.replace("'", "'\\''")).append('\'');
    }
    // script gives the child a terminal as its standard input and output
    Process p =
        new ProcessBuilder(script.toString(), "-qec", line.toString().strip(), "/dev/null")
            .redirectErrorStream(true)
            .start();
    try {
      boolean ended = p.waitFor(120, TimeUnit.SECONDS);
      assertThat(ended).as("the command waits for input from the terminal").isTrue();
      String output = new String(p.getInputStream().readAllBytes());
      assertThat(p.exitValue()).as(output).isEqualTo(1);
      assertThat(output.strip()).isEqualTo("cairn: " + message);
    } finally {
      p.destroyForcibly();
    }
  }
}
