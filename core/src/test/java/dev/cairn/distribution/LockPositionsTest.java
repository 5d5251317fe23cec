package dev.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A plan whose node IDs share the store's lock prefix is refused before anything is fetched. */
class LockPositionsTest {
  private static NodePlan node(int index, String id) {
    Digest blob = Digest.sha256(new byte[] {(byte) index});
    return new NodePlan(index, id, null, new byte[0], null, blob, 1, null, false);
  }

  private static Plans.Plan plan(String... ids) {
    List<NodePlan> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      nodes.add(node(i, ids[i]));
    }
    return new Plans.Plan(nodes, (id, i, parent) -> true);
  }

  @Test
  void idsThatBeginAlikeForFifteenDigitsAreRefused() {
    String a = "0123456789abcde" + "0".repeat(49);
    String b = "0123456789abcde" + "1".repeat(49);
    assertThatThrownBy(() -> Puller.checkLockPositions(plan(a, b)))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining(a)
        .hasMessageContaining(b)
        .hasMessageContaining("crafted image");
  }

  @Test
  void differentPrefixesAndARepeatedIdPass() {
    String a = "0123456789abcde" + "0".repeat(49);
    String c = "0123456789abcdf" + "0".repeat(49);
    assertThatCode(() -> Puller.checkLockPositions(plan(a, c, a))).doesNotThrowAnyException();
  }
}
