package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./cairn} launcher, run as users run it, on a stand-in jar. */
class LauncherTest {
  @TempDir Path dir;

  @Test
  void aJarRebuiltAfterItsStartUpCacheWasRecordedRunsItsNewClasses() throws Exception {
    Path home = dir.resolve("checkout");
    Files.createDirectories(home.resolve("scripts"));
    Files.createDirectories(home.resolve("cli/target"));
    Path launcher = Files.copy(Path.of("..", "cairn"), home.resolve("cairn"));
    Files.copy(Path.of("..", "scripts", "java-home.sh"), home.resolve("scripts/java-home.sh"));
    Path jar = home.resolve("cli/target/cairn.jar");

    writeJar(jar, "first build");
    assertThat(run(launcher, "images")).isEqualTo("first build\n");
    assertThat(home.resolve("cli/target/cairn-short.aot")).exists();
    assertThat(run(launcher, "images")).isEqualTo("first build\n");

    // As `./mvnw package` rebuilds it: a new jar at the same path, the launcher not involved.
    writeJar(jar, "second build");
    Files.setLastModifiedTime(
        jar, FileTime.fromMillis(System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(2)));
    assertThat(run(launcher, "images")).isEqualTo("second build\n");
  }

  private String run(Path launcher, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  /** A jar whose main class prints {@code text}. */
  private void writeJar(Path jar, String text) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src-" + text.hashCode()));
    Path java =
        Files.writeString(
            src.resolve("Stand.java"),
            "public class Stand { public static void main(String[] a) {"
                + " System.out.println(\""
                + text
                + "\"); } }");
    int rc =
        ToolProvider.getSystemJavaCompiler()
            .run(null, null, null, "-d", src.toString(), java.toString());
    assertThat(rc).isZero();
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Stand");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest)) {
      out.putNextEntry(new JarEntry("Stand.class"));
      out.write(Files.readAllBytes(src.resolve("Stand.class")));
      out.closeEntry();
    }
  }
}
