package dev.cairn.tarexport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.CairnException;
import dev.cairn.testing.Fuzz;
import dev.cairn.testing.Trees;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/** Any archive loaded into a store: loaded, or refused with the store as it was. */
class LoaderFuzzTest {
  private static Stores store;

  @FuzzTest(maxDuration = Fuzz.ROUND)
  void aRefusedArchiveLeavesTheStoreAsItWas(byte[] archive) throws Exception {
    if (store == null) {
      store = new Stores(Files.createTempDirectory("loader-fuzz"));
    }
    Stores.Snapshot before = store.snapshot();
    try {
      Fuzz.rejectsCleanly(
          Set.of(CairnException.Kind.INVALID),
          () -> {
            try {
              new Loader(store.graph, store.tags).load(new ByteArrayInputStream(archive));
            } catch (CairnException e) {
              assertThat(store.snapshot()).isEqualTo(before);
              throw e;
            }
          });
    } finally {
      // Whatever happened, no temporary file is left behind.
      assertThat(store.snapshot().temp()).isEqualTo(before.temp());
    }
  }

  @AfterAll
  static void removeStore() throws Exception {
    if (store != null) {
      store.close();
      Trees.delete(store.root);
      store = null;
    }
  }
}
