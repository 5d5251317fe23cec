import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Build step, run on the shaded jar: rewrites the classes older than class-file version 50 (Java 6)
 * as version 52 with stack maps, code unchanged. picocli's classes are version 49 (Java 5), which
 * the JDK's AOT cache cannot hold, so every command loaded them from the jar through the old
 * verifier. Each rewritten class must pass the verifier here.
 *
 * <p>Usage: {@code java RaiseClassVersions.java JAR}
 */
public final class RaiseClassVersions {
  private RaiseClassVersions() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    try (FileSystem zip = FileSystems.newFileSystem(jar);
        URLClassLoader inJar = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      // Stack maps name the common supertype where branches meet: found in the JDK, else the jar.
      ClassFile cf =
          ClassFile.of(
              ClassFile.ClassHierarchyResolverOption.of(
                  ClassHierarchyResolver.defaultResolver()
                      .orElse(ClassHierarchyResolver.ofResourceParsing(inJar))));
      ClassTransform raise =
          ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
              .andThen(
                  (cb, e) -> {
                    if (e instanceof ClassFileVersion) {
                      cb.withVersion(ClassFile.JAVA_8_VERSION, 0);
                    } else {
                      cb.with(e);
                    }
                  });
      List<Path> classes;
      try (Stream<Path> all = Files.walk(zip.getPath("/"))) {
        classes = all.filter(p -> p.toString().endsWith(".class")).toList();
      }
      int raised = 0;
      for (Path p : classes) {
        ClassModel old = cf.parse(Files.readAllBytes(p));
        if (old.majorVersion() >= ClassFile.JAVA_6_VERSION) {
          continue;
        }
        byte[] bytes = cf.transformClass(old, raise);
        List<VerifyError> errors = cf.verify(bytes);
        if (!errors.isEmpty()) {
          throw new IllegalStateException(p + " does not verify once raised: " + errors);
        }
        Files.write(p, bytes);
        raised++;
      }
      System.out.println("RaiseClassVersions: " + raised + " classes raised to version 52");
    }
  }
}
