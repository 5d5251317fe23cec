package dev.cairn.cli;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.cairn.CairnException;
import dev.cairn.archive.IdMap;
import dev.cairn.digest.Digest;
import dev.cairn.distribution.ProgressEvent;
import dev.cairn.distribution.ProgressListener;
import dev.cairn.distribution.PullOptions;
import dev.cairn.distribution.PullResult;
import dev.cairn.image.Platform;
import dev.cairn.image.Reference;
import dev.cairn.image.Schema1Image;
import dev.cairn.image.Schema1Manifest;
import dev.cairn.posix.Posix;
import dev.cairn.registry.CredentialSource;
import dev.cairn.registry.Credentials;
import dev.cairn.registry.DockerConfigCredentials;
import dev.cairn.registry.Logins;
import dev.cairn.registry.RegistryOptions;
import dev.cairn.tarexport.LoadResult;
import org.junit.jupiter.api.Test;

/**
 * The command line is a shell over the library's face: it uses the store package, the values that
 * the store's methods take and give, picocli and the JDK, never the graph, the tags, a driver or
 * the JSON code underneath, so that everything a command does a Java caller (or the HTTP service)
 * can do too.
 */
class ArchitectureTest {

  /** What the store's methods take and give besides its own types, and why each is here. */
  static final Class<?>[] VALUES = {
    CairnException.class, // the one exception, with its kind
    Digest.class,
    Reference.class,
    Platform.class, // PullOptions.platform
    IdMap.class, // StoreOptions.withIdMaps
    PullOptions.class,
    PullResult.class,
    dev.cairn.distribution.PushOptions.class,
    dev.cairn.distribution.PushResult.class,
    ProgressListener.class,
    ProgressEvent.class, // with its event records
    RegistryOptions.class, // StoreOptions.withRegistry
    CredentialSource.class,
    Credentials.class,
    DockerConfigCredentials.class, // docker's own credential store, as a CredentialSource
    Logins.class, // docker login/logout: they touch no store
    Logins.Login.class,
    LoadResult.class,
    Schema1Manifest.class, // cairn manifest ids: a parsed manifest and its images are values
    Schema1Image.class,
    Posix.class, // isatty of one descriptor, which the JDK cannot ask (Console asks of two)
  };

  @Test
  void theCommandLineUsesOnlyTheStoreItsValuesPicocliAndTheJdk() {
    JavaClasses cli =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cairn.cli");
    classes()
        .that()
        .resideInAPackage("dev.cairn.cli..")
        .should()
        .onlyDependOnClassesThat(
            resideInAnyPackage(
                    "dev.cairn.cli..",
                    "dev.cairn.store..",
                    "dev.cairn.serve",
                    "picocli..",
                    "java..")
                .or(belongToAnyOf(VALUES)))
        .check(cli);
  }
}
