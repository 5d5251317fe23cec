package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdMapTest {
  @Test
  void shiftsIdsThroughTheirRange() {
    IdMap map = IdMap.parse("0:100000:1000,1000:5000:10");
    assertThat(map.toHost(0, "uid")).isEqualTo(100000);
    assertThat(map.toHost(999, "uid")).isEqualTo(100999);
    assertThat(map.toHost(1005, "gid")).isEqualTo(5005);
    assertThat(map.toContainer(5009)).isEqualTo(1009);
    assertThat(map.toContainer(42)).isEqualTo(-1);
    assertThat(map).hasToString("0:100000:1000,1000:5000:10");
  }

  @Test
  void anIdOutsideTheMapIsAClearError() {
    IdMap map = IdMap.parse("0:100000:65536");
    assertThatThrownBy(() -> map.toHost(65536, "uid"))
        .isInstanceOf(CairnException.class)
        .hasMessage("uid 65536 is outside the ID map 0:100000:65536");
  }

  @Test
  void identityLeavesIdsAlone() {
    assertThat(IdMap.parse("").toHost(4_000_000_000L, "uid")).isEqualTo((int) 4_000_000_000L);
    assertThat(IdMap.IDENTITY.isIdentity()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "0:1 | is not CONTAINER:HOST:SIZE",
        "a:b:c | with decimal numbers",
        "0:0:0 | outside 0..2^32-1 or empty",
        "0:4294967295:2 | outside 0..2^32-1 or empty",
        "0:10:10,5:100:10 | overlap"
      })
  void refusesMalformedMaps(String spec, String message) {
    assertThatThrownBy(() -> IdMap.parse(spec))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining(message);
  }
}
