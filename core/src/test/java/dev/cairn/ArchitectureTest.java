package dev.cairn;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** ARCHITECTURE.md, Packages: each package uses only the packages listed before it. */
class ArchitectureTest {

  /** The layering, bottom first. The root package holds only what every layer shares. */
  static final List<String> LAYERS =
      List.of(
          "digest",
          "tar",
          "json",
          "image",
          "tarsplit",
          "posix",
          "archive",
          "driver",
          "graph",
          "registry",
          "distribution",
          "tarexport",
          "store");

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cairn");
  }

  @TestFactory
  Stream<DynamicTest> eachPackageUsesOnlyThoseBelowIt() {
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < LAYERS.size(); i++) {
      String layer = LAYERS.get(i);
      String[] above =
          LAYERS.subList(i + 1, LAYERS.size()).stream()
              .map(p -> "dev.cairn." + p + "..")
              .toArray(String[]::new);
      if (above.length == 0) {
        continue;
      }
      tests.add(
          DynamicTest.dynamicTest(
              layer,
              () ->
                  noClasses()
                      .that()
                      .resideInAPackage("dev.cairn." + layer + "..")
                      .should()
                      .dependOnClassesThat()
                      .resideInAnyPackage(above)
                      .allowEmptyShould(true)
                      .check(classes)));
    }
    return tests.stream();
  }

  @Test
  void rootPackageDependsOnNoLayer() {
    noClasses()
        .that()
        .resideInAPackage("dev.cairn")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            LAYERS.stream().map(p -> "dev.cairn." + p + "..").toArray(String[]::new))
        .check(classes);
  }

  @Test
  void onlyTheJsonPackageUsesJackson() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.cairn.json..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.fasterxml.jackson..")
        .check(classes);
  }

  @Test
  void everyPackageIsALayer() {
    noClasses()
        .should()
        .resideOutsideOfPackages(
            Stream.concat(Stream.of("dev.cairn"), LAYERS.stream().map(p -> "dev.cairn." + p + ".."))
                .toArray(String[]::new))
        .check(classes);
  }
}
