package dev.cairn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void kindSurvivesContext() {
    CairnException e = CairnException.invalid("bad").in("pulling x");
    assertThat(e.getMessage()).isEqualTo("pulling x: bad");
    assertThat(e.kind()).isEqualTo(CairnException.Kind.INVALID);
  }
}
