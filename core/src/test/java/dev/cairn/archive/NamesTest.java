package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void aKeyBuiltAtOnceEqualsTheKeyBuiltComponentByComponent() {
    List<byte[]> components =
        List.of(Names.bytes("usr"), new byte[] {(byte) 0xff, 'x'}, Names.bytes("lib"));
    for (int count = 1; count <= components.size(); count++) {
      String stepwise = "";
      for (int i = 0; i < count; i++) {
        stepwise = Names.key(stepwise, components.get(i));
      }
      assertThat(Names.key(components, count)).isEqualTo(stepwise);
    }
  }
}
