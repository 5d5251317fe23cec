package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.store.ConfigImages.Img;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker system df's figures ({@link Store#diskUsage}), as dockerd 20.10 counts them. */
class DiskUsageTest {
  @TempDir Path root;
  Store store;

  static final byte[] A = ConfigImages.layer("a", 1000);
  static final byte[] B = ConfigImages.layer("b", 2000);
  static final byte[] C = ConfigImages.layer("c", 3000);

  @BeforeEach
  void open() throws IOException {
    store = Store.open(root, StoreOptions.defaults().withDriver("vfs"));
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private long size(String id) throws IOException {
    return StoreFixtures.graph(store).get(id.replace("sha256:", "")).size();
  }

  @Test
  void aLayerSharedByImagesCountsOnceAndAMountedImageIsActive() throws IOException {
    // base's top node and child's ChainID node hold the same layer A: docker counts it once
    Img base = Img.of("2020-01-01T00:00:00Z", "null", List.of(A), "base:1", "base:2");
    Img child = Img.of("2021-01-01T00:00:00Z", "null", List.of(A, B), "child:1");
    Img other = Img.of("2022-01-01T00:00:00Z", "null", List.of(C));
    ConfigImages.load(store, base, child, other);
    long a = size(base.id());
    long b = size(child.id());
    long c = size(other.id());
    assertThat(size(child.chain().get(0))).isEqualTo(a);

    DiskUsage usage = store.diskUsage();

    assertThat(usage.layersSize()).isEqualTo(a + b + c);
    assertThat(usage.layers()).isEqualTo(3);
    Map<String, ImageUsage> byId =
        usage.images().stream().collect(Collectors.toMap(i -> i.image().id().hex(), i -> i));
    assertThat(byId).containsOnlyKeys(base.id(), child.id(), other.id());
    assertThat(byId.get(base.id()).sharedSize()).isEqualTo(a);
    assertThat(byId.get(base.id()).uniqueSize()).isZero();
    assertThat(byId.get(child.id()).sharedSize()).isEqualTo(a);
    assertThat(byId.get(child.id()).uniqueSize()).isEqualTo(b);
    assertThat(byId.get(other.id()).sharedSize()).isZero();
    assertThat(usage.active()).isZero();
    assertThat(usage.reclaimable()).isEqualTo(a + b + c);

    store.mount("child:1");
    store.mount("child:1");
    DiskUsage mounted = store.diskUsage();
    assertThat(mounted.active()).isEqualTo(1);
    // as docker: only what the active image alone uses is kept; its shared layer is reclaimable
    assertThat(mounted.reclaimable()).isEqualTo(a + c);
    assertThat(mounted.images())
        .filteredOn(i -> i.image().id().hex().equals(child.id()))
        .singleElement()
        .satisfies(i -> assertThat(i.mounts()).isEqualTo(2));
  }

  @Test
  void anEmptyStoreUsesNothing() throws IOException {
    DiskUsage usage = store.diskUsage();
    assertThat(usage.images()).isEmpty();
    assertThat(usage.layersSize()).isZero();
    assertThat(usage.reclaimable()).isZero();
  }
}
