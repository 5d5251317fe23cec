package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReferenceTest {
  private static final String HEX =
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  static Stream<Arguments> valid() {
    return Stream.of(
        // name, input, full form, familiar form
        Arguments.of(
            "official image", "alpine", "docker.io/library/alpine:latest", "alpine:latest"),
        Arguments.of(
            "official with tag", "alpine:3.20", "docker.io/library/alpine:3.20", "alpine:3.20"),
        Arguments.of("user repo", "user/app", "docker.io/user/app:latest", "user/app:latest"),
        Arguments.of(
            "explicit docker.io",
            "docker.io/alpine",
            "docker.io/library/alpine:latest",
            "alpine:latest"),
        Arguments.of(
            "legacy index.docker.io", "index.docker.io/library/alpine:1",
            "docker.io/library/alpine:1", "alpine:1"),
        Arguments.of(
            "library with nested path stays", "docker.io/library/a/b",
            "docker.io/library/a/b:latest", "library/a/b:latest"),
        Arguments.of(
            "host and port",
            "127.0.0.1:5000/a/b:tag",
            "127.0.0.1:5000/a/b:tag",
            "127.0.0.1:5000/a/b:tag"),
        Arguments.of(
            "localhost is a domain",
            "localhost/app",
            "localhost/app:latest",
            "localhost/app:latest"),
        Arguments.of(
            "dotted domain",
            "ghcr.io/o/r:v1.2-rc_3",
            "ghcr.io/o/r:v1.2-rc_3",
            "ghcr.io/o/r:v1.2-rc_3"),
        Arguments.of(
            "uppercase first component is a domain", "Registry/app",
            "Registry/app:latest", "Registry/app:latest"),
        Arguments.of("ipv6 domain", "[::1]:5000/app:1", "[::1]:5000/app:1", "[::1]:5000/app:1"),
        Arguments.of(
            "port-looking tag without slash",
            "localhost:5000",
            "docker.io/library/localhost:5000",
            "localhost:5000"),
        Arguments.of(
            "digest only keeps no tag",
            "alpine@sha256:" + HEX,
            "docker.io/library/alpine@sha256:" + HEX,
            "alpine@sha256:" + HEX),
        Arguments.of(
            "tag and digest",
            "host:1/x:t@sha256:" + HEX,
            "host:1/x:t@sha256:" + HEX,
            "host:1/x:t@sha256:" + HEX),
        Arguments.of(
            "separators",
            "x/a.b_c__d-e---f",
            "docker.io/x/a.b_c__d-e---f:latest",
            "x/a.b_c__d-e---f:latest"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("valid")
  void parsesAndNormalises(String name, String input, String full, String familiar) {
    Reference ref = Reference.parse(input);
    assertThat(ref.toString()).isEqualTo(full);
    assertThat(ref.familiar()).isEqualTo(familiar);
    assertThat(Reference.parse(ref.toString())).isEqualTo(ref);
    assertThat(Reference.parse(ref.familiar())).isEqualTo(ref);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        // name, input, the reason the message must give
        Arguments.of("empty", "", "empty"),
        Arguments.of("uppercase repository", "Alpine", "must be lowercase"),
        Arguments.of("uppercase in path", "docker.io/user/App", "must be lowercase"),
        Arguments.of("image ID", HEX, "cannot specify 64-byte hexadecimal strings"),
        Arguments.of("image ID with a tag", HEX + ":1", "invalid repository name (" + HEX + ")"),
        Arguments.of(
            "image ID under library",
            "docker.io/library/" + HEX + ":1",
            "cannot specify 64-byte hexadecimal strings"),
        Arguments.of(
            "image ID with a digest",
            HEX + "@sha256:" + HEX,
            "cannot specify 64-byte hexadecimal strings"),
        Arguments.of("digest algorithm as a name", "sha256:" + HEX, "ambiguous repository name"),
        Arguments.of("empty tag", "alpine:", "empty tag"),
        Arguments.of("tag starting with dot", "alpine:.x", "must start with"),
        Arguments.of("tag with bad char", "alpine:a+b", "bad character '+'"),
        Arguments.of("tag too long", "alpine:" + "t".repeat(129), "longer than 128"),
        Arguments.of("digest missing", "alpine@", "missing digest"),
        Arguments.of("digest short", "alpine@sha256:abc", "bad digest"),
        Arguments.of("digest algorithm", "alpine@md5:" + HEX, "unsupported algorithm"),
        Arguments.of("double slash", "a//b", "empty path component"),
        Arguments.of("trailing slash", "host:5000/a/", "empty path component"),
        Arguments.of("leading separator", "-a", "must start with"),
        Arguments.of("trailing separator", "a-", "must end with"),
        Arguments.of("three underscores", "a___b", "two separators"),
        Arguments.of("dotted first component is a domain", "a.b_c/g", "host name component"),
        Arguments.of("bad char in path", "a/b$c", "character '$'"),
        Arguments.of("bad domain component", "-bad.com/x", "host name component"),
        Arguments.of("non-numeric port", "host:po/x", "port must be a number"),
        Arguments.of("port above 65535", "127.0.0.1:99999/x", "port 99999 is out of range"),
        Arguments.of("port zero", "host:0/x", "port 0 is out of range"),
        Arguments.of("IPv6 port above 65535", "[::1]:65536/x", "port 65536 is out of range"),
        Arguments.of("only a domain", "host.com:5000/", "missing repository name"),
        Arguments.of("name too long", "a/" + "b".repeat(260), "more than 255"),
        Arguments.of("control character", "a\nb", "\\x0a"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsWithReason(String name, String input, String reason) {
    assertThatThrownBy(() -> Reference.parse(input))
        .isInstanceOfSatisfying(
            CairnException.class, e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID))
        .hasMessageStartingWith("invalid reference")
        .hasMessageContaining(reason);
  }

  @Test
  void nameLengthCountsDomainAndPath() {
    String path = "p".repeat(255 - "docker.io/library/".length());
    assertThat(Reference.parse(path).name()).hasSize(255);
    assertThatThrownBy(() -> Reference.parse(path + "p")).hasMessageContaining("more than 255");
  }

  // Found by ImageFuzzTest: the short form of such a name reads back as another registry's, as
  // docker's (distribution's familiar form keeps every component of a Docker Hub path).
  @Test
  void aDockerHubPathWhoseFirstComponentLooksLikeAHostKeepsDockersShortForm() {
    Reference ref = Reference.parse("index.docker.io/uin42e9x.rlocker.iusdrser/relo");
    assertThat(ref.toString()).isEqualTo("docker.io/uin42e9x.rlocker.iusdrser/relo:latest");
    assertThat(ref.familiar()).isEqualTo("uin42e9x.rlocker.iusdrser/relo:latest");
    assertThat(Reference.parse(ref.familiar()).domain()).isEqualTo("uin42e9x.rlocker.iusdrser");
  }

  @Test
  void tagOrDigestPrefersDigest() {
    Reference ref = Reference.parse("a:1@sha256:" + HEX);
    assertThat(ref.tagOrDigest()).isEqualTo("sha256:" + HEX);
    assertThat(ref.withTag("2").toString()).isEqualTo("docker.io/library/a:2");
    assertThat(Reference.parse("a").tagOrDigest()).isEqualTo("latest");
  }

  @Test
  void aRepositoryNamedLikeAnImageIdIsRefusedHoweverItIsBuilt() {
    assertThatThrownBy(() -> new Reference("docker.io", "library/" + HEX, "1", null))
        .hasMessageContaining("cannot specify 64-byte hexadecimal strings");
    // Where the familiar name keeps more than the hex, nothing is ambiguous: docker accepts these.
    assertThat(Reference.parse("user/" + HEX + ":1").familiar()).isEqualTo("user/" + HEX + ":1");
    assertThat(Reference.parse("localhost:5000/" + HEX).familiarName())
        .isEqualTo("localhost:5000/" + HEX);
    assertThat(Reference.parse(HEX.substring(1) + ":1").familiarName()).isEqualTo(HEX.substring(1));
  }

  @Test
  void constructorRejectsInvalidParts() {
    assertThatThrownBy(() -> new Reference("docker.io", "Up", "t", null))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("lowercase");
    assertThatThrownBy(() -> new Reference("docker.io", "a", "-t", null))
        .hasMessageContaining("must start with");
  }

  // The grammar of distribution's reference package at its edges: each case is a rule.
  static Stream<Arguments> edges() {
    return Stream.of(
        // name, input, full form
        Arguments.of("a tag of exactly 128 characters", "a:" + "t".repeat(128), null),
        Arguments.of("port 65535 is the highest", "host:65535/x", "host:65535/x:latest"),
        Arguments.of("port 1 is the lowest", "host:1/x", "host:1/x:latest"),
        Arguments.of(
            "letters and digits at the ends of their ranges",
            "AZaz09-a.example:5000/az09/za90:AZaz09_.-",
            "AZaz09-a.example:5000/az09/za90:AZaz09_.-"),
        Arguments.of(
            "an IPv6 address with every kind of hex digit",
            "[09af:AF::1]:5000/x",
            "[09af:AF::1]:5000/x:latest"),
        Arguments.of(
            "64 lowercase letters that are not hex are a name",
            "g".repeat(64),
            "docker.io/library/" + "g".repeat(64) + ":latest"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edges")
  void acceptsTheEdgesOfTheGrammar(String name, String input, String full) {
    Reference ref = Reference.parse(input);
    if (full != null) {
      assertThat(ref.toString()).isEqualTo(full);
    }
  }

  static Stream<Arguments> refusedEdges() {
    return Stream.of(
        // name, input, the message's end
        Arguments.of(
            "only a digest", "@sha256:" + HEX, "\"@sha256:" + HEX + "\": missing repository name"),
        Arguments.of("tag of 129 characters", "a:" + "t".repeat(129), "longer than 128 characters"),
        Arguments.of(
            "a first component starting with a dot is a domain",
            ".example/x",
            "registry domain \".example\": \"\" is not a host name component (letters, digits,"
                + " inner '-')"),
        Arguments.of(
            "an empty host before a port",
            ":5000/x",
            "registry domain \":5000\": \"\" is not a host name component (letters, digits,"
                + " inner '-')"),
        Arguments.of(
            "an empty path under docker.io",
            "docker.io//a",
            "empty path component in repository name \"/a\""),
        Arguments.of("an unclosed IPv6 address", "[::1/x", "unclosed '['"),
        Arguments.of("junk after an IPv6 address", "[::1]x/y", "junk after ']'"),
        Arguments.of("an empty IPv6 address", "[]:5000/x", "bad IPv6 address"),
        Arguments.of("a letter past f in IPv6", "[::g]/x", "bad IPv6 address"),
        Arguments.of("a capital past F in IPv6", "[::G]/x", "bad IPv6 address"),
        Arguments.of("a backquote in IPv6", "[::`]/x", "bad IPv6 address"),
        Arguments.of("a trailing underscore", "a_", "must end with a lowercase letter or digit"),
        Arguments.of(
            "a trailing double underscore", "a__", "must end with a lowercase letter or digit"),
        Arguments.of(
            "a name too long by one",
            "a/" + "b".repeat(255 - "docker.io/a/".length() + 1),
            "\": repository name must not be more than 255 characters"),
        Arguments.of(
            "a space is shown as it is",
            "a b",
            "\"a b\": character ' ' is not allowed (lowercase letters, digits, '.', '_', '__', '-')"),
        Arguments.of(
            "DEL is shown escaped",
            "a\u007fb",
            "\"a\\x7fb\": character '\\x7f' is not allowed (lowercase letters, digits, '.', '_',"
                + " '__', '-')"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedEdges")
  void refusesPastTheEdgesOfTheGrammar(String name, String input, String messageEnd) {
    assertThatThrownBy(() -> Reference.parse(input))
        .isInstanceOf(CairnException.class)
        .hasMessageStartingWith("invalid reference \"")
        .hasMessageEndingWith(messageEnd)
        // one "invalid reference" prefix: the parser's own check speaks, not the constructor's
        .satisfies(e -> assertThat(e.getMessage().split("invalid reference", -1)).hasSize(2));
  }

  static Stream<Arguments> builtParts() {
    Reference checked = Reference.parse("ghcr.io/o/r:1");
    String path255 = "p".repeat(255 - "ghcr.io/".length());
    return Stream.of(
        // name, domain, path, tag, the message's end (null: accepted)
        Arguments.of("a checked path with a bad domain", "-bad", checked.path(), null, "'-')"),
        Arguments.of(
            "a checked domain with a bad path",
            checked.domain(),
            "a/Bc",
            null,
            ": path component \"Bc\": repository name must be lowercase"),
        Arguments.of(
            "an uppercase letter after a separator",
            "docker.io",
            new String("a-B"),
            null,
            ": path component \"a-B\": repository name must be lowercase"),
        Arguments.of(
            "an uppercase letter inside a component",
            "docker.io",
            new String("aB"),
            null,
            ": path component \"aB\": repository name must be lowercase"),
        Arguments.of("an empty domain", "", "a", null, ": empty registry domain"),
        Arguments.of("an empty tag", new String("docker.io"), "a/b", "", ": empty tag"),
        Arguments.of("a name of 255 characters", new String("ghcr.io"), path255, "t", null),
        Arguments.of(
            "a name of 256 characters",
            new String("ghcr.io"),
            path255 + "p",
            "t",
            ": repository name must not be more than 255 characters"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builtParts")
  void theConstructorChecksWhatItWasNotGivenChecked(
      String name, String domain, String path, String tag, String messageEnd) {
    if (messageEnd == null) {
      assertThat(new Reference(domain, path, tag, null).name()).isEqualTo(domain + "/" + path);
    } else {
      assertThatThrownBy(() -> new Reference(domain, path, tag, null))
          .isInstanceOf(CairnException.class)
          .hasMessageEndingWith(messageEnd);
    }
  }

  @Test
  void withDigestPinsTheReferenceAndKeepsItsTag() {
    Reference ref = Reference.parse("a:1");
    Digest d = Digest.parse("sha256:" + HEX);
    assertThat(ref.withDigest(d).toString()).isEqualTo("docker.io/library/a:1@sha256:" + HEX);
    assertThat(ref.withDigest(d).tagOrDigest()).isEqualTo("sha256:" + HEX);
  }
}
