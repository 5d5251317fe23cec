package dev.cairn.graph;

import static dev.cairn.graph.Fixtures.id;
import static dev.cairn.graph.Fixtures.json;
import static dev.cairn.graph.Fixtures.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.driver.DriverOptions;
import dev.cairn.driver.Drivers;
import dev.cairn.image.Reference;
import dev.cairn.testing.Seeds;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagStoreTest {
  @TempDir Path root;
  private final Random random = Seeds.random(TagStoreTest.class);
  private Graph graph;
  private String a;
  private String b;

  @BeforeEach
  void open() throws IOException {
    graph = Graph.open(root, Drivers.open(root, "vfs", DriverOptions.defaults()));
    a = id(random);
    b = id(random);
    for (String id : List.of(a, b)) {
      graph.register(NodeSpec.of(id, null, json(id, null)), new ByteArrayInputStream(tar("f", id)));
    }
  }

  @AfterEach
  void close() throws IOException {
    graph.close();
  }

  private Path file() {
    return root.resolve("repositories-vfs");
  }

  @Test
  void tagsAreWrittenInDockers19Form() throws IOException {
    TagStore tags = TagStore.open(graph);
    Digest d = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
    assertEquals(Optional.empty(), tags.tag(Reference.parse("alpine"), a, false));
    tags.tag(Reference.parse("alpine:3.20"), a.substring(0, 8), false);
    tags.tag(Reference.parse("alpine@" + d), a, false);
    tags.tag(Reference.parse("localhost:5000/team/app:1"), b, false);
    tags.tag(Reference.parse("docker.io/someone/tool:v2"), b, false);
    assertEquals(
        "{\"Repositories\":{"
            + "\"alpine\":{\"3.20\":\""
            + a
            + "\",\"alpine@"
            + d
            + "\":\""
            + a
            + "\",\"latest\":\""
            + a
            + "\"},\"localhost:5000/team/app\":{\"1\":\""
            + b
            + "\"},\"someone/tool\":{\"v2\":\""
            + b
            + "\"}}}",
        Files.readString(file()));

    TagStore again = TagStore.open(graph);
    assertEquals(Optional.of(a), again.resolve(Reference.parse("docker.io/library/alpine:latest")));
    assertEquals(Optional.of(a), again.resolve(Reference.parse("alpine@" + d)));
    assertEquals(Optional.empty(), again.resolve(Reference.parse("alpine:edge")));
    assertEquals(
        List.of(
            Reference.parse("alpine:3.20"),
            Reference.parse("alpine@" + d),
            Reference.parse("alpine:latest")),
        again.references(a));
    assertEquals(5, again.all().size());
  }

  @Test
  void aTagMovesAndSaysFromWhereButADigestMovesOnlyWhenForced() throws IOException {
    TagStore tags = TagStore.open(graph);
    Reference latest = Reference.parse("app");
    tags.tag(latest, a, false);
    assertEquals(Optional.of(a), tags.tag(latest, b, false));
    assertEquals(Optional.of(b), tags.resolve(latest));
    assertEquals(Optional.empty(), tags.tag(latest, b, false), "already there");

    Reference pinned = Reference.parse("app@" + Digest.sha256(new byte[] {1}));
    tags.tag(pinned, a, false);
    CairnException e = assertThrows(CairnException.class, () -> tags.tag(pinned, b, false));
    assertEquals(CairnException.Kind.CONFLICT, e.kind());
    assertEquals(Optional.of(a), tags.tag(pinned, b, true));
  }

  @Test
  void untagRemovesOneReferenceAndEmptyRepositories() throws IOException {
    TagStore tags = TagStore.open(graph);
    tags.tag(Reference.parse("app:1"), a, false);
    tags.tag(Reference.parse("app:2"), a, false);
    assertEquals(a, tags.untag(Reference.parse("app:1")));
    assertEquals(List.of(Reference.parse("app:2")), tags.references(a));
    tags.untag(Reference.parse("app:2"));
    assertEquals("{\"Repositories\":{}}", Files.readString(file()));
    CairnException e =
        assertThrows(CairnException.class, () -> tags.untag(Reference.parse("app:2")));
    assertEquals(CairnException.Kind.NOT_FOUND, e.kind());
  }

  @Test
  void refusesUnknownImagesAndReferencesWithTagAndDigest() throws IOException {
    TagStore tags = TagStore.open(graph);
    assertEquals(
        CairnException.Kind.NOT_FOUND,
        assertThrows(CairnException.class, () -> tags.tag(Reference.parse("x"), id(random), false))
            .kind());
    Reference both = Reference.parse("x:1@" + Digest.sha256(new byte[0]));
    assertEquals(
        CairnException.Kind.INVALID,
        assertThrows(CairnException.class, () -> tags.tag(both, a, false)).kind());
  }

  @Test
  void readsFilesDockerWroteWithLongNamesAndBareDigestKeys() throws IOException {
    Digest d = Digest.sha256(new byte[] {2});
    Files.writeString(
        file(),
        "{\"Repositories\":{\"docker.io/library/busybox\":{\"latest\":\"sha256:"
            + a
            + "\",\""
            + d
            + "\":\""
            + b
            + "\"}}}");
    TagStore tags = TagStore.open(graph);
    assertEquals(Optional.of(a), tags.resolve(Reference.parse("busybox")));
    assertEquals(Optional.of(b), tags.resolve(Reference.parse("busybox@" + d)));
    tags.tag(Reference.parse("busybox:1"), b, false);
    assertEquals(
        "{\"Repositories\":{\"busybox\":{\"1\":\""
            + b
            + "\",\"busybox@"
            + d
            + "\":\""
            + b
            + "\",\"latest\":\""
            + a
            + "\"}}}",
        Files.readString(file()));
  }

  @Test
  void twoStoresOnOneRootKeepEachOthersTags() throws IOException {
    TagStore one = TagStore.open(graph);
    try (Graph second = Graph.open(root, graph.driver())) {
      TagStore two = TagStore.open(second);
      one.tag(Reference.parse("first"), a, false);
      two.tag(Reference.parse("second"), b, false);
      one.tag(Reference.parse("third"), a, false);
      assertEquals(3, TagStore.open(graph).all().size());
      assertEquals(Optional.of(b), one.resolve(Reference.parse("second")));
    }
  }

  @Test
  void aCorruptTagsFileIsAnErrorNamingIt() throws IOException {
    Files.writeString(file(), "{\"Repositories\":[\"alpine\"]}");
    CairnException e = assertThrows(CairnException.class, () -> TagStore.open(graph));
    assertTrue(e.getMessage().startsWith("repositories-vfs: "), e.getMessage());
  }

  private static final String HEX = "0123456789abcdef".repeat(4);

  @Test
  void aStoreWhoseTagFileHoldsABadEntryOpensAndKeepsIt() throws IOException {
    String bad = "\"" + HEX + "\":{\"1\":\"" + b + "\"}";
    Files.writeString(
        file(), "{\"Repositories\":{" + bad + ",\"alpine\":{\"latest\":\"" + a + "\"}}}");
    TagStore tags = TagStore.open(graph);
    assertThat(tags.skipped())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.entry()).isEqualTo(HEX + ":1");
              assertThat(s.reason())
                  .contains("invalid repository name (" + HEX + ")")
                  .contains("cannot specify 64-byte hexadecimal strings");
            });
    assertThat(tags.all()).containsOnlyKeys(Reference.parse("alpine:latest"));
    assertThat(tags.references(b)).isEmpty();

    tags.tag(Reference.parse("app:1"), b, false);
    tags.untag(Reference.parse("alpine:latest"));
    assertThat(Files.readString(file()))
        .isEqualTo("{\"Repositories\":{" + bad + ",\"app\":{\"1\":\"" + b + "\"}}}");
    TagStore again = TagStore.open(graph);
    assertThat(again.skipped()).extracting(SkippedTag::entry).containsExactly(HEX + ":1");
    assertThat(again.resolve(Reference.parse("app:1"))).contains(b);
  }

  @Test
  void everyUnusableEntryIsReportedOnceAndWrittenBackUnlessItsNameIsSetAgain() throws IOException {
    String d = Digest.sha256(new byte[] {3}).toString();
    String text =
        "{\"Repositories\":{\"alpine\":{\"bad tag!\":\""
            + a
            + "\",\"alpine@sha256:zz\":\""
            + a
            + "\",\"latest\":42,\"v1\":\""
            + a
            + "\"},\"broken\":[1,2],\"Up\":{\"x\":{\"deep\":true}}}}";
    Files.writeString(file(), text);
    TagStore tags = TagStore.open(graph);
    assertThat(tags.skipped())
        .extracting(SkippedTag::entry)
        .containsExactly("alpine:bad tag!", "alpine@sha256:zz", "alpine:latest", "broken", "Up:x");
    assertThat(tags.skipped())
        .extracting(SkippedTag::reason)
        .satisfiesExactly(
            r -> assertThat(r).contains("bad character ' '"),
            r -> assertThat(r).contains("sha256:zz"),
            r -> assertThat(r).isEqualTo("not an image ID"),
            r -> assertThat(r).contains("not an object"),
            r -> assertThat(r).contains("must be lowercase"));
    assertThat(tags.all()).containsOnlyKeys(Reference.parse("alpine:v1"));

    tags.tag(Reference.parse("alpine@" + d), b, false);
    assertThat(Files.readString(file()))
        .contains("\"bad tag!\":\"" + a + "\"")
        .contains("\"alpine@sha256:zz\":\"" + a + "\"")
        .contains("\"latest\":42")
        .contains("\"broken\":[1,2]")
        .contains("\"Up\":{\"x\":{\"deep\":true}}");
    assertThat(TagStore.open(graph).skipped()).hasSize(5);

    // Setting a name the file held unusable replaces it, as a tag replaces what it named.
    tags.tag(Reference.parse("alpine:latest"), b, false);
    assertThat(Files.readString(file())).doesNotContain("\"latest\":42");
    assertThat(TagStore.open(graph).skipped()).hasSize(4);
    assertThat(tags.resolve(Reference.parse("alpine:latest"))).contains(b);
  }

  @Test
  void theReferencesAreMadeOnceForEachVersionOfTheFileAndFollowEveryWrite() throws IOException {
    TagStore tags = TagStore.open(graph);
    tags.tag(Reference.parse("app:1"), a, false);
    tags.tag(Reference.parse("app:2"), b, false);
    Map<Reference, String> all = tags.all();
    // A listing asks once per image: the answer is not remade from every tag each time.
    assertThat(tags.all()).isSameAs(all);
    assertThat(tags.references(a)).isSameAs(tags.references(a));
    assertThat(tags.references(a)).containsExactly(Reference.parse("app:1"));

    tags.tag(Reference.parse("app:3"), a, false);
    assertThat(tags.references(a))
        .containsExactly(Reference.parse("app:1"), Reference.parse("app:3"));
    TagStore other = TagStore.open(graph); // another process
    other.untag(Reference.parse("app:1"));
    assertThat(tags.references(a)).containsExactly(Reference.parse("app:3"));
    assertThat(tags.all()).containsOnlyKeys(Reference.parse("app:2"), Reference.parse("app:3"));
    assertThat(tags.references(id(random))).isEmpty();
  }
}
