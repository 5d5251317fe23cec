package dev.cairn.store;

/**
 * What {@link Store#check} saw.
 *
 * @param nodes node directories checked
 * @param tags tag entries checked
 * @param problems problems found
 * @param unrepaired problems left: all of them without a repair, those it could not mend with one
 */
public record CheckResult(int nodes, int tags, int problems, int unrepaired) {
  /** Whether the store is sound now. */
  public boolean clean() {
    return unrepaired == 0;
  }
}
