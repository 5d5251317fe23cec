package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.Seeds;
import dev.cairn.testing.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sizes as docker's command line prints them, held against Go's formatting (src/test/go). */
class FormatTest {
  @Test
  void sizesRoundAsGoRoundsThem() {
    assertThat(Format.size(12_250)).isEqualTo("12.2kB"); // a tie: half to even
    assertThat(Format.size(999_950)).isEqualTo("1e+03kB"); // three digits cannot hold 1000
    assertThat(Format.humanSize(999_950)).isEqualTo("1000kB");
    assertThat(Format.humanSize(7_834_567)).isEqualTo("7.835MB");
    assertThat(Format.size(Long.MAX_VALUE)).isEqualTo("9.22EB");
    assertThat(Format.size(0)).isEqualTo("0B");
  }

  @Test
  void everySizePrintsAsGoPrintsIt() throws Exception {
    List<Long> sizes = new ArrayList<>();
    for (long n = 0; n < 3000; n++) {
      sizes.add(n);
    }
    for (long p = 1000; p > 0 && p <= Long.MAX_VALUE / 10; p *= 10) {
      for (long d = -600; d <= 600; d++) {
        sizes.add(p + d * (p / 10_000 + 1));
      }
    }
    Random random = Seeds.random(FormatTest.class);
    for (int i = 0; i < 20_000; i++) {
      sizes.add(random.nextLong(Long.MAX_VALUE >> random.nextInt(63)));
    }
    sizes.add(Long.MAX_VALUE);
    StringBuilder input = new StringBuilder();
    List<String> cairn = new ArrayList<>();
    for (long size : sizes) {
      for (int digits : new int[] {3, 4}) {
        input.append(digits).append(' ').append(size).append('\n');
        cairn.add(
            digits
                + " "
                + size
                + ": "
                + (digits == 3 ? Format.size(size) : Format.humanSize(size)));
      }
    }
    List<String> in = input.toString().lines().toList();
    List<String> go = go(input.toString());
    assertThat(go).hasSameSizeAs(in);
    for (int i = 0; i < in.size(); i++) {
      assertThat(cairn.get(i)).isEqualTo(in.get(i) + ": " + go.get(i));
    }
  }

  private static List<String> go(String input) throws Exception {
    Path binary = Tools.goBinary(Path.of("src/test/go/humansize"));
    return Tools.runGo(new ProcessBuilder(binary.toString()), input);
  }
}
