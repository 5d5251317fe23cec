package dev.cairn.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Platform names and matching as containerd's platforms package (which docker uses) normalises and
 * orders them: aliases to Go's names, ARM's default variant, and a host taking images of an older
 * variant of its own architecture, the newest first.
 */
class PlatformTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "linux/x86-64, linux/amd64",
    "linux/AMD64/V3, linux/amd64/v3",
    "linux/arm64/8, linux/arm64",
    "linux/arm64/v9, linux/arm64/v9",
    "linux/armhf, linux/arm/v7",
    "linux/arm/5, linux/arm/v5",
    "linux/arm/8, linux/arm/v8",
    "linux/i686, linux/386",
    "windows/amd64, windows/amd64"
  })
  void aliasesAndDefaultVariantsNormalise(String text, String normal) {
    assertThat(Platform.parse(text)).hasToString(normal);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no variant given | linux | amd64 | | linux/amd64",
        "variant in capitals | Linux | ARM | V6 | linux/arm/v6"
      })
  void theConstructorNormalisesToo(
      String name, String os, String arch, String variant, String normal) {
    assertThat(new Platform(os, arch, variant)).hasToString(normal);
  }

  @ParameterizedTest(name = "{0} / {1} is {2}")
  @CsvSource({
    "Linux, amd64, linux/amd64",
    "Mac OS X, aarch64, darwin/arm64",
    "Windows 11, amd64, windows/amd64",
    "FreeBSD, x86_64, freebsd/amd64"
  })
  void theHostIsNamedAsGoNamesIt(String osName, String osArch, String platform) {
    assertThat(Platform.host(osName, osArch)).hasToString(platform);
  }

  /**
   * Which entry of an index a host pulls, among entries given as {@code os/arch[/variant]}
   * separated by spaces; "none" when it can run none of them.
   */
  @ParameterizedTest(name = "{0} pulls {2} of {1}")
  @CsvSource({
    "linux/amd64, linux/amd64/v2, none",
    "linux/amd64, linux/amd64/vx, none",
    "linux/amd64/v3, linux/amd64 linux/amd64/v2, linux/amd64/v2",
    "linux/amd64/v2, linux/amd64/v3 linux/amd64, linux/amd64",
    "linux/arm64/v9, linux/arm64, linux/arm64",
    "linux/arm64, linux/arm64/v9, none",
    "linux/s390x, linux/s390x/v2, none",
    "linux/s390x, linux/s390x/v2 linux/s390x, linux/s390x",
    "linux/arm/v7, linux/arm/v5 linux/arm/v6, linux/arm/v6",
    "linux/arm/v6, linux/arm/v7, none",
    "windows/amd64, linux/amd64, none"
  })
  void aHostPullsTheNewestVariantItRuns(String host, String entries, String chosen) {
    String[] platforms = entries.split(" ");
    String index =
        Arrays.stream(platforms)
            .map(
                p -> {
                  Platform e = Platform.parse(p);
                  return "{\"mediaType\":\""
                      + MediaType.OCI_MANIFEST
                      + "\",\"size\":1,\"digest\":\"sha256:"
                      + Integer.toHexString(Arrays.asList(platforms).indexOf(p)).repeat(64)
                      + "\",\"platform\":{\"os\":\""
                      + e.os()
                      + "\",\"architecture\":\""
                      + e.architecture()
                      + "\",\"variant\":\""
                      + e.variant()
                      + "\"}}";
                })
            .collect(Collectors.joining(",", "{\"schemaVersion\":2,\"manifests\":[", "]}"));
    ImageIndex i = ImageIndex.parse(index.getBytes(StandardCharsets.UTF_8), null);
    if (chosen.equals("none")) {
      assertThatThrownBy(() -> i.select(Platform.parse(host)))
          .isInstanceOfSatisfying(
              CairnException.class,
              e -> assertThat(e.kind()).isEqualTo(CairnException.Kind.NOT_FOUND));
    } else {
      assertThat(i.select(Platform.parse(host)).platform()).hasToString(chosen);
    }
  }
}
